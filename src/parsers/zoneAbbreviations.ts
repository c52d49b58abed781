/**
 * Time-zone abbreviations as `journalctl -o short-full` writes them (strftime's %Z from the tz
 * database: "CET", "EDT", "+03", "UTC"), turned into offsets from UTC. Pure.
 *
 * The tz database has given up invented abbreviations (zones without an established one now show a
 * number, "+03", "-0330"), so the alphabetic ones that remain are a short, stable list. A few are
 * used by more than one zone (CST: US Central and China; IST: India, Israel and Ireland); for those
 * the offset the server's own zone has at that wall-clock time decides, since journalctl writes in
 * the zone of the machine it runs on.
 */

/** minutes east of UTC; the first entry of a list is the most widely used meaning */
const ABBREVIATIONS: Record<string, readonly number[]> = {
  UTC: [0], UT: [0], GMT: [0], Z: [0], WET: [0], WEST: [60], BST: [60],
  CET: [60], CEST: [120], MET: [60], MEST: [120], EET: [120], EEST: [180], MSK: [180],
  IST: [330, 120, 60], IDT: [180], PKT: [300], HKT: [480], JST: [540], KST: [540],
  CST: [-360, 480, -300], CDT: [-300, -240],
  EST: [-300], EDT: [-240], MST: [-420], MDT: [-360], PST: [-480, 480], PDT: [-420],
  AKST: [-540], AKDT: [-480], HST: [-600], HDT: [-540], AST: [-240], ADT: [-180], NST: [-210], NDT: [-150],
  AEST: [600], AEDT: [660], ACST: [570], ACDT: [630], AWST: [480], NZST: [720], NZDT: [780], ChST: [600],
  SST: [-660], SAST: [120], CAT: [120], EAT: [180], WAT: [60], WIB: [420], WITA: [480], WIT: [540],
};

const NUMERIC = /^([+-])(\d\d)(\d\d)?$/;

/**
 * The offset (minutes east of UTC) that `abbr` names at the given wall-clock time, or null when it is
 * not known: the caller then takes the time as the server's local time, which is what an unknown
 * abbreviation from the same machine's journal means.
 */
export function zoneOffset(abbr: string, year: number, month: number, day: number, hour: number, minute: number): number | null {
  const n = NUMERIC.exec(abbr);
  if (n) {
    const h = Number(n[2]);
    const m = n[3] ? Number(n[3]) : 0;
    if (h > 23 || m > 59) return null;
    return (n[1] === '-' ? -1 : 1) * (h * 60 + m);
  }
  if (!Object.hasOwn(ABBREVIATIONS, abbr)) return null;
  const candidates = ABBREVIATIONS[abbr];
  if (candidates.length === 1) return candidates[0];
  // Ambiguous: the meaning the server's own zone has at that moment, else the common one.
  const local = -new Date(year, month - 1, day, hour, minute).getTimezoneOffset();
  return candidates.includes(local) ? local : candidates[0];
}
