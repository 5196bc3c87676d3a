import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { negotiateEncoding } from './sse-compression';
import type { SseResponseOptions } from './sse-hub';

/** How to answer this request's SSE stream: Node's response if there is one, and the encoding. */
export const sseTransport = (c: Context<AppEnv>, compression = false): SseResponseOptions => ({
  encoding: compression ? negotiateEncoding(c.req.header('accept-encoding')) : undefined,
  outgoing: c.env?.outgoing,
});
