/**
 * Who the server's notices go to and how they are signed: the contact address cPanel keeps
 * (CONTACTEMAIL in /etc/wwwacct.conf) unless config.yaml names one, the server's host name, and the
 * plugin's address inside WHM for the links in a message.
 */
import { MAIL_ADDRESS } from '../config/config';
import { parseWwwAcct } from '../parsers/wwwacct';
import { CoreContext } from '../services/context';

export const WWWACCT = '/etc/wwwacct.conf';

export interface Contact {
  /** recipients; empty when none is configured (then `problem` says why) */
  to: string[];
  from: string;
  /** where the addresses came from, for people */
  source: string;
  hostname: string;
  /** the plugin's page inside WHM; a route is appended as ?route=… */
  pageUrl: string;
  problem: string | null;
}

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export async function readContact(ctx: CoreContext): Promise<Contact> {
  let text: string | null = null;
  let readProblem: string | null = null;
  try {
    text = await ctx.host.readOptional(WWWACCT);
  } catch (e) {
    readProblem = `${WWWACCT} cannot be read (${(e as Error).message})`;
  }
  const acct = parseWwwAcct(text ?? '');
  let hostname = acct.host && HOSTNAME.test(acct.host) ? acct.host : null;
  if (!hostname) {
    const h = (await ctx.host.readOptional('/etc/hostname').catch(() => null))?.trim() ?? '';
    hostname = HOSTNAME.test(h) ? h : 'localhost';
  }
  const n = ctx.config.notify;
  let to: string[];
  let source: string;
  let problem: string | null = null;
  if (n.to) {
    to = [n.to];
    source = 'notify.to in the configuration';
  } else {
    const listed = (acct.contactEmail ?? '').split(/[\s,;]+/).filter(Boolean);
    to = listed.filter((a) => a.length <= 254 && MAIL_ADDRESS.test(a));
    source = `CONTACTEMAIL in ${WWWACCT}`;
    if (readProblem) problem = readProblem;
    else if (text === null) problem = `${WWWACCT} does not exist; set notify.to in the configuration`;
    else if (listed.length === 0) problem = `${WWWACCT} has no CONTACTEMAIL (WHM » Basic WebHost Manager Setup » Contact Information); or set notify.to`;
    else if (to.length === 0) problem = `CONTACTEMAIL in ${WWWACCT} holds no usable address`;
  }
  const from = n.from ?? (hostname.includes('.') ? `relaywatch@${hostname}` : 'relaywatch@localhost.localdomain');
  const pageUrl = n.pageUrl ?? `https://${hostname}:2087/cgi/relaywatch/index.cgi`;
  return { to, from, source, hostname, pageUrl, problem };
}

/** The address of a page of the plugin, for a message. */
export function pageLink(contact: Contact, route: string): string {
  return `${contact.pageUrl}${contact.pageUrl.includes('?') ? '&' : '?'}route=${encodeURIComponent(route).replace(/%2F/g, '/')}`;
}
