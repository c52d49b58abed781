/**
 * Watches the folders that hold the mail logs and calls back (debounced) when anything in them
 * changes: a line appended, a file rotated, compressed or deleted. fs.watch is not reliable on every
 * file system (network mounts, some containers), so the caller also checks on a timer.
 */
import fs from 'node:fs';
import { Host } from './host';

export interface LogWatcher {
  close(): void;
}

export function watchLogFolders(host: Host, hostDirs: readonly string[], onChange: () => void, debounceMs = 500): LogWatcher {
  const watchers: fs.FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  const fire = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
    timer.unref();
  };
  for (const dir of new Set(hostDirs)) {
    try {
      const w = fs.watch(host.real(dir), { persistent: false }, fire);
      w.on('error', () => w.close()); // the folder went away: the timer still checks
      watchers.push(w);
    } catch {
      // missing or unwatchable folder: the periodic check covers it
    }
  }
  return {
    close: () => {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
