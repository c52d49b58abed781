/**
 * What the overview and the guided check say about relay entries nobody's login put there: lines of
 * the relay list that are not IP addresses, /etc/alwaysrelay and /etc/skipsmtpcheckhosts. Each entry
 * comes with what it means for the server. Pure: the files are read by the services (relayState.ts,
 * statusService.ts).
 */

export interface StaticRelayEntry {
  /** the file the entry is in */
  file: string;
  line: number;
  /** the entry as written */
  text: string;
  kind: 'rejected-line' | 'alwaysrelay' | 'skipsmtpcheckhosts';
  /** what it means, in one sentence */
  meaning: string;
}

export interface StaticRelayInput {
  relayList: string;
  rejectedLines: ReadonlyArray<{ line: number; text: string; reason: string }>;
  allowlists: ReadonlyArray<{ path: string; relays: boolean; entries: ReadonlyArray<{ line: number; text: string; kind: string; user: string | null }> }>;
  alwaysrelayPath: string;
}

export function staticRelayEntries(input: StaticRelayInput): StaticRelayEntry[] {
  const out: StaticRelayEntry[] = input.rejectedLines.map((r) => ({
    file: input.relayList,
    line: r.line,
    text: r.text,
    kind: 'rejected-line' as const,
    meaning: `${r.reason}: cPanel's tracker writes only IP addresses there, so something else added this line; relaywatch cannot tell who may relay through it. Look at the file and remove what you do not know.`,
  }));
  for (const list of input.allowlists) {
    if (!list.relays) continue;
    const always = list.path === input.alwaysrelayPath;
    for (const e of list.entries) {
      out.push(always
        ? {
          file: list.path, line: e.line, text: e.text, kind: 'alwaysrelay',
          meaning: e.kind === 'other'
            ? 'not an IP address: cPanel ignores it, but it shows someone edited the file by hand.'
            : `may send mail through this server without a password at any time, even with POP-before-SMTP off${e.user ? ` (entered for ${e.user})` : ''}: keep it only if it is one of your own servers.`,
        }
        : {
          file: list.path, line: e.line, text: e.text, kind: 'skipsmtpcheckhosts',
          meaning: 'Exim skips its relay checks for this host: a static open relay for anyone sending from it. Keep it only if it is one of your own servers.',
        });
    }
  }
  return out;
}
