/** @jsxImportSource hono/jsx */
import { randomBytes } from 'node:crypto';
import { deriveId } from '@ironstar/application';
import { Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { AppEnv } from '../app-env';
import { errorJson } from '../http-errors';
import type { PageShell } from '../pages/layout';
import { LoginPage } from './auth-pages';
import { hashToken } from './identity';
import type { PendingLogin, Provider, ProviderIdentity } from './providers';
import type { SessionCookie } from './session-cookie';
import type { UserCommand } from './user-decider';

/** What signing in or out does, beyond HTTP (auth.ts gives it the user aggregate). */
export type SignInPort = {
  /** Records the sign-in (registering the user if new); resolves once this process sees it. */
  signIn(command: UserCommand & { type: 'SignIn' }): Promise<boolean>;
  /** Ends a session; resolves once this process sees it. */
  signOut(userId: string, sessionId: string): Promise<void>;
};

/** A flow must come back within this long. */
const LOGIN_TTL_S = 600;
const LOGIN_COOKIE = 'ironstar_login';

/** The user id: stable per provider, issuer and subject (a v5 UUID). */
export const userIdOf = (identity: ProviderIdentity) =>
  deriveId(`${identity.provider}:${identity.issuer}`, identity.subject);

/** ADMIN_USERS names the user by subject id or by a verified email (case-insensitive). */
export const isListedAdmin = (adminUsers: readonly string[], identity: ProviderIdentity) =>
  adminUsers.some(
    (entry) =>
      entry === identity.subject ||
      identity.emails.some((email) => email.toLowerCase() === entry.toLowerCase()),
  );

const isPending = (value: unknown): value is PendingLogin & { provider: string } => {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.provider === 'string' &&
    typeof v.state === 'string' &&
    typeof v.verifier === 'string' &&
    (v.nonce === undefined || typeof v.nonce === 'string')
  );
};

/**
 * `GET /auth/login` (the providers; `?provider=` starts one), `GET /auth/callback/:provider`
 * and `POST /auth/logout`. A started flow's state, PKCE verifier and nonce wait in a short-lived
 * signed cookie (any process can finish it); a finished one opens a session.
 */
export const authRoutes = (deps: {
  readonly providers: readonly Provider[];
  readonly publicUrl: string;
  readonly secret: string;
  readonly cookie: SessionCookie;
  readonly adminUsers: readonly string[];
  readonly sessionTtlMs: number;
  readonly clock: () => string;
  readonly port: SignInPort;
  readonly shell: PageShell;
  readonly log: (fields: object, message: string) => void;
}) => {
  const byName = new Map(deps.providers.map((provider) => [provider.name, provider]));
  const secure = deps.cookie.secure;
  const loginCookie = {
    httpOnly: true,
    // Lax: sent on the provider's top-level redirect back to us.
    sameSite: 'Lax' as const,
    path: '/auth/callback',
    secure,
    maxAge: LOGIN_TTL_S,
  };
  const loginPage = (error?: string) =>
    html`<!DOCTYPE html>${(
      <LoginPage
        shell={deps.shell}
        providers={deps.providers}
        {...(error === undefined ? {} : { error })}
      />
    )}`;

  return new Hono<AppEnv>()
    .get('/auth/login', async (c) => {
      const name = c.req.query('provider');
      if (name === undefined) return c.html(loginPage());
      const provider = byName.get(name as Provider['name']);
      if (!provider) {
        return errorJson(
          c,
          'validation',
          `provider must be one of: ${[...byName.keys()].join(', ')}`,
        );
      }
      let started: Awaited<ReturnType<Provider['start']>>;
      try {
        started = await provider.start();
      } catch (error) {
        deps.log({ err: error, provider: name }, 'sign-in provider unreachable');
        return errorJson(c, 'unavailable', 'the sign-in provider cannot be reached; retry later');
      }
      const pending = JSON.stringify({ provider: provider.name, ...started.pending });
      await setSignedCookie(c, LOGIN_COOKIE, pending, deps.secret, loginCookie);
      c.header('Cache-Control', 'no-store');
      return c.redirect(started.url.href, 302);
    })
    .get('/auth/callback/:provider', async (c) => {
      const provider = byName.get(c.req.param('provider') as Provider['name']);
      if (!provider) return errorJson(c, 'not_found', 'no such sign-in provider');
      const raw = await getSignedCookie(c, deps.secret, LOGIN_COOKIE);
      deleteCookie(c, LOGIN_COOKIE, { path: loginCookie.path, secure });
      let pending: unknown;
      try {
        pending = typeof raw === 'string' ? JSON.parse(raw) : undefined;
      } catch {
        pending = undefined;
      }
      if (!isPending(pending) || pending.provider !== provider.name) {
        c.status(400);
        return c.html(loginPage('That sign-in expired or was not started here. Try again.'));
      }
      // The URL the provider sent the browser to, as the browser saw it (behind a proxy too).
      const callback = new URL(`${c.req.path}${new URL(c.req.url).search}`, deps.publicUrl);
      const finished = await provider.finish(callback, pending);
      if (finished.isErr()) {
        deps.log({ provider: provider.name, reason: finished.error }, 'sign-in refused');
        c.status(401);
        return c.html(loginPage('Sign-in failed. Try again.'));
      }
      const identity = finished.value;
      const id = userIdOf(identity);
      // The cookie carries the session id; events and read model only its hash.
      const secret = randomBytes(32).toString('base64url');
      const sessionId = hashToken(secret);
      const now = deps.clock();
      const seen = await deps.port.signIn({
        type: 'SignIn',
        data: {
          id,
          provider: identity.provider,
          subject: identity.subject,
          name: identity.name.slice(0, 200),
          email: identity.emails[0] ?? null,
          sessionId,
          expiresAt: new Date(Date.parse(now) + deps.sessionTtlMs).toISOString(),
          admin: isListedAdmin(deps.adminUsers, identity),
          now,
        },
      });
      if (!seen) return errorJson(c, 'unavailable', 'the sign-in could not be stored; retry');
      await deps.cookie.write(c, secret);
      c.header('Cache-Control', 'no-store');
      return c.redirect('/', 302);
    })
    .post('/auth/logout', async (c) => {
      const cookie = await deps.cookie.read(c);
      const user = c.get('user');
      if (cookie && user.sessionId === hashToken(cookie)) {
        await deps.port.signOut(user.id, user.sessionId);
      }
      deps.cookie.clear(c);
      // A form (the account page) goes back to sign-in; a script gets JSON.
      if (c.req.header('accept')?.includes('text/html')) return c.redirect('/auth/login', 303);
      return c.json({ status: 'signed-out' });
    });
};
