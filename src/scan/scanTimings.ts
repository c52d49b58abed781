/**
 * How long the daemon's reads of the mail logs take, for whoever watches (the Prometheus histogram
 * relaywatch_scan_seconds). The scan code only reports; it knows nothing of metrics.
 */
export type ScanKind = 'build' | 'update';

type Listener = (kind: ScanKind, seconds: number) => void;

const listeners = new Set<Listener>();

/** Calls `listener` after every finished index read; returns a function that stops it. */
export function onScanTimed(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportScanTime(kind: ScanKind, seconds: number): void {
  for (const l of listeners) l(kind, seconds);
}
