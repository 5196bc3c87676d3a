import { errAsync, okAsync } from 'neverthrow';
import {
  type AppendRequest,
  checkExpectedVersion,
  type EventStore,
  type RecordedCommand,
  type StoredEvent,
} from '../event-store';
import type { Snapshot, SnapshotStore } from '../snapshot-store';

/** The event store as an array: for unit tests of the core. Passes the same contract suite. */
export const createInMemoryEventStore = (
  options: { clock?: () => string } = {},
): EventStore & { readonly events: readonly StoredEvent[]; readonly snapshots: SnapshotStore } => {
  const clock = options.clock ?? (() => new Date().toISOString());
  const events: StoredEvent[] = [];
  const versions = new Map<string, number>();
  const commands = new Map<string, RecordedCommand>();
  const snapshots = new Map<string, Snapshot>();
  const key = (type: string, id: string) => `${type}\u0000${id}`;

  return {
    events,
    append(request: AppendRequest) {
      const recorded = request.command && commands.get(request.command.id);
      if (recorded) return errAsync({ type: 'DuplicateCommand' as const, recorded });
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
      if (request.command) {
        const last = events.findLast(
          (e) => e.aggregateType === request.aggregateType && e.aggregateId === request.aggregateId,
        );
        commands.set(request.command.id, {
          ...request.command,
          aggregateType: request.aggregateType,
          aggregateId: request.aggregateId,
          version,
          globalSequence: last?.globalSequence ?? 0,
        });
      }
      return okAsync({ events: appended, version });
    },
    readStream: (aggregateType, aggregateId, options = {}) =>
      okAsync(
        events
          .filter(
            (e) =>
              e.aggregateType === aggregateType &&
              e.aggregateId === aggregateId &&
              e.aggregateSequence > (options.afterVersion ?? 0),
          )
          .slice(0, options.limit),
      ),
    readAll: ({ after, limit }) =>
      okAsync(events.slice(Math.max(0, after), Math.max(0, after) + limit)),
    head: () => okAsync(events.length),
    findCommand: (id) => okAsync(commands.get(id) ?? null),
    snapshots: {
      load: (aggregateType, aggregateId) =>
        okAsync(structuredClone(snapshots.get(key(aggregateType, aggregateId)) ?? null)),
      save(snapshot) {
        const k = key(snapshot.aggregateType, snapshot.aggregateId);
        if ((snapshots.get(k)?.version ?? -1) < snapshot.version)
          snapshots.set(k, structuredClone(snapshot));
        return okAsync(undefined);
      },
    },
    close: async () => {},
  };
};
