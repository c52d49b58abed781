/**
 * Single flight: while a computation for a key runs, whoever asks for the same key gets that run's
 * result instead of starting another (an answer, a rendered page, a read of cPanel's status).
 */
export function joinOrRun<T>(runs: Map<string, Promise<unknown>>, key: string, compute: () => Promise<T>): Promise<T> {
  const running = runs.get(key);
  if (running) return running as Promise<T>;
  const p = compute().finally(() => runs.delete(key));
  runs.set(key, p);
  return p;
}
