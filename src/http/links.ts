/**
 * Links inside the plugin. Served directly, a route is a path ("/ip/1.2.3.4"). Inside WHM every
 * request goes through the CGI, so a route becomes a query parameter of the CGI URL, which keeps
 * the /cpsess… prefix cpsrvd requires.
 */
export function linkTo(base: string | null, route: string, query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  if (base) params.set('route', route);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  if (base) return `${base}?${qs}`;
  return qs ? `${route}?${qs}` : route;
}
