import type { Context } from 'hono';
import { bearerOf } from './identity';

/** What the CSRF check needs: whether a request carries the session cookie, and the origin. */
export type CsrfPolicy = {
  readonly hasSessionCookie: (c: Context) => boolean;
  /** PUBLIC_URL's origin; undefined: the request's own origin (local mode). */
  readonly origin: string | undefined;
};

/**
 * A state-changing request riding on the session cookie must say where it comes from: its
 * Origin must be ours, else it may be another site's form or fetch. A bearer request (an API
 * token, never sent by a browser on its own) and a request without the cookie need no check.
 * Returns why it is refused, or undefined.
 */
export const csrfRefusal = (c: Context, policy: CsrfPolicy): string | undefined => {
  if (!policy.hasSessionCookie(c) || bearerOf(c) !== undefined) return undefined;
  const origin = c.req.header('origin');
  const expected = policy.origin ?? new URL(c.req.url).origin;
  if (origin === undefined) return 'a signed-in request that changes something must send Origin';
  return origin === expected ? undefined : 'cross-site requests are not accepted';
};
