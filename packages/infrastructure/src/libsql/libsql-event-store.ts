import {
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type ConcurrencyError,
  checkExpectedVersion,
  type EventMetadata,
  type EventStore,
  type ProjectionSnapshotStore,
  type RecordedCommand,
  type SnapshotStore,
  type StoredEvent,
} from '@ironstar/application';
import type { ResultSet, Row } from '@libsql/client';
import { and, eq, max, sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { createGroupCommit } from './group-commit';
import { type LibsqlDatabaseOptions, openLibsqlDatabase } from './libsql-database';
import { isUniqueViolation, toUnavailable } from './libsql-errors';
import { createLibsqlProjectionSnapshots } from './libsql-projection-snapshots';
import { createLibsqlSnapshotStore } from './libsql-snapshot-store';
import { commands, type EventRow, events } from './schema';

export type LibsqlEventStoreOptions = LibsqlDatabaseOptions & {
  readonly clock?: () => string;
};

/** Appends committed together at most. */
const MAX_BATCH = 256;

/** The database or a transaction on it. */
type Db = BaseSQLiteDatabase<'async', ResultSet>;

/** Thrown inside a transaction callback only, to make drizzle roll back. */
class Abort {
  /** The stream's actual version (a conflict), or the command already recorded. */
  readonly error: number | RecordedCommand;
  constructor(error: number | RecordedCommand) {
    this.error = error;
  }
}

/**
 * The libSQL event store. The expected-version check, the inserts and the command record
 * happen in one write transaction (BEGIN IMMEDIATE), so no other writer, in this process or
 * another, can slip in between.
 */
export const getLibsqlEventStore = async (
  options: LibsqlEventStoreOptions,
): Promise<
  EventStore & {
    readonly settings: Record<string, unknown>;
    readonly snapshots: SnapshotStore;
    readonly projectionSnapshots: ProjectionSnapshotStore;
    /** Appends and the write transactions they were committed in (group commit at work). */
    readonly stats: { readonly appends: number; readonly transactions: number };
  }
> => {
  const db = await openLibsqlDatabase(options);
  const clock = options.clock ?? (() => new Date().toISOString());
  const { reader } = db;

  const streamVersion = async (tx: Db, aggregateType: string, aggregateId: string) => {
    const [row] = await tx
      .select({ version: max(events.aggregateSequence) })
      .from(events)
      .where(and(eq(events.aggregateType, aggregateType), eq(events.aggregateId, aggregateId)));
    return row?.version ?? 0;
  };

  const findCommand = async (tx: Db, id: string): Promise<RecordedCommand | null> => {
    const [row] = await tx.select().from(commands).where(eq(commands.id, id));
    if (!row) return null;
    const { createdAt: _, ...recorded } = row;
    return recorded;
  };

  /** One request's checks and writes; throws Abort before writing anything it refuses. */
  const appendOne = async (tx: Db, request: AppendRequest): Promise<AppendResult> => {
    const { aggregateType, aggregateId } = request;
    if (request.command) {
      const recorded = await findCommand(tx, request.command.id);
      if (recorded) throw new Abort(recorded);
    }
    const actual = await streamVersion(tx, aggregateType, aggregateId);
    if (!checkExpectedVersion(request.expectedVersion, actual)) throw new Abort(actual);
    const createdAt = clock();
    const rows =
      request.events.length === 0
        ? []
        : await tx
            .insert(events)
            .values(
              request.events.map((event, i) => ({
                id: event.id,
                aggregateType,
                aggregateId,
                aggregateSequence: actual + i + 1,
                eventType: event.type,
                eventVersion: event.version ?? 1,
                payload: JSON.stringify(event.data),
                metadata: event.metadata ? JSON.stringify(event.metadata) : null,
                createdAt,
              })),
            )
            .returning();
    const version = actual + rows.length;
    if (request.command) {
      const lastSequence =
        rows.at(-1)?.globalSequence ??
        (
          await tx
            .select({ seq: max(events.globalSequence) })
            .from(events)
            .where(
              and(eq(events.aggregateType, aggregateType), eq(events.aggregateId, aggregateId)),
            )
        )[0]?.seq ??
        0;
      await tx.insert(commands).values({
        id: request.command.id,
        fingerprint: request.command.fingerprint,
        aggregateType,
        aggregateId,
        version,
        globalSequence: lastSequence,
        createdAt,
      });
    }
    return { events: rows.map(toStoredEvent), version };
  };

  const conflictOf = (request: AppendRequest, actual: number): ConcurrencyError => ({
    type: 'ConcurrencyError',
    aggregateType: request.aggregateType,
    aggregateId: request.aggregateId,
    expected: request.expectedVersion,
    actual,
  });

  const refusal = (request: AppendRequest, abort: Abort): Result<never, AppendError> =>
    typeof abort.error === 'number'
      ? err(conflictOf(request, abort.error))
      : err({ type: 'DuplicateCommand', recorded: abort.error });

  // A refused request is refused before its inserts, so it writes nothing and never fails
  // the other requests of its batch.
  const groupCommit = createGroupCommit<AppendRequest, Result<AppendResult, AppendError>>({
    maxBatch: MAX_BATCH,
    runBatch: (requests) =>
      db.write((writer) =>
        writer.transaction(async (tx) => {
          const results: Array<Result<AppendResult, AppendError>> = [];
          for (const request of requests) {
            try {
              results.push(ok(await appendOne(tx, request)));
            } catch (error) {
              if (!(error instanceof Abort)) throw error;
              results.push(refusal(request, error));
            }
          }
          return results;
        }),
      ),
    onFailure: async (request, error) => {
      // A writer that skipped our lock (another process, on a server without IMMEDIATE) won.
      if (isUniqueViolation(error)) {
        const recorded = request.command ? await findCommand(reader, request.command.id) : null;
        if (recorded) return err({ type: 'DuplicateCommand', recorded });
        const actual = await streamVersion(reader, request.aggregateType, request.aggregateId);
        return err(conflictOf(request, actual));
      }
      await db.recover();
      return err(toUnavailable(error));
    },
  });

  const append = (request: AppendRequest): ResultAsync<AppendResult, AppendError> =>
    new ResultAsync(groupCommit.submit(request));

  const read = <T>(query: () => Promise<T>) => ResultAsync.fromPromise(query(), toUnavailable);

  return {
    settings: db.settings,
    stats: {
      get appends() {
        return groupCommit.stats.requests;
      },
      get transactions() {
        return groupCommit.stats.batches;
      },
    },
    snapshots: createLibsqlSnapshotStore(db),
    projectionSnapshots: createLibsqlProjectionSnapshots(db),
    append,
    // Hot read paths use fixed SQL text: the query builder cost ~40% of replay time.
    readStream: (aggregateType, aggregateId, options = {}) =>
      read(() =>
        db.readerClient.execute({
          sql: `${SELECT_EVENTS} WHERE aggregate_type = ? AND aggregate_id = ? AND aggregate_sequence > ? ORDER BY aggregate_sequence`,
          args: [aggregateType, aggregateId, options.afterVersion ?? 0],
        }),
      ).map((result) => result.rows.map(fromRow)),
    readAll: ({ after, limit }) =>
      read(() =>
        db.readerClient.execute({
          sql: `${SELECT_EVENTS} WHERE global_sequence > ? ORDER BY global_sequence LIMIT ?`,
          args: [after, limit],
        }),
      ).map((result) => result.rows.map(fromRow)),
    head: () =>
      read(() =>
        reader
          .select({ head: sql<number>`coalesce(max(${events.globalSequence}), 0)` })
          .from(events),
      ).map((rows) => Number(rows[0]?.head ?? 0)),
    findCommand: (id) => read(() => findCommand(reader, id)),
    close: () => db.close(),
  };
};

// SQLite builds each event as one JSON text: @libsql/client then makes one property per row
// instead of ten, and JSON.parse does the rest. 1.65x a plain SELECT * + JSON.parse (measured).
const SELECT_EVENTS = `SELECT json_object(
  'globalSequence', global_sequence, 'id', id, 'aggregateType', aggregate_type,
  'aggregateId', aggregate_id, 'aggregateSequence', aggregate_sequence, 'eventType', event_type,
  'eventVersion', event_version, 'payload', json(payload), 'metadata', json(metadata),
  'createdAt', created_at) FROM events`;

const fromRow = (row: Row): StoredEvent => JSON.parse(String(row[0])) as StoredEvent;

const toStoredEvent = (row: EventRow): StoredEvent => ({
  globalSequence: row.globalSequence,
  id: row.id,
  aggregateType: row.aggregateType,
  aggregateId: row.aggregateId,
  aggregateSequence: row.aggregateSequence,
  eventType: row.eventType,
  eventVersion: row.eventVersion,
  payload: JSON.parse(row.payload),
  metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as EventMetadata),
  createdAt: row.createdAt,
});
