/**
 * The exim_mainlog line patterns, as data (cpanel-facts §5). Each entry is proven by the sample lines
 * in test/fixtures/samples/exim-samples.log (test/unit/eximSamples.test.ts fails when an entry has no
 * sample), including look-alikes that must not match.
 *
 * A line is first split into stamp, optional `[pid]`, optional message id and body (eximLine.ts);
 * these patterns run on the body and are anchored at its start, so text inside a subject, a HELO
 * name or a sender address can never pose as an event. The `key=value` fields after the frame are
 * read by a tokenizer that knows Exim's quoting (eximLine.ts), not by these expressions.
 *
 * - `needle`: a literal every matching line contains, for the byte-level candidate search.
 * - The order of the table is the order of trial: specific frames (bounce, autoresponder pipe)
 *   come before the general ones (arrival, delivery).
 *
 * All expressions are linear: bounded character classes that exclude their own terminators, and
 * at most one unbounded `.*` at the end or in a single greedy prefix.
 */
import { EXIM_MESSAGE_ID, IP } from './fragments';

export type EximEventKind =
  | 'arrival'
  | 'bounce'
  | 'delivery'
  | 'autoresponder-pipe'
  | 'failure'
  | 'identification'
  | 'rejected-relay';

export interface EximPattern {
  name: string;
  kind: EximEventKind;
  description: string;
  needle: string;
  regex: RegExp;
}

/** An envelope address as Exim logs it: `<>`, a plain token, or a quoted local part (which may hold spaces). */
const ENVELOPE_ADDRESS = String.raw`<>|"(?:[^"\\\n]|\\.){0,256}"[^\s]{0,512}|[^\s"]{1,1024}`;

/** `(parent)` and `<original>` after a delivery address (with +all_parents / for redirected addresses). */
const DELIVERY_PARENTS = String.raw`(?: \((?<parent>[^)\s]{1,1024})\))?(?: <(?<original>[^>\s]{1,1024})>)?`;

/**
 * A pipe delivery address: `|command arg arg…`. Arguments are space-separated tokens that do not
 * start a `KEY=` field, a `(parent)` or an `<original>`; the split is unambiguous, hence linear.
 */
const PIPE_ADDRESS = String.raw`\|[^\s]{1,1024}(?: (?![A-Za-z0-9_]{1,16}=)[^\s(<][^\s]{0,1023}){0,16}`;

/** cPanel's autoresponder program as routed from /etc/valiases (cpanel-facts §7). */
const AUTORESPOND_COMMAND = String.raw`/usr/local/cpanel/bin/autorespond`;

export const EXIM_PATTERNS: readonly EximPattern[] = [
  {
    name: 'bounce',
    kind: 'bounce',
    description: 'A bounce Exim generates: "<= <> R=<original id> U=mailnull P=local S=… for <original sender>"',
    needle: '<= <> R=',
    regex: new RegExp(String.raw`^<= <> R=(?<parent>${EXIM_MESSAGE_ID})(?: (?<fields>.*))?$`),
  },
  {
    name: 'arrival',
    kind: 'arrival',
    description: 'A message arrival: "<= sender H=(helo) [ip]:port P=esmtpa A=dovecot_login:user S=… T=\\"subject\\" for rcpt" (remote) or "<= sender U=cpuser P=local …" (local)',
    needle: '<= ',
    regex: new RegExp(String.raw`^<= (?<sender>${ENVELOPE_ADDRESS})(?: (?<fields>.*))?$`),
  },
  {
    name: 'autoresponder-pipe',
    kind: 'autoresponder-pipe',
    description: 'Delivery to cPanel\'s autoresponder: "=> |/usr/local/cpanel/bin/autorespond addr /home/u/.autorespond (addr) <addr> R=virtual_aliases_nostar T=virtual_address_pipe" (T=cagefs_virtual_address_pipe on CageFS; the address may also stand before the pipe)',
    needle: `${AUTORESPOND_COMMAND} `,
    regex: new RegExp(
      String.raw`^(?<arrow>=>|->) (?:(?<leading>[^\s|]{1,1024}) )?\|(?<command>${AUTORESPOND_COMMAND}) (?<address>[^\s]{1,1024}) (?<dir>/[^\s]{1,1024})${DELIVERY_PARENTS}(?: (?<fields>.*))?$`,
    ),
  },
  {
    name: 'delivery',
    kind: 'delivery',
    description: 'A delivery: "=> addr <original> R=router T=transport H=host [ip]" (first address) or "-> addr …" (further addresses of the same delivery)',
    needle: '> ',
    regex: new RegExp(String.raw`^(?<arrow>=>|->) (?<address>${PIPE_ADDRESS}|[^\s(<|]{1,1024})${DELIVERY_PARENTS}(?: (?<fields>.*))?$`),
  },
  {
    name: 'failure',
    kind: 'failure',
    description: 'A permanent delivery failure: "** addr <original> R=router T=transport: error" (Exim then sends a bounce)',
    needle: '** ',
    regex: new RegExp(String.raw`^\*\* (?<address>${PIPE_ADDRESS}|[^\s(<|:]{1,1024}:?)${DELIVERY_PARENTS}(?<rest>.*)$`),
  },
  {
    name: 'identification',
    kind: 'identification',
    description: 'cPanel\'s sender identification by the relay list: "SMTP connection identification H=host A=ip P=port U=cpuser ID=uid S=sender B=get_recent_authed_mail_ips_entry" (or B=recent_authed_mail_ips_domain)',
    needle: 'SMTP connection identification ',
    regex: /^SMTP connection identification (?<fields>.+)$/,
  },
  {
    name: 'rejected-relay',
    kind: 'rejected-relay',
    description: 'cPanel\'s relay refusal: "… Rejected relay attempt: \'ip\' From: \'sender\' To: \'rcpt\'" (the last occurrence on the line counts)',
    needle: 'Rejected relay attempt: ',
    regex: new RegExp(String.raw`^(?<prefix>.*)Rejected relay attempt: '${IP}' From: '(?<sender>[^'\n]{0,1024})' To: '(?<recipient>[^'\n]{0,1024})'\s*$`),
  },
];

/** The `B=` values of an identification line that mean "identified by the POP-before-SMTP relay list". */
export const RELAY_IDENTIFICATION_METHODS: readonly string[] = ['get_recent_authed_mail_ips_entry', 'recent_authed_mail_ips_domain'];
