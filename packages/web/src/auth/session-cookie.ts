import type { Context } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';

/** Sessions last this long at most (the read model refuses them after). */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export type SessionCookie = {
  /** `__Host-` prefixed when Secure: no subdomain can set or shadow it. */
  readonly name: string;
  readonly secure: boolean;
  /** The session id the signed cookie carries, or undefined (absent, forged, malformed). */
  read(c: Context): Promise<string | undefined>;
  /** True when the request carries the cookie at all, signed or not (the CSRF check). */
  present(c: Context): boolean;
  write(c: Context, sessionId: string): Promise<void>;
  clear(c: Context): void;
};

const SESSION_ID = /^[\w-]{16,128}$/;

/**
 * The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when PUBLIC_URL is https,
 * HMAC-signed with SESSION_SECRET (hono/cookie), carrying the session id only.
 */
export const createSessionCookie = (options: {
  readonly secret: string;
  readonly secure: boolean;
  readonly maxAgeMs?: number;
}): SessionCookie => {
  const name = options.secure ? '__Host-ironstar_session' : 'ironstar_session';
  const attributes = {
    httpOnly: true,
    sameSite: 'Lax' as const,
    path: '/',
    secure: options.secure,
    ...(options.secure ? { prefix: 'host' as const } : {}),
  };
  // hono adds the prefix itself when told to: name it without.
  const bare = options.secure ? 'ironstar_session' : name;
  return {
    name,
    secure: options.secure,
    async read(c) {
      const value = await getSignedCookie(
        c,
        options.secret,
        bare,
        options.secure ? 'host' : undefined,
      );
      return typeof value === 'string' && SESSION_ID.test(value) ? value : undefined;
    },
    present: (c) => getCookie(c, name) !== undefined,
    write: (c, sessionId) =>
      setSignedCookie(c, bare, sessionId, options.secret, {
        ...attributes,
        maxAge: Math.floor((options.maxAgeMs ?? SESSION_TTL_MS) / 1000),
      }),
    clear: (c) => void deleteCookie(c, bare, attributes),
  };
};
