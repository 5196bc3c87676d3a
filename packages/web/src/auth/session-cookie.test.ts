import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createSessionCookie } from './session-cookie';

const SECRET = 'a-test-secret-of-at-least-32-chars!';
const ID = 'abcdefghijklmnopqrstuvwxyz0123456789_-ABCDE';

/** A tiny app that writes the cookie on /write and reads it back on /read. */
const appWith = (cookie: ReturnType<typeof createSessionCookie>) =>
  new Hono()
    .get('/write', async (c) => {
      await cookie.write(c, ID);
      return c.text('ok');
    })
    .get('/read', async (c) => c.json({ id: (await cookie.read(c)) ?? null }));

const read = async (app: ReturnType<typeof appWith>, header: string) =>
  (
    (await (await app.request('/read', { headers: { cookie: header } })).json()) as {
      id: string | null;
    }
  ).id;

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/, signed, and read back only when the signature holds', async () => {
    const cookie = createSessionCookie({ secret: SECRET, secure: false });
    const app = appWith(cookie);
    const set = (await app.request('/write')).headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^ironstar_session=/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    expect(set).toContain('Path=/');
    expect(set).not.toContain('Secure');
    const pair = set.split(';')[0] ?? '';
    expect(await read(app, pair)).toBe(ID);
    // Another secret, a changed value, or an unsigned one: nobody.
    const other = appWith(createSessionCookie({ secret: `${SECRET}x`, secure: false }));
    expect(await read(other, pair)).toBeNull();
    expect(await read(app, pair.replace('abc', 'abd'))).toBeNull();
    expect(await read(app, `ironstar_session=${ID}`)).toBeNull();
  });

  it('is Secure and __Host- prefixed when PUBLIC_URL is https', async () => {
    const app = appWith(createSessionCookie({ secret: SECRET, secure: true }));
    const set = (await app.request('/write')).headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^__Host-ironstar_session=/);
    expect(set).toContain('Secure');
    expect(await read(app, set.split(';')[0] ?? '')).toBe(ID);
  });
});
