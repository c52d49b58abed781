import { traversalProbe } from '../../src/http/pathProbe';

test('names traversal attempts in every encoding the access matrix sends', () => {
  for (const t of ['../../../../etc/shadow', '..%2f..%2f..%2fetc%2fshadow', '%2e%2e%2f%2e%2e%2fetc%2fshadow', '..%252f..%252fetc%252fshadow', '....//....//etc/shadow', '..\\..\\etc\\shadow']) {
    expect(traversalProbe(`/ip/${t}`)).toBe('a ".." path segment');
    expect(traversalProbe(`/api/v1/audit?limit=${t}`)).not.toBeNull();
  }
  expect(traversalProbe('/accounts/a%00b')).toBe('a NUL byte');
  expect(traversalProbe('/api/v1/audit?limit=%2Fetc%2Fshadow')).toBe('a system path');
});

test('ordinary requests are not named', () => {
  for (const url of ['/', '/ip/203.0.113.10', '/ip/2001:db8::1', '/api/v1/relay-hosts', '/search?q=bob%40example.com', '/accounts/bob?days=7', '/assets/relaywatch.js', '/ip/1.2.3.4?from=..x', '/search?q=%E2%9C%93', '/search?q=%']) {
    expect(traversalProbe(url)).toBeNull();
  }
});
