import type { Express } from 'express';
import { terminalSafe } from '../cli/terminal';
import { ipReport } from '../services/ipReportService';
import type { RouteDeps } from './deps';

export function ipRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/ip/:ip', async (req, res) => {
    res.json(await ipReport(ctx, req.identity!.viewer, String(req.params.ip)));
  });

  app.get('/ip/:ip', async (req, res) => {
    const report = await ipReport(ctx, req.identity!.viewer, String(req.params.ip));
    // Log lines and names are strangers' text: control and bidi characters are shown as \u202e, not obeyed.
    res.render('pages/ip', { title: `IP ${report.ip}`, report, query: report.ip, visible: terminalSafe });
  });
}
