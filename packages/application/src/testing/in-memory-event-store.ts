import { errAsync, okAsync } from 'neverthrow';
import {
  type AppendRequest,
  checkExpectedVersion,
  type EventStore,
  type StoredEvent,
} from '../event-store';

/** The event store as an array: for unit tests of the core. Passes the same contract suite. */
export const createInMemoryEventStore = (
  options: { clock?: () => string } = {},
): EventStore & { readonly events: readonly StoredEvent[] } => {
  const clock = options.clock ?? (() => new Date().toISOString());
  const events: StoredEvent[] = [];
  const versions = new Map<string, number>();
  const key = (type: string, id: string) => `${type}\u0000${id}`;

  return {
    events,
    append(request: AppendRequest) {
      const streamKey = key(request.aggregateType, request.aggregateId);
      const actual = versions.get(streamKey) ?? 0;
      if (!checkExpectedVersion(request.expectedVersion, actual)) {
        return errAsync({
          type: 'ConcurrencyError' as const,
          aggregateType: request.aggregateType,
          aggregateId: request.aggregateId,
          expected: request.expectedVersion,
          actual,
        });
      }
      const createdAt = clock();
      const appended = request.events.map(
        (event, i): StoredEvent => ({
          globalSequence: events.length + i + 1,
          id: event.id,
          aggregateType: request.aggregateType,
          aggregateId: request.aggregateId,
          aggregateSequence: actual + i + 1,
          eventType: event.type,
          eventVersion: event.version ?? 1,
          payload: structuredClone(event.data),
          metadata: event.metadata ? structuredClone(event.metadata) : null,
          createdAt,
        }),
      );
      events.push(...appended);
      const version = actual + appended.length;
      versions.set(streamKey, version);
      return okAsync({ events: appended, version });
    },
    readStream: (aggregateType, aggregateId) =>
      okAsync(
        events.filter((e) => e.aggregateType === aggregateType && e.aggregateId === aggregateId),
      ),
    readAll: ({ after, limit }) =>
      okAsync(events.slice(Math.max(0, after), Math.max(0, after) + limit)),
    head: () => okAsync(events.length),
    close: async () => {},
  };
};
