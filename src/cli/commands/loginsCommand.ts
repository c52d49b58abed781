import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { scanStream } from '../../scan/lineScanner';
import { canSeeAccount } from '../../domain/scope';
import { AppError } from '../../http/appError';
import { loadAccounts } from '../../services/accountsService';
import { LOGIN_NEEDLES, parseLoginLine } from '../../parsers/loginLine';
import { makeStampResolver } from '../../parsers/syslogLine';
import { CliCommand, EXIT } from '../command';
import { table } from '../terminal';

/** Reads the first bytes of a stream to tell gzip from text, then hands back an equivalent stream. */
async function sniffGzip(stream: NodeJS.ReadableStream): Promise<{ gz: boolean; stream: Readable }> {
  const it = (stream as Readable)[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value as Buffer);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as Buffer;
    }
  }
  return { gz: head[0] === 0x1f && head[1] === 0x8b, stream: Readable.from(rest()) };
}

export const loginsCommand: CliCommand = {
  name: 'logins',
  summary: 'List every successful POP3/IMAP login in the given log files',
  usage: 'relaywatch logins FILE... [--json]   (FILE "-" reads standard input, e.g. journalctl -u dovecot -o short-iso | relaywatch logins -; .gz is read transparently)',
  options: {},
  async run(r) {
    if (r.positionals.length === 0) throw AppError.badRequest('logins needs at least one FILE (or "-" for standard input).');
    // A reseller sees only logins of mailboxes of their own accounts, as everywhere else.
    const viewer = r.values.as !== undefined ? await r.viewer() : null;
    const accounts = viewer && !viewer.isRoot ? await loadAccounts(r.context()) : null;
    const visible = (user: string): boolean => !viewer || !accounts || canSeeAccount(viewer, accounts.accountOfMailUser(user));
    const rows: string[][] = [['TIME', 'IP', 'USER', 'PROTOCOL', 'SERVICE', 'WHERE']];
    let failed = false;
    for (const file of r.positionals) {
      let input: NodeJS.ReadableStream;
      let mtime = new Date();
      if (file === '-') {
        input = r.io.stdin;
      } else {
        try {
          const st = fs.statSync(file);
          if (!st.isFile()) throw new Error('not a regular file');
          mtime = st.mtime;
          input = fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 });
        } catch (e) {
          r.io.err(`relaywatch: ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
          failed = true;
          continue;
        }
      }
      const name = file === '-' ? '-' : path.resolve(file);
      const resolve = makeStampResolver(mtime);
      const sniffed = await sniffGzip(input);
      try {
        await scanStream(sniffed.stream, {
          needles: LOGIN_NEEDLES,
          gz: sniffed.gz,
          includePartialLastLine: true,
          onLine: (c) => {
            const hit = parseLoginLine(c.text);
            if (!hit || !visible(hit.user)) return;
            const t = hit.stamp ? resolve(hit.stamp) : null;
            const rec = { file: name, line: c.line, time: t ? t.toISOString() : null, ip: hit.ip, user: hit.user, protocol: hit.protocol, service: hit.service, pattern: hit.pattern };
            if (r.json) r.io.out(`${JSON.stringify(rec)}\n`);
            else rows.push([rec.time ?? '-', rec.ip, rec.user, rec.protocol, rec.service, `${file}:${rec.line}`]);
          },
        });
      } catch (e) {
        r.io.err(`relaywatch: ${file}: ${(e as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' ? 'corrupt gzip data' : (e as Error).message}\n`);
        failed = true;
      }
    }
    if (!r.json) r.io.out(`${table(rows)}\n`);
    return failed ? EXIT.unknown : EXIT.ok;
  },
};
