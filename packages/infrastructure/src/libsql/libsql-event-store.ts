import {
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type ConcurrencyError,
  checkExpectedVersion,
  type EventMetadata,
  type EventStore,
  type RecordedCommand,
  type SnapshotStore,
  type StoredEvent,
} from '@ironstar/application';
import type { ResultSet } from '@libsql/client';
import { and, asc, eq, gt, max, sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { type LibsqlDatabaseOptions, openLibsqlDatabase } from './libsql-database';
import { isUniqueViolation, toUnavailable } from './libsql-errors';
import { createLibsqlSnapshotStore } from './libsql-snapshot-store';
import { commands, type EventRow, events } from './schema';

export type LibsqlEventStoreOptions = LibsqlDatabaseOptions & {
  readonly clock?: () => string;
};

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
  EventStore & { readonly settings: Record<string, unknown>; readonly snapshots: SnapshotStore }
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

  const appendInTransaction = (request: AppendRequest) =>
    db.write((writer) =>
      writer.transaction(async (tx) => {
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
      }),
    );

  const append = (request: AppendRequest): ResultAsync<AppendResult, AppendError> => {
    const conflict = (actual: number): ConcurrencyError => ({
      type: 'ConcurrencyError',
      aggregateType: request.aggregateType,
      aggregateId: request.aggregateId,
      expected: request.expectedVersion,
      actual,
    });
    const attempt = appendInTransaction(request).then(
      (result) => ok(result),
      async (error: unknown): Promise<Result<AppendResult, AppendError>> => {
        if (error instanceof Abort) {
          return typeof error.error === 'number'
            ? err(conflict(error.error))
            : err({ type: 'DuplicateCommand', recorded: error.error });
        }
        // A writer that skipped our queue's ordering (another process) got there first.
        if (isUniqueViolation(error)) {
          const recorded = request.command ? await findCommand(reader, request.command.id) : null;
          if (recorded) return err({ type: 'DuplicateCommand', recorded });
          return err(
            conflict(await streamVersion(reader, request.aggregateType, request.aggregateId)),
          );
        }
        await db.recover();
        return err(toUnavailable(error));
      },
    );
    return new ResultAsync(attempt);
  };

  const read = <T>(query: () => Promise<T>) => ResultAsync.fromPromise(query(), toUnavailable);

  return {
    settings: db.settings,
    snapshots: createLibsqlSnapshotStore(db),
    append,
    readStream: (aggregateType, aggregateId, options = {}) =>
      read(() =>
        reader
          .select()
          .from(events)
          .where(
            and(
              eq(events.aggregateType, aggregateType),
              eq(events.aggregateId, aggregateId),
              gt(events.aggregateSequence, options.afterVersion ?? 0),
            ),
          )
          .orderBy(asc(events.aggregateSequence)),
      ).map((rows) => rows.map(toStoredEvent)),
    readAll: ({ after, limit }) =>
      read(() =>
        reader
          .select()
          .from(events)
          .where(gt(events.globalSequence, after))
          .orderBy(asc(events.globalSequence))
          .limit(limit),
      ).map((rows) => rows.map(toStoredEvent)),
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
