import { describe, expect, it } from 'vitest';
import { isListedAdmin, userIdOf } from './auth-routes';
import { githubApiBase, isLoopbackUrl, type ProviderIdentity } from './providers';

const alice: ProviderIdentity = {
  provider: 'oidc',
  issuer: 'https://id.example.com',
  subject: '42',
  name: 'Alice',
  emails: ['Alice@Example.com'],
};

describe('provider identities', () => {
  it('derive a stable user id per provider, issuer and subject', () => {
    expect(userIdOf(alice)).toBe(userIdOf({ ...alice, name: 'Renamed' }));
    expect(userIdOf(alice)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(userIdOf({ ...alice, provider: 'github' })).not.toBe(userIdOf(alice));
    expect(userIdOf({ ...alice, issuer: 'https://other.example.com' })).not.toBe(userIdOf(alice));
    expect(userIdOf({ ...alice, subject: '43' })).not.toBe(userIdOf(alice));
  });

  it('are admins when ADMIN_USERS names their subject or a verified email (any case)', () => {
    expect(isListedAdmin(['42'], alice)).toBe(true);
    expect(isListedAdmin(['alice@example.com'], alice)).toBe(true);
    expect(isListedAdmin(['4', 'bob@example.com'], alice)).toBe(false);
    expect(isListedAdmin(['alice@example.com'], { ...alice, emails: [] })).toBe(false);
  });
});

describe('provider URLs', () => {
  it('allow plain http on loopback only', () => {
    for (const ok of ['http://127.0.0.1:9000', 'http://localhost:1', 'http://[::1]:8080']) {
      expect(isLoopbackUrl(new URL(ok)), ok).toBe(true);
    }
    for (const no of [
      'http://10.0.0.1',
      'http://localhost.evil.example',
      'http://127.0.0.1.evil.example',
    ]) {
      expect(isLoopbackUrl(new URL(no)), no).toBe(false);
    }
  });

  it("find GitHub's user API on api.github.com, an Enterprise server's under /api/v3", () => {
    expect(githubApiBase('https://github.com')).toBe('https://api.github.com');
    expect(githubApiBase('https://ghe.example.com')).toBe('https://ghe.example.com/api/v3');
  });
});
