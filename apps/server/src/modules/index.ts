import type { AnyProcessManager } from '@ironstar/application';
import type { Module } from '@ironstar/web';
import type { Config } from '../config';
import {
  type QuerySessionsModuleOptions,
  querySessionsModule,
} from './query-sessions/query-sessions-module';
import { EVENT_LOG_QUERIES } from './query-sessions/saved-queries';
import { todoModule } from './todo/todo-module';
import { TODO_SAVED_QUERIES } from './todo/todo-saved-queries';

/** What the modules run on that the server opens (an adapter of its choice). */
export type AppPorts = {
  readonly analyticsEngine: QuerySessionsModuleOptions['engine'];
};

/** The reference app's aggregate modules: register a new one here, one line. */
export const appModules = (config: Config, ports: AppPorts): readonly Module[] => [
  todoModule({ pageSize: config.todoPageSize, snapshotEvery: config.todoSnapshotEvery }),
  querySessionsModule({
    engine: ports.analyticsEngine,
    limits: {
      timeoutMs: config.analyticsQueryTimeoutMs,
      maxRows: config.analyticsMaxRows,
      maxBytes: config.analyticsMaxResultBytes,
    },
    cacheTtlMs: config.analyticsCacheTtlMs,
    cacheMaxBytes: config.analyticsCacheMaxBytes,
    maxInFlight: config.analyticsMaxConcurrent,
    maxPerClient: config.analyticsMaxPerClient,
    keepResultBytes: config.analyticsCacheMaxBytes,
    savedQueries: [...EVENT_LOG_QUERIES, ...TODO_SAVED_QUERIES],
  }),
];

/** The reference app's process managers: they run beside the modules, one line each. */
export const appProcessManagers = (_config: Config): readonly AnyProcessManager[] => [];
