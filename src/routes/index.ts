/**
 * Every route of the app. Routes are thin: validate, call one core function, render or send JSON.
 */
import type { Express } from 'express';
import type { RouteDeps } from './deps';
import { accountRoutes } from './accountRoutes';
import { blacklistRoutes } from './blacklistRoutes';
import { dashboardRoutes } from './dashboardRoutes';
import { evidenceRoutes } from './evidenceRoutes';
import { guideRoutes } from './guideRoutes';
import { indexRoutes } from './indexRoutes';
import { ipRoutes } from './ipRoutes';
import { relayHostRoutes } from './relayHostRoutes';
import { searchRoutes } from './searchRoutes';
import { statusRoutes } from './statusRoutes';
import { relianceWarningRoutes } from './relianceWarningRoutes';
import { watchRoutes } from './watchRoutes';

export function registerRoutes(app: Express, deps: RouteDeps): void {
  relayHostRoutes(app, deps);
  ipRoutes(app, deps);
  dashboardRoutes(app, deps);
  guideRoutes(app, deps);
  accountRoutes(app, deps);
  blacklistRoutes(app, deps);
  searchRoutes(app, deps);
  statusRoutes(app, deps);
  evidenceRoutes(app, deps);
  indexRoutes(app, deps);
  watchRoutes(app, deps);
  relianceWarningRoutes(app, deps);
}
