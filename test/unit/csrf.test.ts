import { csrfToken, csrfTokens } from '../../src/http/csrf';

const secret = Buffer.alloc(32, 3);

test('csrfTokens gives the token csrfToken computes, per user and session', () => {
  const tokenFor = csrfTokens(secret);
  expect(tokenFor('root', '/cpsess1111111111')).toBe(csrfToken(secret, 'root', '/cpsess1111111111'));
  expect(tokenFor('root', '/cpsess1111111111')).toBe(csrfToken(secret, 'root', '/cpsess1111111111'));
  expect(tokenFor('resellera', '/cpsess1111111111')).toBe(csrfToken(secret, 'resellera', '/cpsess1111111111'));
  expect(tokenFor('resellera', '/cpsess1111111111')).not.toBe(tokenFor('root', '/cpsess1111111111'));
  expect(tokenFor('root', '/cpsess2222222222')).not.toBe(tokenFor('root', '/cpsess1111111111'));
});

test('stays right past its bound', () => {
  const tokenFor = csrfTokens(secret, 3);
  for (let i = 0; i < 10; i++) expect(tokenFor(`u${i}`, 's')).toBe(csrfToken(secret, `u${i}`, 's'));
  expect(tokenFor('u0', 's')).toBe(csrfToken(secret, 'u0', 's'));
});
