import type { Express } from 'express';
import { cliOutput, cliOutputForm } from '../http/cliOutput';
import { CLI_EXIT_HEADER, CLI_OUTPUT_HEADER, CLI_STDERR_HEADER, INDEX_BUILDING_HEADER, ROOT_HEADER } from '../http/daemonHeaders';
import { indexStillBuilding } from '../scan/loginIndexDaemon';
import { explain, explainEncoded } from '../services/explainService';
import type { RouteDeps } from './deps';

// The page for these hosts is the dashboard (dashboardRoutes.ts).

export function relayHostRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/relay-hosts', async (req, res) => {
    const form = cliOutputForm(req.get(CLI_OUTPUT_HEADER));
    if (form) {
      // `relaywatch explain`'s own output (http/cliOutput.ts), for the installed command's quick path
      const out = cliOutput(await explain(ctx, req.identity!.viewer), form);
      res.set(ROOT_HEADER, encodeURIComponent(ctx.config.root));
      if (indexStillBuilding(ctx)) res.set(INDEX_BUILDING_HEADER, '1');
      res.set(CLI_EXIT_HEADER, String(out.code)).set(CLI_STDERR_HEADER, encodeURIComponent(out.stderr));
      res.set('Cache-Control', 'no-store').vary(CLI_OUTPUT_HEADER).type('text/plain; charset=utf-8').send(out.stdout);
      return;
    }
    // The report is encoded once per change (explainEncoded), not once per request.
    const r = await explainEncoded(ctx, req.identity!.viewer);
    res.set('ETag', r.etag).vary('Accept-Encoding').type('json');
    // For `relaywatch explain`, which asks the daemon (cli/daemonClient.ts): which host this is, and
    // whether the answer waits for the index's first build.
    res.set(ROOT_HEADER, encodeURIComponent(ctx.config.root));
    if (indexStillBuilding(ctx)) res.set(INDEX_BUILDING_HEADER, '1');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') res.set('Content-Encoding', 'gzip').send(r.gzip);
    else res.send(r.json);
  });
}
