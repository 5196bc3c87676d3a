import type { User } from '../auth/user';
import { STUB_AUTH, signInAs } from './auth-stub';
import type { TestApp } from './test-app';

// What a browser's same-origin request sends: the CSRF check wants it on state changes.
const ORIGIN = new URL(STUB_AUTH.publicUrl).origin;

/**
 * The app as one signed-in user sees it, in process: `subject` signs in through the stub
 * provider (a test app made with `auth: STUB_AUTH`), and every request then carries that
 * session's cookie and our Origin, like the user's browser. For tests of per-user data.
 */
export const asUser = async (t: Pick<TestApp, 'app'>, subject: string) => {
  const cookie = await signInAs(t, subject);
  const request = (path: string, init: RequestInit = {}) =>
    t.app.request(path, {
      ...init,
      headers: { ...Object.fromEntries(new Headers(init.headers)), cookie, origin: ORIGIN },
    });
  const me = await request('/api/me');
  if (me.status !== 200) throw new Error(`/api/me answered ${me.status} after signing in`);
  const { user } = (await me.json()) as { user: User };
  return {
    user,
    request,
    /** POSTs a JSON command to `/api/commands/<to>`. */
    command: (to: string, body: unknown, headers: Record<string, string> = {}) =>
      request(`/api/commands/${to}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
  };
};

export type SignedInUser = Awaited<ReturnType<typeof asUser>>;
