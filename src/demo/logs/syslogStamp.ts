/**
 * Time stamps as the server's programs write them, in the server's local time (the process time zone
 * stands in for it; relaywatch reads yearless stamps in the same local time).
 *
 * - classic syslog: `Nov 27 22:11:50` (no year, day space padded: `Feb  2 09:47:12`)
 * - tailwatchd: `2024-08-16 17:40:46 +0000`
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `Nov 27 22:11:50` for an instant (ms since the epoch). */
export function syslogStamp(ms: number): string {
  const d = new Date(ms);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * syslogStamp() for a stream of increasing instants: recomputes only when the second changes, which
 * matters when a benchmark log of millions of lines is written.
 */
export class SyslogStamper {
  private second = Number.NaN;
  private text = '';

  at(ms: number): string {
    const s = Math.floor(ms / 1000);
    if (s !== this.second) {
      this.second = s;
      this.text = syslogStamp(s * 1000);
    }
    return this.text;
  }
}

/** `+0100`, `-0500`: the local offset at that instant. */
export function utcOffset(d: Date): string {
  const east = -d.getTimezoneOffset();
  const sign = east < 0 ? '-' : '+';
  const abs = Math.abs(east);
  return `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

/** `2024-08-16 17:40:46 +0000`, as tailwatchd stamps its log. */
export function tailwatchdStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${utcOffset(d)}`;
}

/** `20261122`: the date logrotate's dateext puts in a rotated file's name. */
export function dateExt(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}`;
}
