import fs from 'node:fs';
import path from 'node:path';
import { requireRoot } from '../../domain/scope';
import { AppError } from '../../http/appError';
import { createWatchMetrics } from '../../watch/metrics';
import { CliCommand, EXIT } from '../command';

/**
 * The Prometheus text exposition once, for node_exporter's textfile collector. Without the process
 * metrics: they would describe this short run, and node_exporter has its own of those names.
 * --out writes the file whole (a temporary file renamed over it), as the collector requires.
 */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'Prometheus metrics (text exposition) for node_exporter\'s textfile collector',
  usage: 'relaywatch metrics [--out FILE]   (FILE: e.g. /var/lib/node_exporter/textfile_collector/relaywatch.prom)',
  options: { out: { type: 'string' } },
  async run(r) {
    if (r.json) throw AppError.badRequest('metrics prints the Prometheus text format; for JSON use relaywatch check --json.');
    requireRoot(await r.viewer(), 'read the server\'s metrics');
    const metrics = createWatchMetrics({ processMetrics: false });
    let text: string;
    try {
      text = await metrics.render(r.context());
    } finally {
      metrics.close();
    }
    const out = r.values.out as string | undefined;
    if (out === undefined) {
      r.io.out(text);
      return EXIT.ok;
    }
    if (!out) throw AppError.badRequest('--out needs a file name.');
    const target = path.resolve(out);
    const tmp = `${target}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(tmp, text, { mode: 0o644 });
      fs.renameSync(tmp, target);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new AppError(500, 'not_written', `${target} could not be written (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
    }
    return EXIT.ok;
  },
};
