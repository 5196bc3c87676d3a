import { afterEach, describe, expect, it, vi } from 'vitest';
import { STUB_AUTH, signInAs } from '../testing/auth-stub';
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
const codeOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string } }).error.code;
const idOf = async (t: TestApp, cookie: string) =>
  (
    (await (await t.app.request('/api/me', { headers: { cookie } })).json()) as {
      user: { id: string };
    }
  ).user.id;

describe('admin-only routes', () => {
  it('answer 403 to a signed-in user who is not an admin, and hide their links', async () => {
    const t = await start();
    const alice = await signInAs(t, 'alice');
    for (const path of ['/events', '/system', '/time-travel', '/state-machines', '/api/events']) {
      const res = await t.app.request(path, { headers: { cookie: alice } });
      expect(res.status, path).toBe(403);
      expect(await codeOf(res)).toBe('forbidden');
    }
    const stream = await t.app.request('/api/events/stream', { headers: { cookie: alice } });
    expect(stream.status).toBe(403);
    const page = await (await t.app.request('/carts', { headers: { cookie: alice } })).text();
    expect(page).not.toContain('href="/events"');
    expect(page).toContain('href="/account"');

    const boss = await signInAs(t, 'boss');
    expect((await t.app.request('/events', { headers: { cookie: boss } })).status).toBe(200);
    expect((await t.app.request('/api/events', { headers: { cookie: boss } })).status).toBe(200);
    const bossPage = await (await t.app.request('/carts', { headers: { cookie: boss } })).text();
    expect(bossPage).toContain('href="/events"');
  });

  it('/metrics: an admin, or METRICS_TOKEN in constant time; nobody else', async () => {
    const token = 'scrape-me-please-0123';
    const t = await start({ metricsToken: token });
    const alice = await signInAs(t, 'alice');
    const boss = await signInAs(t, 'boss');
    expect((await t.app.request('/metrics')).status).toBe(401);
    expect((await t.app.request('/metrics', { headers: { cookie: alice } })).status).toBe(403);
    expect((await t.app.request('/metrics', { headers: { cookie: boss } })).status).toBe(200);
    const scraped = await t.app.request('/metrics', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('# HELP');
    const wrong = await t.app.request('/metrics', {
      headers: { authorization: `Bearer ${token}x` },
    });
    expect(wrong.status).toBe(401);
  });

  it('lets an admin grant and revoke roles, and revoke anyone’s sessions (JSON API)', async () => {
    const t = await start();
    const alice = await signInAs(t, 'alice');
    const boss = await signInAs(t, 'boss');
    const aliceId = await idOf(t, alice);
    const asAlice = await t.app.request('/api/users', { headers: { cookie: alice } });
    expect(asAlice.status).toBe(403);
    const grant = await t.app.request(`/api/users/${aliceId}/roles`, {
      method: 'POST',
      headers: { cookie: boss, ...SAME_ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin' }),
    });
    expect(await grant.json()).toEqual({ user: { id: aliceId, roles: ['admin'] } });
    expect((await t.app.request('/events', { headers: { cookie: alice } })).status).toBe(200);
    const revoke = await t.app.request(`/api/users/${aliceId}/roles/admin`, {
      method: 'DELETE',
      headers: { cookie: boss, ...SAME_ORIGIN },
    });
    expect(revoke.status).toBe(200);
    expect((await t.app.request('/events', { headers: { cookie: alice } })).status).toBe(403);
    const bad = await t.app.request(`/api/users/${aliceId}/roles`, {
      method: 'POST',
      headers: { cookie: boss, ...SAME_ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ role: '<script>' }),
    });
    expect(bad.status).toBe(400);
    const cut = await t.app.request(`/api/users/${aliceId}/sessions/revoke`, {
      method: 'POST',
      headers: { cookie: boss, ...SAME_ORIGIN },
    });
    expect(cut.status).toBe(200);
    expect((await t.app.request('/api/me', { headers: { cookie: alice } })).status).toBe(401);
  });
});

describe('per-user limits', () => {
  it('refuses commands past RATE_LIMIT_PER_MINUTE with 429 and Retry-After, per user', async () => {
    const t = await start({ rateLimitPerMinute: 2 });
    const alice = await signInAs(t, 'alice');
    const bob = await signInAs(t, 'bob');
    const send = (cookie: string) =>
      t.command({ type: 'open', owner: 'x' }, { cookie, ...SAME_ORIGIN });
    expect((await send(alice)).status).toBe(202);
    expect((await send(alice)).status).toBe(202);
    const limited = await send(alice);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await codeOf(limited)).toBe('rate_limited');
    // Counted per user: another user is not held back.
    expect((await send(bob)).status).toBe(202);
  });

  it('applies to the local user in local mode too', async () => {
    const t = await createTestApp({ rateLimitPerMinute: 1 });
    apps.push(t);
    expect((await t.command({ type: 'open', owner: 'x' })).status).toBe(202);
    expect((await t.command({ type: 'open', owner: 'x' })).status).toBe(429);
  });

  it('refuses a feed past FEEDS_PER_USER with 429 and Retry-After; another user may open one', async () => {
    const t = await start({ feedsPerUser: 1 });
    const boss = await signInAs(t, 'boss');
    const first = await t.app.request('/api/events/stream', { headers: { cookie: boss } });
    expect(first.status).toBe(200);
    const second = await t.app.request('/api/events/stream', { headers: { cookie: boss } });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).not.toBeNull();
    await first.body?.cancel();
    await vi.waitFor(() => expect(t.hub.size()).toBe(0));
    const again = await t.app.request('/api/events/stream', { headers: { cookie: boss } });
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});

describe('sessions and keys', () => {
  it('closes the open feeds of a session when it ends, and only those', async () => {
    const t = await start();
    const boss = await signInAs(t, 'boss');
    const other = await signInAs(t, 'boss');
    const feed = await t.app.request('/api/events/stream', { headers: { cookie: boss } });
    const kept = await t.app.request('/api/events/stream', { headers: { cookie: other } });
    const reader = feed.body?.getReader();
    await reader?.read(); // the retry line: the feed is open
    expect(t.hub.size()).toBe(2);
    await t.app.request('/auth/logout', {
      method: 'POST',
      headers: { cookie: boss, ...SAME_ORIGIN },
    });
    await expect(
      (async () => {
        for (;;) if ((await reader?.read())?.done) return 'ended';
      })(),
    ).rejects.toThrow(/session ended/);
    expect(t.hub.size()).toBe(1);
    await kept.body?.cancel();
  });

  it("cuts a user's feeds when a role of theirs is revoked, so each reconnect is judged anew", async () => {
    const t = await start();
    const boss = await signInAs(t, 'boss');
    const bossId = await idOf(t, boss);
    const feed = await t.app.request('/api/events/stream', { headers: { cookie: boss } });
    const reader = feed.body?.getReader();
    await reader?.read();
    const revoked = await t.app.request(`/api/users/${bossId}/roles/admin`, {
      method: 'DELETE',
      headers: { cookie: boss, ...SAME_ORIGIN },
    });
    expect(revoked.status).toBe(200);
    await expect(
      (async () => {
        for (;;) if ((await reader?.read())?.done) return 'ended';
      })(),
    ).rejects.toThrow(/session ended/);
    const again = await t.app.request('/api/events/stream', { headers: { cookie: boss } });
    expect(again.status).toBe(403);
  });

  it('scopes Idempotency-Key per user: one user’s key never answers another’s request', async () => {
    const t = await start();
    const alice = await signInAs(t, 'alice');
    const bob = await signInAs(t, 'bob');
    const key = { 'idempotency-key': 'same-key', ...SAME_ORIGIN };
    const a = await t.command({ type: 'open', owner: 'alice' }, { cookie: alice, ...key });
    const b = await t.command({ type: 'open', owner: 'alice' }, { cookie: bob, ...key });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    const [idA, idB] = [(await a.json()) as { id: string }, (await b.json()) as { id: string }];
    expect(idA.id).not.toBe(idB.id);
    // The same user's retry is answered from the first.
    const retry = await t.command({ type: 'open', owner: 'alice' }, { cookie: alice, ...key });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const actors = t.events.filter((e) => e.aggregateType !== 'User').map((e) => e.metadata?.actor);
    expect(new Set(actors).size).toBe(2);
  });
});
