import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type CsrfPolicy, csrfRefusal } from './csrf';

const policyFor = (origin: string | undefined): CsrfPolicy => ({
  hasSessionCookie: (c) => (c.req.header('cookie') ?? '').includes('ironstar_session='),
  origin,
});
const judge = async (policy: CsrfPolicy, headers: Record<string, string>) => {
  const app = new Hono().post('/x', (c) => c.json({ refused: csrfRefusal(c, policy) ?? null }));
  const res = await app.request('http://app.example/x', { method: 'POST', headers });
  return ((await res.json()) as { refused: string | null }).refused;
};
const COOKIE = { cookie: 'ironstar_session=s.sig' };

describe('CSRF check', () => {
  it('refuses a cookie-carrying request from another origin or without Origin', async () => {
    const policy = policyFor('https://todo.example.com');
    expect(await judge(policy, { ...COOKIE, origin: 'https://evil.example' })).toMatch(
      /cross-site/,
    );
    expect(await judge(policy, { ...COOKIE, origin: 'http://todo.example.com' })).toMatch(
      /cross-site/,
    );
    expect(await judge(policy, COOKIE)).toMatch(/must send Origin/);
    expect(await judge(policy, { ...COOKIE, origin: 'https://todo.example.com' })).toBeNull();
  });

  it('lets bearer requests and requests without the cookie through', async () => {
    const policy = policyFor('https://todo.example.com');
    expect(await judge(policy, { ...COOKIE, authorization: 'Bearer ist_x' })).toBeNull();
    expect(await judge(policy, { origin: 'https://evil.example' })).toBeNull();
  });

  it("takes the request's own origin when no PUBLIC_URL is set (local mode)", async () => {
    const policy = policyFor(undefined);
    expect(await judge(policy, { ...COOKIE, origin: 'http://app.example' })).toBeNull();
    expect(await judge(policy, { ...COOKIE, origin: 'http://other.example' })).toMatch(
      /cross-site/,
    );
  });
});
