import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import type { User } from '../auth/user';

/** A plain signed-in user (no roles) of this id, for tests. */
export const testUser = (id: string): User => ({ id, name: id, roles: [] });

/**
 * The app as one user sees it, in process: every request acts for `user`, as if the identity
 * middleware had found that user's session. For tests of per-user data with `app.request`.
 */
export const asUser = (app: Hono<AppEnv>, user: User) => {
  const wrapper = new Hono<AppEnv>();
  wrapper.use(async (c, next) => {
    c.set('user', user);
    await next();
  });
  wrapper.route('/', app);
  return {
    user,
    request: (path: string, init?: RequestInit) => wrapper.request(path, init),
    /** POSTs a JSON command to `/api/commands/<to>`. */
    command: (to: string, body: unknown, headers: Record<string, string> = {}) =>
      wrapper.request(`/api/commands/${to}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
  };
};
