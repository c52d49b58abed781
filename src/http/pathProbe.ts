/**
 * Recognises a request that tries to reach files outside relaywatch's routes (path traversal), so that
 * its refusal is written to the audit log. Refusing is not this file's job: every parameter is checked
 * by its route (an IP must be an IP, a user name a user name) and every file is read under the host
 * root; this only names the attempt. The text is decoded up to three times, as a double- or
 * triple-encoded `%252e%252e` is meant to slip past one decoding.
 */

const PROBES: Array<{ name: string; re: RegExp }> = [
  { name: 'a ".." path segment', re: /(?:^|[/\\=&?])\.{2,}(?:[/\\]|$)/ },
  { name: 'a NUL byte', re: /\0/ },
  { name: 'a system path', re: /\/(?:etc|proc|sys|dev|root)\//i },
];

function decodedForms(text: string): string[] {
  const forms = [text];
  let t = text;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(t);
    } catch {
      break;
    }
    if (next === t) break;
    forms.push(next);
    t = next;
  }
  return forms;
}

/** What in `url` (path and query, as sent) looks like path traversal, or null. */
export function traversalProbe(url: string): string | null {
  for (const form of decodedForms(url)) {
    for (const p of PROBES) if (p.re.test(form)) return p.name;
  }
  return null;
}
