import type { IncomingMessage, ServerResponse } from 'node:http';

/** Variables every request carries through the Hono context. */
export type AppEnv = {
  /** Present when running on @hono/node-server; absent under `app.request()` in tests. */
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  Variables: {
    requestId: string;
    correlationId: string;
  };
};
