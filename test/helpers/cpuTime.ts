/**
 * How long a piece of work takes, for the tests that guard against super-linear parsing (a regular
 * expression that backtracks on a hostile line). Measured as this process's CPU time, not wall-clock
 * time: the moments the scheduler gives the CPU to other processes (other test files, anything else on
 * the machine) do not count, so the limits hold on a busy machine and still catch a parser that is slow
 * by itself.
 */
export function cpuMs(work: () => unknown): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
