import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { DATASTAR_REQUEST_HEADER, DATASTAR_SCRIPT_PATH } from '../datastar/datastar-wire';
import { errorJson } from '../http-errors';
import type { SessionCookie } from './session-cookie';
import { isAdmin, LOCAL_USER, type User } from './user';
import { sessionUser, tokenUser, type UsersState, type UserView } from './users-read-model';

/** Who a request without credentials is, on the routes that need none. */
export const ANONYMOUS: User = { id: 'anonymous', name: 'Anonymous', roles: [] };

/** Routes anyone may reach: probes, sign-in, the Datastar script; /metrics checks its own. */
export const isPublicPath = (path: string) =>
  path === '/healthz' ||
  path === '/readyz' ||
  path === '/metrics' ||
  path === DATASTAR_SCRIPT_PATH ||
  path.startsWith('/auth/');

/** API tokens: a prefix (so a leaked one is recognisable) and 256 random bits. */
export const API_TOKEN = /^ist_[\w-]{43}$/;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The bearer credential of a request, if it sends one. */
export const bearerOf = (c: Context) => {
  const header = c.req.header('authorization');
  const match = header === undefined ? null : /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  return match?.[1];
};

/** Compares two secrets in constant time (their lengths are not secret). */
export const sameSecret = (given: string, expected: string) => {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
};

const userOf = (view: UserView, sessionId?: string): User => ({
  id: view.id,
  name: view.name,
  roles: view.roles,
  ...(sessionId ? { sessionId } : {}),
});

/** Local mode: every request is the local admin. */
export const localIdentity: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('user', LOCAL_USER);
  await next();
};

/**
 * Signed-in mode: the user of a live API token (`Authorization: Bearer`), else of the signed
 * session cookie's open session. Without either, public routes go on as ANONYMOUS; `/api/*`
 * (and any non-page request) gets 401 JSON, never a redirect; a page redirects to sign-in.
 */
export const sessionIdentity = (deps: {
  readonly cookie: SessionCookie;
  readonly users: () => UsersState;
  readonly clock: () => string;
}): MiddlewareHandler<AppEnv> => {
  return async (c, next) => {
    const path = c.req.path;
    const bearer = bearerOf(c);
    let user: User | undefined;
    if (bearer !== undefined) {
      const view = API_TOKEN.test(bearer) ? tokenUser(deps.users(), hashToken(bearer)) : undefined;
      if (view) user = userOf(view);
      // Another bearer (METRICS_TOKEN) is for /metrics to judge.
      else if (!isPublicPath(path))
        return errorJson(c, 'unauthorized', 'that API token is not valid');
    } else {
      // Events and read model know a session by its id's hash: the log never holds the id.
      const cookie = await deps.cookie.read(c);
      const sessionId = cookie === undefined ? undefined : hashToken(cookie);
      const view = sessionId ? sessionUser(deps.users(), sessionId, deps.clock()) : undefined;
      if (view && sessionId) user = userOf(view, sessionId);
      // A cookie of an ended session is dropped, so the browser stops sending it.
      else if (deps.cookie.present(c)) deps.cookie.clear(c);
    }
    if (user) {
      c.set('user', user);
      return next();
    }
    c.set('user', ANONYMOUS);
    if (isPublicPath(path)) return next();
    const isPage =
      (c.req.method === 'GET' || c.req.method === 'HEAD') &&
      !path.startsWith('/api/') &&
      c.req.header(DATASTAR_REQUEST_HEADER) === undefined;
    if (isPage) return c.redirect('/auth/login', 302);
    return errorJson(c, 'unauthorized', 'sign in first (GET /auth/login), or send an API token');
  };
};

/** Admin only: 403 JSON for everyone else (framework dashboards, analytics, event APIs). */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = c.get('user') as User | undefined;
  if (!user || !isAdmin(user)) {
    return errorJson(c, 'forbidden', 'this needs the admin role');
  }
  await next();
};
