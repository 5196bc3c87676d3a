export {
  createDuckDbAnalytics,
  type DuckDbAnalytics,
  type DuckDbAnalyticsOptions,
} from './duckdb/duckdb-analytics';
export {
  getLibsqlEventStore,
  type LibsqlEventStoreOptions,
  type Synchronous,
} from './libsql/libsql-event-store';
export {
  DEFAULT_BUS_ENDPOINT,
  getZeroMqEventBus,
  type ZeroMqBusOptions,
} from './zeromq/zeromq-event-bus';
