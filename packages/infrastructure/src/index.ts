export {
  createDuckDbAnalytics,
  type DuckDbAnalytics,
  type DuckDbAnalyticsOptions,
} from './duckdb/duckdb-analytics';
export type { DurableEventStore } from './durable-event-store';
export type { LibsqlDatabaseOptions, Synchronous } from './libsql/libsql-database';
export { getLibsqlEventStore, type LibsqlEventStoreOptions } from './libsql/libsql-event-store';
export { filePathOf } from './libsql/libsql-writer';
export type { PostgresDatabaseOptions } from './postgres/postgres-database';
export type { PostgresEventStoreOptions } from './postgres/postgres-event-store';
export { getPostgresEventStore } from './postgres/postgres-lazy';
export { type BusProxyOptions, startZeroMqBusProxy } from './zeromq/zeromq-bus-proxy';
export {
  DEFAULT_BUS_ENDPOINT,
  getZeroMqEventBus,
  type ZeroMqBusOptions,
} from './zeromq/zeromq-event-bus';
