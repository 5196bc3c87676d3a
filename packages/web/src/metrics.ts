import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, on a registry of its own (one per app, so tests can run side by side). */
export const createMetrics = (options: { defaultMetrics?: boolean } = {}) => {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'ironstar_' });
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  return {
    registry,
    eventsAppended: counter(
      'ironstar_events_appended_total',
      'Events appended to the store by this process',
      ['aggregate_type'],
    ),
    commands: counter(
      'ironstar_commands_total',
      'Commands handled, by aggregate, command type and outcome',
      ['aggregate', 'type', 'outcome'],
    ),
    commandDuration: new Histogram({
      name: 'ironstar_command_duration_seconds',
      help: 'Time from a command arriving to its answer',
      labelNames: ['aggregate', 'type', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    storeCommitDuration: new Histogram({
      name: 'ironstar_store_commit_seconds',
      help: "Time a write transaction's COMMIT took (with synchronous=FULL, the WAL fsync)",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    sseConnections: gauge('ironstar_sse_connections', 'Open SSE connections by feed', ['feed']),
    sseRefused: counter(
      'ironstar_sse_refused_total',
      'SSE connections refused because SSE_MAX_CONNECTIONS were open',
      ['feed'],
    ),
    feedStoreReads: counter(
      'ironstar_feed_store_reads_total',
      'Store queries made by the shared reader behind every event feed',
    ),
    projectionLag: gauge(
      'ironstar_projection_lag_events',
      'Events stored but not yet applied, per projection (store head minus position)',
      ['projection'],
    ),
    busMessages: counter(
      'ironstar_bus_messages_total',
      'Messages on the event bus, by direction (out = published, in = received)',
      ['direction'],
    ),
    subscribersFellBehind: counter(
      'ironstar_subscribers_fell_behind_total',
      'Times a subscriber fell behind live delivery and switched to reading the store',
      ['subscriber'],
    ),
    subscribersCaughtUp: counter(
      'ironstar_subscribers_caught_up_total',
      'Times a subscriber read the store to its end and went (back) to live delivery',
      ['subscriber'],
    ),
    feedBytes: counter(
      'ironstar_feed_bytes_total',
      'Bytes of SSE frames per feed: encoded (before compression) and sent (after)',
      ['feed', 'stage'],
    ),
    projectionPosition: gauge(
      'ironstar_projection_position',
      'Global sequence of the last event each projection has applied',
      ['projection'],
    ),
    storeHead: gauge(
      'ironstar_event_store_head',
      'Highest global sequence in the event store, as last sampled (projection lag = head - position)',
    ),
    processEvents: counter(
      'ironstar_process_manager_events_total',
      'What process managers did: inputs, duplicates, timers fired, commands sent, refused, retried, parked, store errors, lease changes',
      ['manager', 'event'],
    ),
    processCheckpoint: gauge(
      'ironstar_process_manager_position',
      'Global sequence of the last event each process manager has handled (in the lease holder)',
      ['manager'],
    ),
    processLag: gauge(
      'ironstar_process_manager_lag_events',
      'Events stored but not yet handled by each process manager (store head minus position)',
      ['manager'],
    ),
    analyticsQueries: counter(
      'ironstar_analytics_queries_total',
      'Analytics queries by outcome: completed, cached, failed, refused, busy',
      ['outcome'],
    ),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
