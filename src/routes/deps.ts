/**
 * What every route module is given: the core context, the CSRF secret and the page cache. A module of
 * its own so that the route modules and routes/index.ts, which registers them, do not import each other.
 */
import type { PageCache } from '../http/pageCache';
import type { CoreContext } from '../services/context';

export interface RouteDeps {
  ctx: CoreContext;
  /** CSRF secret (see http/csrf.ts) */
  secret: Buffer;
  /** rendered pages kept while their data is unchanged */
  pages: PageCache;
}
