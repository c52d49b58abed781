/**
 * The scan worker thread: runs the login scan jobs the pool (loginScanPool.ts) sends it and posts back
 * each batch, its arrays transferred rather than copied.
 */
// First: this thread's modules compile with the code cache too (boot/codeCache.ts).
import '../boot/codeCacheHook';
import { parentPort } from 'node:worker_threads';
import { adoptCompiledKernels, adoptTunedPlans, CompiledKernels, TunedPlans } from './candidateKernel';
import { batchTransferList } from './loginBatch';
import { runScanJob, ScanJob } from './loginScanJob';

/** progress messages at most this often (bytes) */
const PROGRESS_STEP = 8 * 1024 * 1024;

if (parentPort) {
  const port = parentPort;
  // The code is loaded: the pool may send jobs (scanWorkers.ts).
  port.postMessage({ id: -1, ready: true });
  port.on('message', (msg: { id: number; job: ScanJob; plans?: TunedPlans; modules?: CompiledKernels }) => {
    if (msg.plans) adoptTunedPlans(msg.plans);
    if (msg.modules) adoptCompiledKernels(msg.modules);
    let reported = 0;
    runScanJob(msg.job, (bytes) => {
      if (bytes - reported >= PROGRESS_STEP) {
        reported = bytes;
        port.postMessage({ id: msg.id, progress: bytes });
      }
    }).then(
      (result) => port.postMessage({ id: msg.id, result }, batchTransferList(result.batch)),
      (e: NodeJS.ErrnoException) => port.postMessage({ id: msg.id, error: { message: e.message, code: e.code } }),
    );
  });
}
