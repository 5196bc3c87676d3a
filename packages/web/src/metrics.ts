import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, on a registry of its own (one per app, so tests can run side by side). */
export const createMetrics = (options: { defaultMetrics?: boolean } = {}) => {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'ironstar_' });
  return {
    registry,
    eventsAppended: new Counter({
      name: 'ironstar_events_appended_total',
      help: 'Events appended to the store by this process',
      labelNames: ['aggregate_type'] as const,
      registers: [registry],
    }),
    commands: new Counter({
      name: 'ironstar_commands_total',
      help: 'Commands handled, by aggregate, command type and outcome',
      labelNames: ['aggregate', 'type', 'outcome'] as const,
      registers: [registry],
    }),
    commandDuration: new Histogram({
      name: 'ironstar_command_duration_seconds',
      help: 'Time from a command arriving to its answer',
      labelNames: ['aggregate', 'type', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    sseConnections: new Gauge({
      name: 'ironstar_sse_connections',
      help: 'Open SSE connections by feed',
      labelNames: ['feed'] as const,
      registers: [registry],
    }),
    sseRefused: new Counter({
      name: 'ironstar_sse_refused_total',
      help: 'SSE connections refused because SSE_MAX_CONNECTIONS were open',
      labelNames: ['feed'],
      registers: [registry],
    }),
    feedStoreReads: new Counter({
      name: 'ironstar_feed_store_reads_total',
      help: 'Store queries made by the shared reader behind every event feed',
      registers: [registry],
    }),
    projectionLag: new Gauge({
      name: 'ironstar_projection_lag_events',
      help: 'Events stored but not yet applied, per projection (store head minus position)',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    busMessages: new Counter({
      name: 'ironstar_bus_messages_total',
      help: 'Messages on the event bus, by direction (out = published, in = received)',
      labelNames: ['direction'] as const,
      registers: [registry],
    }),
    subscribersFellBehind: new Counter({
      name: 'ironstar_subscribers_fell_behind_total',
      help: 'Times a subscriber fell behind live delivery and switched to reading the store',
      labelNames: ['subscriber'] as const,
      registers: [registry],
    }),
    subscribersCaughtUp: new Counter({
      name: 'ironstar_subscribers_caught_up_total',
      help: 'Times a subscriber read the store to its end and went (back) to live delivery',
      labelNames: ['subscriber'] as const,
      registers: [registry],
    }),
    feedBytes: new Counter({
      name: 'ironstar_feed_bytes_total',
      help: 'Bytes of SSE frames per feed: encoded (before compression) and sent (after)',
      labelNames: ['feed', 'stage'] as const,
      registers: [registry],
    }),
    projectionPosition: new Gauge({
      name: 'ironstar_projection_position',
      help: 'Global sequence of the last event each projection has applied',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    storeHead: new Gauge({
      name: 'ironstar_event_store_head',
      help: 'Highest global sequence in the event store, as last sampled (projection lag = head - position)',
      registers: [registry],
    }),
    analyticsQueries: new Counter({
      name: 'ironstar_analytics_queries_total',
      help: 'Analytics query sessions by outcome: completed, cached, failed, refused, busy',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
