import { listingsSeverity, overallVerdict, VerdictHost, VerdictInput, VerdictListing } from '../../src/domain/verdict';

const explained = (ip: string, users = ['bob@example.com']): VerdictHost => ({ ip, status: 'explained', users });
const unexplained = (ip: string, failed = 0): VerdictHost => ({
  ip,
  status: 'unexplained',
  users: [],
  failedLogins: failed ? { count: failed, users: ['admin'], targetsMailboxes: true } : undefined,
});
const backscatterer: VerdictListing = { ip: '203.0.113.10', list: 'Backscatterer', impact: 'medium', providerNetwork: false, cause: 'backscatter' };
const uce3 = (ip = '203.0.113.10'): VerdictListing => ({ ip, list: 'UCEPROTECT Level 3', impact: 'low', providerNetwork: true, cause: 'provider' });

function input(o: Partial<VerdictInput> = {}): VerdictInput {
  return {
    isRoot: true,
    relay: { decided: true, hosts: [explained('198.51.100.1'), explained('198.51.100.2')] },
    blacklist: { checked: true, complete: true, listings: [] },
    autoresponders: [],
    ...o,
  };
}

test('the seed story: the listing and its cause first, the provider note beside it, then the relay IPs with no login', () => {
  const v = overallVerdict(input({
    relay: { decided: true, hosts: [unexplained('192.0.2.1', 8), unexplained('192.0.2.2', 5), unexplained('192.0.2.3'), unexplained('2001:db8::3'), explained('198.51.100.1')] },
    blacklist: { checked: true, complete: true, listings: [backscatterer, uce3(), uce3('203.0.113.11')] },
    autoresponders: [
      { address: 'info@shop.example', active: true, answersSpam: true, risky: true },
      { address: 'old@shop.example', active: false, answersSpam: true, risky: true },
    ],
  }));
  expect(v.sentence).toBe(
    'No sign of a break-in. 203.0.113.10 is on Backscatterer because the autoresponder of info@shop.example answers spam; '
      + "UCEPROTECT Level 3 lists your provider's network, not this server. 4 relay IPs have no login behind them: 2 of them show password guessing.",
  );
  expect(v).toMatchObject({ severity: 'critical', tone: 'red', word: 'Needs attention' });
  // the autoresponder named as the cause is not said twice
  expect(v.parts.map((p) => p.topic)).toEqual(['blacklist', 'relay']);
});

test('provider-level listings alone never make the verdict or the blacklist red', () => {
  const v = overallVerdict(input({ blacklist: { checked: true, complete: true, listings: [uce3(), { ...uce3(), list: 'UCEPROTECT Level 2' }] } }));
  expect(v.severity).toBe('ok');
  expect(v.sentence).toBe("No sign of a break-in. All 2 relay IPs are explained by POP3/IMAP logins. Not listed on its own: UCEPROTECT Level 3 and UCEPROTECT Level 2 list your provider's network, not this server.");
  expect(listingsSeverity([uce3()])).toBe('ok');
  expect(listingsSeverity([uce3(), backscatterer])).toBe('critical');
  expect(listingsSeverity([{ ...backscatterer, impact: 'low' }])).toBe('warning');
});

test('weighted by impact: a high-impact spam listing outranks a risky autoresponder, and the lead says only the logins are clean', () => {
  const v = overallVerdict(input({
    blacklist: { checked: true, complete: true, listings: [{ ip: '203.0.113.10', list: 'Spamhaus ZEN', impact: 'high', providerNetwork: false, cause: 'none' }] },
    autoresponders: [{ address: 'a@x.example', active: true, answersSpam: false, risky: true }],
  }));
  expect(v.sentence).toBe('No sign of a break-in in the mail logins. 203.0.113.10 is on Spamhaus ZEN: mail from it was reported as spam, so find what sent it. 1 active autoresponder may answer spam (a@x.example).');
  expect(v.parts.map((p) => p.severity)).toEqual(['critical', 'warning', 'ok']);
});

test('a login after repeated failed passwords for that mailbox leads as a possible break-in; a single typo does not', () => {
  const guessed: VerdictHost = { ...explained('198.51.100.9', ['sales@x.example']), failedLogins: { count: 12, users: ['sales@x.example', 'admin'], targetsMailboxes: true } };
  const v = overallVerdict(input({ relay: { decided: true, hosts: [guessed, explained('198.51.100.1')] } }));
  expect(v.lead).toBe('Possible break-in.');
  expect(v.sentence).toBe('Possible break-in. The password of sales@x.example may have been guessed: 198.51.100.9 logged in after 12 failed attempts; change it.');
  expect(v.severity).toBe('critical');
  const typo: VerdictHost = { ...explained('198.51.100.9', ['sales@x.example']), failedLogins: { count: 1, users: ['sales@x.example'], targetsMailboxes: true } };
  expect(overallVerdict(input({ relay: { decided: true, hosts: [typo] } })).lead).toBe('No sign of a break-in.');
});

test('backscatter without a guilty autoresponder names the likely or general cause; unchecked blacklists are said, not hidden', () => {
  const risky = overallVerdict(input({ blacklist: { checked: true, complete: true, listings: [backscatterer] }, autoresponders: [{ address: 'a@x.example', active: true, answersSpam: false, risky: true }] }));
  expect(risky.sentence).toContain('203.0.113.10 is on Backscatterer, likely backscatter: the autoresponder of a@x.example may answer spam.');
  const none = overallVerdict(input({ blacklist: { checked: true, complete: true, listings: [backscatterer] } }));
  expect(none.sentence).toContain('is on Backscatterer for backscatter (bounces or auto-replies to forged senders).');
  const unchecked = overallVerdict(input({ blacklist: { checked: false, complete: false, listings: [] } }));
  expect(unchecked.severity).toBe('ok');
  expect(unchecked.sentence).toBe('No sign of a break-in. All 2 relay IPs are explained by POP3/IMAP logins. The blacklists have not been checked yet.');
});

test('undecided relay list: grey, and said first; a reseller hears about their own accounts only', () => {
  const v = overallVerdict(input({ relay: { decided: false, hosts: [] } }));
  expect(v).toMatchObject({ severity: 'unknown', word: 'Not known', lead: 'relaywatch could not decide: some files could not be read.' });
  const r = overallVerdict({ isRoot: false, relay: { decided: true, hosts: [explained('198.51.100.1')] }, blacklist: null, autoresponders: [] });
  expect(r.sentence).toBe('No sign of a break-in among your accounts. The one relay IP is explained by a POP3/IMAP login.');
  const empty = overallVerdict({ isRoot: false, relay: { decided: true, hosts: [] }, blacklist: null, autoresponders: [] });
  expect(empty.sentence).toBe('No sign of a break-in among your accounts. No relay IP is tied to your accounts.');
});

test('one of several unexplained IPs guessing; failed logins against names that are no mailbox here are not counted as guessing', () => {
  const v = overallVerdict(input({ relay: { decided: true, hosts: [unexplained('192.0.2.1', 4), unexplained('192.0.2.2'), { ...unexplained('192.0.2.3', 9), failedLogins: { count: 9, users: ['<script>'], targetsMailboxes: false } }] } }));
  expect(v.sentence).toBe('No sign of a break-in. 3 relay IPs have no login behind them: 1 of them shows password guessing.');
});

test('one unexplained IP, with and without failed logins', () => {
  expect(overallVerdict(input({ relay: { decided: true, hosts: [unexplained('192.0.2.1', 3)] } })).sentence).toBe('No sign of a break-in. 1 relay IP has no login behind it: it shows password guessing.');
  expect(overallVerdict(input({ relay: { decided: true, hosts: [unexplained('192.0.2.1'), unexplained('192.0.2.2')] } })).sentence).toBe('No sign of a break-in. 2 relay IPs have no login behind them.');
});
