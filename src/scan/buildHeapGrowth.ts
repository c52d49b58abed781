/**
 * While the index is built from nothing, the heaps of the process's threads may grow to twice what
 * was live at their last full collection, not to four times (V8's choice on a machine with
 * gigabytes of memory). A build allocates and drops parse results at the speed it reads, and what a
 * thread keeps (the current job's tables, a file's columns before its segment is written) stays a
 * few megabytes: the default let each thread's heap reach several times that before it was
 * collected, which made up much of the build's peak memory. Collecting sooner costs little here,
 * since little is live: on the many-IPs mix, 15 to 30 MiB less at 256 MiB and 1 GiB for some 3 %
 * more CPU time (1.5 times saved no more memory and cost 10 %).
 *
 * The V8 flag is read at each full collection, so it can be set for the build and set back after;
 * a process started with its own --heap-growing-percent is left alone.
 */
import v8 from 'node:v8';

const BUILD_GROWING_PERCENT = 100;

let holders = 0;

function setByOperator(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'));
}

/** Holds the heaps' growth down until the returned function is called (nested holds count). */
export function holdHeapGrowth(): () => void {
  if (setByOperator()) return () => undefined;
  if (holders++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${BUILD_GROWING_PERCENT}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // 0 is V8's default: the growth factor it chooses itself
    if (--holders === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  };
}
