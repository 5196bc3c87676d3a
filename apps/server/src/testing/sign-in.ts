import { withSubject } from './oidc-provider';

/** `name=value` of each Set-Cookie of a response. */
const cookiesOf = (res: Response) =>
  res.headers.getSetCookie().map((line) => line.split(';')[0] ?? '');

const follow = async (url: string, cookie = '') => {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  await res.body?.cancel();
  return { res, location: res.headers.get('location') ?? '' };
};

/**
 * Signs `subject` in on the server at `serverUrl` through a provider's real redirects, the way a
 * browser would (fetch with a cookie jar of one): `/auth/login?provider=…` → the provider's
 * authorize endpoint (told the subject by `login_hint`, which the OIDC mock and the GitHub
 * stand-in honour) → `/auth/callback/…` on the server. Returns the session cookie
 * (`ironstar_session=…`) to send as `cookie`.
 */
export const signIn = async (
  serverUrl: string,
  subject: string,
  provider: 'oidc' | 'github' = 'oidc',
): Promise<string> => {
  const started = await follow(`${serverUrl}/auth/login?provider=${provider}`);
  if (started.res.status !== 302) throw new Error(`/auth/login answered ${started.res.status}`);
  const flow = cookiesOf(started.res).join('; ');
  const authorized = await follow(withSubject(started.location, subject));
  if (authorized.res.status !== 302) {
    throw new Error(`the provider's authorize answered ${authorized.res.status}`);
  }
  // The provider sends the browser to PUBLIC_URL's callback: the same server here.
  const callback = new URL(authorized.location);
  const back = await follow(`${serverUrl}${callback.pathname}${callback.search}`, flow);
  const session = cookiesOf(back.res).find((cookie) => cookie.startsWith('ironstar_session='));
  if (back.res.status !== 302 || !session) {
    throw new Error(`the callback answered ${back.res.status} without a session`);
  }
  return session;
};

/** Environment for a server signing in through `issuer` (PUBLIC_URL on its own port). */
export const oidcEnv = (issuer: string, port: number, adminUsers = '') => ({
  OIDC_ISSUER: issuer,
  OIDC_CLIENT_ID: 'ironstar',
  OIDC_CLIENT_SECRET: 'ironstar-secret',
  SESSION_SECRET: 'an-integration-test-secret-of-32+chars',
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  PORT: String(port),
  ADMIN_USERS: adminUsers,
});
