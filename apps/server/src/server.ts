import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import {
  createProjectionRunner,
  createTodoService,
  todoListProjection,
} from '@ironstar/application';
import { getLibsqlEventStore, getZeroMqEventBus } from '@ironstar/infrastructure';
import { createApp, createMetrics, createSseHub } from '@ironstar/web';
import type { Logger } from 'pino';
import type { Config } from './config';

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  /** Graceful stop: no new connections, in-flight commands finish, feeds told to reconnect. */
  close(): Promise<void>;
};

/** Wires the store, bus, projection and web app together and listens. The composition root. */
export const startServer = async (config: Config, logger: Logger): Promise<RunningServer> => {
  if (config.databaseUrl.startsWith('file:')) {
    const path = config.databaseUrl.slice('file:'.length).split('?')[0] ?? '';
    if (path && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }
  const store = await getLibsqlEventStore({
    url: config.databaseUrl,
    ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}),
    synchronous: config.synchronous,
    busyTimeoutMs: config.busyTimeoutMs,
  });
  const bus = await getZeroMqEventBus({
    endpoint: config.busEndpoint,
    onError: (error) => logger.error({ err: error }, 'event bus error'),
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const metrics = createMetrics();
  const todoList = createProjectionRunner({
    store,
    bus,
    projection: todoListProjection,
    onError: (error) => logger.error({ err: error }, 'todo-list projection error'),
  });
  await todoList.start();
  logger.info({ position: todoList.position() }, 'todo-list projection rebuilt');

  const hub = createSseHub({
    keepAliveMs: config.keepAliveMs,
    onCountChange: (feed, delta) => metrics.sseConnections.inc({ feed }, delta),
  });
  const todos = createTodoService({
    store,
    bus,
    clock: () => new Date().toISOString(),
    newId: randomUUID,
    onPublishError: (error) =>
      logger.warn({ err: error }, 'publish failed; readers will fill the gap from the store'),
  });
  const app = createApp({
    store,
    bus,
    todos,
    todoList,
    hub,
    metrics,
    subscriberBuffer: config.subscriberBuffer,
    onError: (error, requestId) => logger.error({ err: error, requestId }, 'request failed'),
  });

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    { url, database: config.databaseUrl, bus: bus.endpoint, settings: store.settings },
    'ironstar listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Erroring feeds (not ending them) makes browsers reconnect to the next server.
        hub.abortAll();
        hub.stop();
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        await closed; // in-flight commands have been answered
        await todoList.stop();
        await bus.close();
        await store.close();
        logger.info('ironstar stopped');
      })();
      return closing;
    },
  };
};
