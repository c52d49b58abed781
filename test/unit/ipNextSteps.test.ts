import { ipNextSteps, NextStepFacts } from '../../src/domain/ipNextSteps';

const accounts: Record<string, string> = { 'info@shop.example': 'shop', 'bob@bob.example': 'bob' };
const facts = (o: Partial<NextStepFacts> = {}): NextStepFacts => ({
  ip: '192.0.2.7',
  isRoot: true,
  status: 'unexplained',
  inRelayList: true,
  failedLogins: { count: 11, users: ['info@shop.example', 'admin'] },
  users: [],
  mapUsers: ['info@shop.example'],
  accountOf: (u) => accounts[u] ?? null,
  relayingAllowed: true,
  ...o,
});

test('an IP guessing passwords: block it, reset the targeted mailbox (not the made-up names), turn POP-before-SMTP off', () => {
  const steps = ipNextSteps(facts());
  expect(steps.map((s) => s.id)).toEqual(['block', 'reset-password', 'pop-before-smtp']);
  expect(steps[0].text).toBe('Block 192.0.2.7: 11 failed password attempts came from it.');
  expect(steps[0].command).toBe('whmapi1 create_cphulk_record list_name=black ip=192.0.2.7 comment=relaywatch');
  expect(steps[1].text).toBe('Reset the password of info@shop.example (account shop): passwords were tried for it from this IP.');
  expect(steps[1].links[0]).toEqual({ kind: 'route', label: 'Account shop', route: '/account/shop' });
  expect(steps[2].links[0]).toMatchObject({ route: '/status/confirm', query: { action: 'disable' } });
});

test('a quiet explained IP with relaying off needs nothing; a reseller is never told to block or switch', () => {
  expect(ipNextSteps(facts({ status: 'explained', failedLogins: { count: 0, users: [] }, users: ['bob@bob.example'], mapUsers: [], relayingAllowed: false }))).toEqual([]);
  const reseller = ipNextSteps(facts({ isRoot: false, relayingAllowed: null }));
  expect(reseller.map((s) => s.id)).toEqual(['reset-password']);
  // a login after failed attempts: ask whether its owner knows the IP
  const after = ipNextSteps(facts({ status: 'explained', users: ['bob@bob.example'], mapUsers: [], failedLogins: { count: 3, users: ['bob@bob.example'] }, relayingAllowed: false }));
  expect(after.map((s) => s.text)).toEqual(['Block 192.0.2.7: 3 failed password attempts came from it.', 'If the owner of bob@bob.example does not know this IP, reset its password: it logged in from here after failed attempts.']);
});
