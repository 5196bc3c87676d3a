import { QUERY_SESSION_AGGREGATE_TYPE, type QuerySessionEvent } from '@ironstar/domain';
import type { StoredEvent } from '../event-store';
import type { Projection } from '../projection';

export type QuerySessionView = {
  readonly id: string;
  readonly sql: string;
  /** The saved query's name, or null for SQL typed by hand. */
  readonly name: string | null;
  readonly status: 'executing' | 'completed' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly rowCount: number | null;
  readonly durationMs: number | null;
  readonly truncated: boolean;
  readonly cached: boolean;
  readonly error: string | null;
  /** Global sequence of the session's last event. */
  readonly updatedSequence: number;
};

/** Sessions in start order; the runner owns the map and `evolve` updates it in place. */
export type QuerySessions = Map<string, QuerySessionView>;

export const querySessionsProjection: Projection<QuerySessions> = {
  name: 'query-sessions',
  initialState: () => new Map(),
  snapshot: {
    version: 1,
    serialize: (sessions) => [...sessions.values()],
    deserialize: (data) =>
      new Map((data as QuerySessionView[]).map((session) => [session.id, session])),
  },
  filter: (event) => event.aggregateType === QUERY_SESSION_AGGREGATE_TYPE,
  evolve(sessions, stored: StoredEvent) {
    const event = { type: stored.eventType, data: stored.payload } as QuerySessionEvent;
    const updatedSequence = stored.globalSequence;
    if (event.type === 'QueryStarted') {
      const { id, sql, name, startedAt } = event.data;
      sessions.set(id, {
        id,
        sql,
        name,
        status: 'executing',
        startedAt,
        finishedAt: null,
        rowCount: null,
        durationMs: null,
        truncated: false,
        cached: false,
        error: null,
        updatedSequence,
      });
      return sessions;
    }
    const session = sessions.get(event.data.id);
    if (!session) return sessions;
    if (event.type === 'QueryCompleted') {
      const { rowCount, durationMs, truncated, cached, completedAt } = event.data;
      sessions.set(session.id, {
        ...session,
        status: 'completed',
        finishedAt: completedAt,
        rowCount,
        durationMs,
        truncated,
        cached,
        updatedSequence,
      });
    } else if (event.type === 'QueryFailed') {
      sessions.set(session.id, {
        ...session,
        status: 'failed',
        finishedAt: event.data.failedAt,
        error: event.data.error,
        updatedSequence,
      });
    }
    return sessions;
  },
};
