import {
  createServer,
  type IncomingMessage,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { type ServerType, serve } from '@hono/node-server';
import { createHostPolicy, refuseMisdirected } from '@ironstar/web';
import type { Config } from './config';

/**
 * Listens with the boundary's Node-level settings: no client holds a connection longer than
 * the headers / request timeouts without completing its request (Node checks every
 * connectionsCheckingInterval; neither applies once a request is complete, so SSE streams stay
 * open), and a foreign or malformed Host is refused before a URL is even built from it.
 */
export const listen = (fetch: Parameters<typeof serve>[0]['fetch'], config: Config) => {
  const hosts = createHostPolicy(config.allowedHosts);
  const guarded = ((
    options: ServerOptions,
    listener: (req: IncomingMessage, res: ServerResponse) => void,
  ) =>
    createServer(options, (req, res) => {
      if (!refuseMisdirected(hosts, req, res)) listener(req, res);
    })) as typeof createServer;
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve(
      {
        fetch,
        hostname: config.host,
        port: config.port,
        serverOptions: {
          headersTimeout: config.httpHeadersTimeoutMs,
          requestTimeout: config.httpRequestTimeoutMs,
          connectionsCheckingInterval: config.httpConnectionsCheckMs,
        },
        createServer: guarded,
      },
      () => resolve(server),
    );
    server.once('error', reject);
  });
};
