/**
 * A progress bar on stderr while a long scan runs, only when stderr is a terminal (never in pipes,
 * logs or JSON output).
 */
import { CliIo } from './command';

export interface Progress {
  update: (p: { bytesDone: number; bytesTotal: number }) => void;
  done: () => void;
}

export function progressReporter(io: CliIo, label: string): Progress {
  if (!io.errIsTty) return { update: () => undefined, done: () => undefined };
  let last = -1;
  let shown = false;
  return {
    update: ({ bytesDone, bytesTotal }) => {
      const pct = bytesTotal > 0 ? Math.min(100, Math.floor((bytesDone / bytesTotal) * 100)) : 100;
      if (pct === last) return;
      last = pct;
      shown = true;
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%`);
    },
    done: () => {
      if (shown) io.err('\r\x1b[K');
    },
  };
}
