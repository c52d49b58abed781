import fs from 'node:fs';
import path from 'node:path';
import { DEMO_MARKER } from '../../demo/demoTree';
import { generateDemoHost } from '../../demo/generateDemoHost';
import { MAIL_LOG_MIXES, MailLogMix } from '../../demo/logs/mailLogMix';
import { AppError } from '../../http/appError';
import { CliCommand, EXIT, printJson } from '../command';

/** True when `out` already holds a complete demo host (for `npm start`, which must not rewrite it each time). */
function completeDemoHost(out: string): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(out, DEMO_MARKER), 'utf8')) as { complete?: boolean };
    return marker.complete === true;
  } catch {
    return false;
  }
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Write a realistic demo cPanel host into a folder',
  usage: 'relaywatch demo --out DIR [--generation legacy|modern] [--size-mb N] [--mix demo|many-ips|dense] [--seed N] [--if-missing]',
  options: {
    out: { type: 'string' },
    generation: { type: 'string' },
    'size-mb': { type: 'string' },
    seed: { type: 'string' },
    mix: { type: 'string' },
    'if-missing': { type: 'boolean' },
  },
  async run(r) {
    const out = r.values.out as string | undefined;
    if (!out) throw AppError.badRequest('demo needs --out DIR.');
    const generation = (r.values.generation as string | undefined) ?? 'modern';
    if (generation !== 'legacy' && generation !== 'modern') throw AppError.badRequest(`--generation must be "legacy" or "modern", got "${generation}".`);
    const num = (name: string, integer: boolean): number | undefined => {
      const v = r.values[name] as string | undefined;
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw AppError.badRequest(`--${name} must be a positive ${integer ? 'whole ' : ''}number, got "${v}".`);
      return n;
    };
    const mix = (r.values.mix as string | undefined) ?? 'demo';
    if (!(MAIL_LOG_MIXES as readonly string[]).includes(mix)) throw AppError.badRequest(`--mix must be one of ${MAIL_LOG_MIXES.join(', ')}, got "${mix}".`);
    const sizeMb = num('size-mb', false);
    const seed = num('seed', true);
    if (r.values['if-missing'] && completeDemoHost(out)) {
      r.io.err(`relaywatch: demo host ${path.resolve(out)} already exists; keeping it (delete the folder for a fresh one).\n`);
      return EXIT.ok;
    }
    let summary;
    try {
      summary = await generateDemoHost({ out, generation, sizeMb, seed, mix: mix as MailLogMix });
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw AppError.badRequest((e as Error).message);
    }
    if (r.json) {
      printJson(r.io, summary);
      return EXIT.ok;
    }
    const h = summary.relayHosts;
    r.io.out(
      `Demo host (${summary.generation}) written to ${summary.root}\n` +
        `  ${summary.accounts} accounts, resellers ${summary.resellers.join(', ')}\n` +
        `  relay list: ${h.explained.length} explained, ${h.stale.length} stale, ${h.alwaysrelay.length} always-relay, ${h.unexplained.length} unexplained\n` +
        `  mail logs: ${summary.mailLogFiles.length} files, ${(summary.mailLogBytes / 1048576).toFixed(1)} MiB\n` +
        `Try: relaywatch explain --root ${summary.root} --verbose\n`,
    );
    return EXIT.ok;
  },
};
