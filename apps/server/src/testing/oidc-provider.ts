import { OAuth2Server } from 'oauth2-mock-server';
import { freePort } from './spawn-server';

/**
 * A real OpenID Connect provider on 127.0.0.1 (oauth2-mock-server: discovery, JWKS, PKCE,
 * nonce, signed ID tokens). Its authorize endpoint signs in at once, no page: the subject is
 * the request's `login_hint` (see `withSubject`), else the next one queued by `signInNext`,
 * else 'johndoe'; name `User <subject>`, email
 * `<subject>@example.com` (verified).
 */
export const startOidcProvider = async () => {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(await freePort(), '127.0.0.1');
  // Codes handed out in this test, to the subject each was for.
  const subjects = new Map<string, string>();
  // Subjects for flows that cannot say login_hint (a browser following redirects), in order.
  const queued: string[] = [];
  server.service.on('beforeAuthorizeRedirect', (redirect, req) => {
    const hint = new URL(req.url ?? '/', 'http://x').searchParams.get('login_hint');
    const code = redirect.url.searchParams.get('code');
    const subject = hint ?? queued.shift();
    if (subject && code) subjects.set(code, subject);
  });
  server.service.on('beforeTokenSigning', (token, req) => {
    const code = (req.body as { code?: unknown } | undefined)?.code;
    const subject = (typeof code === 'string' && subjects.get(code)) || 'johndoe';
    Object.assign(token.payload, {
      sub: subject,
      name: `User ${subject}`,
      email: `${subject}@example.com`,
      email_verified: true,
    });
  });
  const issuer = server.issuer.url;
  if (!issuer) throw new Error('the OIDC provider has no issuer URL');
  return {
    issuer,
    /** The next flow without a login_hint signs in as `subject` (a browser's, say). */
    signInNext: (subject: string) => void queued.push(subject),
    stop: () => server.stop(),
  };
};

/** The provider's authorize URL, asking it to sign in `subject`. */
export const withSubject = (authorizeUrl: string, subject: string) => {
  const url = new URL(authorizeUrl);
  url.searchParams.set('login_hint', subject);
  return url.href;
};
