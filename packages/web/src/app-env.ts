import type { IncomingMessage, ServerResponse } from 'node:http';
import type { User } from './auth/user';

/** Variables every request carries through the Hono context. */
export type AppEnv = {
  /** Present when running on @hono/node-server; absent under `app.request()` in tests. */
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  Variables: {
    requestId: string;
    correlationId: string;
    /** Who the request acts for (set before any route; local mode: the local admin). */
    user: User;
  };
};
