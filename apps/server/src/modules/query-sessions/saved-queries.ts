import type { CacheDependency } from './query-cache';

export type SavedQuery = {
  readonly name: string;
  readonly title: string;
  readonly sql: string;
  /** What invalidates its cached result. */
  readonly dependsOn: CacheDependency;
};

// Over the analytics projection's one table:
// events(global_sequence, id, aggregate_type, aggregate_id, aggregate_sequence, event_type,
//        event_version, payload JSON, metadata JSON, created_at TIMESTAMP (UTC)).
/** Queries over any event log, whatever its aggregates. */
export const EVENT_LOG_QUERIES: readonly SavedQuery[] = [
  {
    name: 'events-per-minute',
    title: 'Events per type per minute',
    sql: `SELECT strftime(date_trunc('minute', created_at), '%Y-%m-%d %H:%M') AS minute,
       event_type,
       count(*) AS events
FROM events
GROUP BY ALL
ORDER BY minute DESC, events DESC
LIMIT 100`,
    dependsOn: 'all',
  },
  {
    name: 'busiest-aggregates',
    title: 'Busiest aggregates',
    sql: `SELECT aggregate_type || ' ' || left(aggregate_id, 8) AS aggregate,
       count(*) AS events,
       strftime(max(created_at), '%H:%M:%S') AS last_event
FROM events
GROUP BY aggregate_type, aggregate_id
ORDER BY events DESC, aggregate
LIMIT 20`,
    dependsOn: 'all',
  },
];
