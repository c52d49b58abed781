/**
 * A complete mail message as sendmail -t reads it. Pure. Every header value is checked or encoded
 * here: subjects and bodies carry text from logs and account files, written by strangers, and a line
 * break in a header would let them add recipients.
 */
import crypto from 'node:crypto';
import { MAIL_ADDRESS } from '../config/config';
import { AppError } from '../http/appError';

export interface MailInput {
  from: string;
  to: string[];
  subject: string;
  body: string;
  date: Date;
  /** an X-Relaywatch-Event header, for the recipient's filters */
  event: string;
}

/** RFC 2047 for a subject that is not plain ASCII; the text is one line already. */
function encodeHeader(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\n ');
}

const oneLine = (t: string): string => t.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 400);

function checkAddress(a: string): string {
  if (a.length > 254 || !MAIL_ADDRESS.test(a)) throw AppError.badRequest(`"${oneLine(a).slice(0, 80)}" is not a mail address relaywatch will write to.`);
  return a;
}

export function composeMail(m: MailInput): string {
  const from = checkAddress(m.from);
  const to = m.to.map(checkAddress);
  if (to.length === 0) throw AppError.badRequest('A message needs a recipient.');
  const domain = from.slice(from.indexOf('@') + 1);
  const body = m.body
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n');
  const headers = [
    `From: relaywatch <${from}>`,
    `To: ${to.join(', ')}`,
    `Subject: ${encodeHeader(oneLine(m.subject))}`,
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${crypto.randomBytes(12).toString('hex')}.relaywatch@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    // RFC 3834: no autoresponder should answer this (relaywatch knows what backscatter does).
    'Auto-Submitted: auto-generated',
    `X-Relaywatch-Event: ${oneLine(m.event).replace(/[^A-Za-z0-9:._@-]/g, '_')}`,
  ];
  return `${headers.join('\n')}\n\n${body.endsWith('\n') ? body : `${body}\n`}`;
}
