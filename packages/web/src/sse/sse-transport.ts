import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { User } from '../auth/user';
import { negotiateEncoding } from './sse-compression';
import type { FeedOwner, SseResponseOptions } from './sse-hub';

/** How to answer this request's SSE stream: Node's response if there is one, and the encoding. */
export const sseTransport = (c: Context<AppEnv>, compression = false): SseResponseOptions => ({
  encoding: compression ? negotiateEncoding(c.req.header('accept-encoding')) : undefined,
  outgoing: c.env?.outgoing,
  owner: ownerOf(c),
});

/** The request's user as a feed's owner (absent where no identity ran, as in some tests). */
const ownerOf = (c: Context<AppEnv>): FeedOwner | undefined => {
  const user = c.get('user') as User | undefined;
  return user ? { userId: user.id, sessionId: user.sessionId } : undefined;
};
