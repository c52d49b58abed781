import { AppError } from '../../http/appError';
import { requireRoot } from '../../domain/scope';
import { openLoginIndex, statusOf } from '../../scan/loginIndex';
import { CliCommand, EXIT, printJson } from '../command';
import { progressReporter } from '../progress';
import { table, terminalSafe } from '../terminal';

/** A full disk, a quota or a read-only file system under the state dir: said in words, not as a stack trace. */
function indexWriteError(ctx: { config: { stateDir: string } }, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'the disk quota is used up', EROFS: 'the file system is read-only' };
  if (!code || !why[code]) return e;
  return new AppError(507, 'index_not_written', `The login index under ${ctx.config.stateDir} could not be written (${why[code]}). Nothing is lost: explain and the pages read the logs directly meanwhile. Make room, then run relaywatch index again.`);
}

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
const when = (iso: string | null): string => (iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : '-');

export const indexCommand: CliCommand = {
  name: 'index',
  summary: 'Build or bring up to date the login index that makes explain fast, and show it',
  usage: 'relaywatch index [--rebuild] [--json]   (--rebuild: start again from the logs)',
  options: { rebuild: { type: 'boolean' } },
  async run(r) {
    const ctx = r.context();
    requireRoot(await r.viewer(), 'build or show the login index');
    const progress = progressReporter(r.io, r.values.rebuild ? 'Rebuilding the login index' : 'Indexing mail logs');
    let view: Awaited<ReturnType<typeof openLoginIndex>>;
    try {
      view = await openLoginIndex(ctx, { create: true, rebuild: r.values.rebuild === true, onProgress: progress.update });
    } catch (e) {
      progress.done();
      throw indexWriteError(ctx, e);
    }
    progress.done();
    const status = statusOf(ctx, view);
    const problems = view ? view.problems.list : [];
    if (r.json) {
      printJson(r.io, { ...status, problems });
    } else if (!view) {
      r.io.out(`The login index ${status.dir} is being written by another process; try again in a moment.\n`);
    } else {
      r.io.out(
        `Login index ${status.dir}: ${status.files.length} file${status.files.length === 1 ? '' : 's'}, ${mib(status.bytesIndexed)} read, ` +
          `${status.logins} login${status.logins === 1 ? '' : 's'}, ${mib(status.indexBytes)} on disk; updated ${when(status.updatedAt)} (built ${when(status.createdAt)})\n`,
      );
      if (status.files.length > 0) {
        const rows = [['FILE', 'READ', 'SIZE', 'LINES', 'LOGINS']];
        for (const f of status.files) rows.push([f.path, mib(f.bytesIndexed), mib(f.size) + (f.gz ? ' (gz)' : ''), String(f.lines), String(f.logins)]);
        r.io.out(`${table(rows)}\n`);
      }
      if (status.message) r.io.out(`${status.message}\n`);
    }
    for (const p of problems) r.io.err(`problem: ${terminalSafe(p.message)}\n`);
    if (!view) return EXIT.unknown;
    return problems.some((p) => p.blocking) ? EXIT.warning : EXIT.ok;
  },
};
