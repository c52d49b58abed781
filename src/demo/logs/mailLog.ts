/**
 * Writes /var/log/maillog and its weekly rotations (`maillog-YYYYMMDD`, the newest plain, older ones
 * gzipped when asked), merging the story events (mailLogEvents.ts) into background traffic
 * (mailLogNoise.ts) in time order. Each file's modification time is the moment it was rotated (the
 * live file: now), which is what relaywatch uses to give yearless syslog stamps their year.
 *
 * Built for size: lines are joined into multi-MiB strings and written in big writes, so a 1 GiB log
 * costs little more than the disk; memory stays at a few chunks whatever the size.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import { DemoTree } from '../demoTree';
import { MailLogLines } from './mailLogLines';
import { MailLogMix } from './mailLogMix';
import { MailLogNoise } from './mailLogNoise';
import { storyEvents } from './mailLogEvents';
import { Random } from '../random';
import { dateExt, SyslogStamper } from './syslogStamp';
import { DemoWorld } from '../world';

export const MAILLOG = '/var/log/maillog';

export interface MailLogOptions {
  /** total uncompressed size of the live log and its rotations */
  targetBytes: number;
  /** gzip the rotations older than the newest one */
  gzipRotations: boolean;
  /** what the background traffic is made of (mailLogMix.ts); default the demo mix */
  mix?: MailLogMix;
}

export interface WrittenLog {
  hostPath: string;
  gz: boolean;
  /** bytes of log text (uncompressed) */
  bytes: number;
  /** bytes on disk */
  diskBytes: number;
  startMs: number;
  endMs: number;
}

const CHUNK_BYTES = 8 * 1024 * 1024;
/** about what one story event (a login, a logout, a failure) adds to the log */
const STORY_EVENT_BYTES = 200;

interface Sink {
  write(buf: Buffer): Promise<void>;
  close(): Promise<void>;
}

async function openSink(realPath: string, gz: boolean): Promise<Sink> {
  if (!gz) {
    const fh = await fsp.open(realPath, 'w', 0o600);
    return {
      async write(buf) {
        await fh.write(buf);
      },
      close: () => fh.close(),
    };
  }
  const out = fs.createWriteStream(realPath, { mode: 0o600 });
  const gzip = zlib.createGzip({ level: 6 });
  gzip.pipe(out);
  return {
    async write(buf) {
      // gzip keeps a reference to the buffer, which the caller reuses: hand it a copy
      if (!gzip.write(Buffer.from(buf))) await once(gzip, 'drain');
    },
    async close() {
      gzip.end();
      await finished(out);
    },
  };
}

/**
 * Lines are encoded straight into one reused buffer and written when it is nearly full: no
 * multi-megabyte strings to build and collect, which would cost more than the writing itself.
 */
class LineBuffer {
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** bytes written so far */
  bytes = 0;

  constructor(private readonly sink: Sink) {}

  /** Whether `text` fits without a flush (a JavaScript character is at most 3 UTF-8 bytes). */
  fits(text: string): boolean {
    return this.used + text.length * 3 <= CHUNK_BYTES;
  }

  /** Adds text that fits (the caller flushes first when it does not). */
  add(text: string): void {
    if (!this.fits(text)) throw new Error('LineBuffer.add: flush first');
    const n = this.buf.write(text, this.used, 'utf8');
    this.used += n;
    this.bytes += n;
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.sink.write(this.buf.subarray(0, this.used));
    this.used = 0;
  }
}

export async function writeMailLogs(tree: DemoTree, world: DemoWorld, rng: Random, opts: MailLogOptions): Promise<WrittenLog[]> {
  const lines = new MailLogLines(rng.fork('lines'), world.mainIp, world.mainIpv6);
  const noise = new MailLogNoise(world, rng.fork('noise'), lines, opts.mix ?? 'demo');
  const story = storyEvents(world, rng.fork('story'));
  const timing = rng.fork('timing');
  const stamper = new SyslogStamper();
  const host = ` ${world.shortHostname} `;
  let nextStory = 0;

  // Oldest first, so time runs forward across the files.
  const rot = world.rotations;
  const plan: Array<{ hostPath: string; gz: boolean; startMs: number; endMs: number }> = [];
  for (let i = rot.length - 1; i >= 0; i--) {
    const gz = opts.gzipRotations && i > 0;
    plan.push({ hostPath: `${MAILLOG}-${dateExt(rot[i])}${gz ? '.gz' : ''}`, gz, startMs: i === rot.length - 1 ? world.logStartMs : rot[i + 1], endMs: rot[i] });
  }
  plan.push({ hostPath: MAILLOG, gz: false, startMs: rot[0], endMs: world.nowMs });
  const totalSpan = world.nowMs - world.logStartMs;

  await tree.mkdir('/var/log');
  const written: WrittenLog[] = [];
  for (const f of plan) {
    // The story's lines (about 200 bytes an event) come out of the file's share, so small logs keep their size.
    let storyInFile = 0;
    for (let k = nextStory; k < story.length && story[k].at <= f.endMs; k++) storyInFile++;
    const target = (opts.targetBytes * (f.endMs - f.startMs)) / totalSpan - storyInFile * STORY_EVENT_BYTES;
    const sink = await openSink(tree.real(f.hostPath), f.gz);
    const out = new LineBuffer(sink);
    let chars = 0;
    let events = 0;
    let avgEvent = 400;
    let t = f.startMs;
    let lastStamp = '';
    let prefix = '';
    const flushStory = async (until: number): Promise<void> => {
      while (nextStory < story.length && story[nextStory].at <= until) {
        const ev = story[nextStory++];
        const text = ev.render(lines, `${stamper.at(ev.at)}${host}`);
        if (!out.fits(text)) await out.flush();
        out.add(text);
      }
    };
    for (;;) {
      const remaining = target - chars;
      if (remaining <= 0) break;
      // Mean gap chosen so the file ends near its target size at its end time.
      t += timing.exponential((f.endMs - t) / Math.max(1, remaining / avgEvent));
      if (t > f.endMs) break;
      if (nextStory < story.length && story[nextStory].at <= t) await flushStory(t);
      const stamp = stamper.at(t);
      if (stamp !== lastStamp) {
        lastStamp = stamp;
        prefix = stamp + host;
      }
      const text = noise.event(prefix, t);
      chars += text.length;
      if (++events % 64 === 0) avgEvent = chars / events;
      if (!out.fits(text)) await out.flush();
      out.add(text);
    }
    await flushStory(f.endMs);
    await out.flush();
    const bytes = out.bytes;
    await sink.close();
    await tree.setMtime(f.hostPath, f.endMs);
    const st = await fsp.stat(tree.real(f.hostPath));
    written.push({ hostPath: f.hostPath, gz: f.gz, bytes, diskBytes: st.size, startMs: f.startMs, endMs: f.endMs });
  }
  return written;
}
