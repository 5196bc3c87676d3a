import { afterEach, describe, expect, it } from 'vitest';
import { cookiesOf, STUB_AUTH, signInAs } from '../testing/auth-stub';
import { createTestApp, type TestApp, type TestAppOptions } from '../testing/test-app';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const t of apps.splice(0)) await t.close();
});
const start = async (options: TestAppOptions = {}) => {
  const t = await createTestApp({ auth: STUB_AUTH, ...options });
  apps.push(t);
  return t;
};
const SAME_ORIGIN = { origin: 'http://localhost' };
const openCart = (owner: string) => JSON.stringify({ type: 'open', owner });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error;

describe('identity at the boundary', () => {
  it('without a session: /api/* is 401 JSON, a page redirects to sign-in, probes stay public', async () => {
    const t = await start();
    const api = await t.app.request('/api/me');
    expect(api.status).toBe(401);
    expect(await errorOf(api)).toMatchObject({ code: 'unauthorized' });
    const command = await t.command({ type: 'open', owner: 'x' }, SAME_ORIGIN);
    expect(command.status).toBe(401);
    const page = await t.app.request('/carts');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login');
    expect((await t.app.request('/healthz')).status).toBe(200);
    const login = await t.app.request('/auth/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('/auth/login?provider=stub');
    expect(t.events).toHaveLength(0);
  });

  it('signs in through a provider: /api/me is the user; ADMIN_USERS makes an admin', async () => {
    const t = await start();
    const cookie = await signInAs(t, 'alice');
    const me = (await (await t.app.request('/api/me', { headers: { cookie } })).json()) as {
      user: { id: string; name: string; roles: string[] };
    };
    expect(me.user).toMatchObject({ name: 'User alice', roles: [] });
    expect(me.user.id).toMatch(/^[0-9a-f-]{36}$/);
    // The same subject signs in as the same user.
    const again = await signInAs(t, 'alice');
    const meAgain = await (await t.app.request('/api/me', { headers: { cookie: again } })).json();
    expect(meAgain).toEqual(me);
    const boss = await signInAs(t, 'boss');
    const bossMe = await (await t.app.request('/api/me', { headers: { cookie: boss } })).json();
    expect(bossMe).toMatchObject({ user: { roles: ['admin'] } });
    // The log holds the session's hash, never the id the cookie carries.
    const secret = decodeURIComponent(cookie.split('=')[1] ?? '').split('.')[0] ?? '';
    expect(secret.length).toBeGreaterThan(40);
    expect(JSON.stringify(t.events)).not.toContain(secret);
    // A forged cookie (right shape, wrong signature) is nobody.
    const forged = cookie.replace(/.\.(?=[^.]*$)/, (m) => (m[0] === 'A' ? 'B.' : 'A.'));
    expect((await t.app.request('/api/me', { headers: { cookie: forged } })).status).toBe(401);
  });

  it('refuses a callback whose state does not match the started flow', async () => {
    const t = await start();
    const started = await t.app.request('/auth/login?provider=stub');
    const res = await t.app.request('/auth/callback/stub?state=wrong&as=mallory', {
      headers: { cookie: cookiesOf(started).join('; ') },
    });
    expect(res.status).toBe(401);
    expect(cookiesOf(res).some((c) => c.startsWith('ironstar_session='))).toBe(false);
    // Without the flow's cookie at all: nothing started here.
    const bare = await t.app.request('/auth/callback/stub?state=x&as=mallory');
    expect(bare.status).toBe(400);
    expect(t.events).toHaveLength(0);
  });

  it('signs out: the next request with that cookie is 401', async () => {
    const t = await start();
    const cookie = await signInAs(t, 'alice');
    const out = await t.app.request('/auth/logout', {
      method: 'POST',
      headers: { cookie, ...SAME_ORIGIN },
    });
    expect(out.status).toBe(200);
    expect((await t.app.request('/api/me', { headers: { cookie } })).status).toBe(401);
    expect(t.events.map((e) => e.eventType)).toContain('SessionEnded');
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request with the session cookie from elsewhere, whatever its type', async () => {
    const t = await start();
    const cookie = await signInAs(t, 'alice');
    const before = t.events.length;
    const attempts: Array<Record<string, string>> = [
      // A cross-site form post.
      { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      // A text/plain fetch (no preflight), and a JSON one from another origin.
      { 'content-type': 'text/plain', origin: 'https://evil.example' },
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      // No Origin at all.
      { 'content-type': 'application/json' },
    ];
    for (const headers of attempts) {
      const res = await t.app.request('/api/commands/cart', {
        method: 'POST',
        headers: { cookie, ...headers },
        body: openCart('x'),
      });
      expect(res.status).toBe(403);
      expect(await errorOf(res)).toMatchObject({ code: 'forbidden' });
    }
    expect(t.events.length).toBe(before);
    const same = await t.command({ type: 'open', owner: 'x' }, { cookie, ...SAME_ORIGIN });
    expect(same.status).toBe(202);
  });

  it('needs no Origin for an API token (a bearer request)', async () => {
    const t = await start();
    const cookie = await signInAs(t, 'alice');
    const page = await t.app.request('/account/tokens', {
      method: 'POST',
      headers: { cookie, ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=ci',
    });
    expect(page.status).toBe(200);
    const token = /ist_[\w-]{43}/.exec(await page.text())?.[0];
    expect(token).toBeDefined();
    const res = await t.command({ type: 'open', owner: 'x' }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(202);
    // Only the hash was stored.
    expect(JSON.stringify(t.events)).not.toContain(token);
  });
});
