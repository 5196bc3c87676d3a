/** Variables every request carries through the Hono context. */
export type AppEnv = {
  Variables: {
    requestId: string;
    correlationId: string;
  };
};
