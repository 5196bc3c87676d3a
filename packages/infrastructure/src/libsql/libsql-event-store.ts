import { fileURLToPath } from 'node:url';
import {
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type ConcurrencyError,
  checkExpectedVersion,
  type EventMetadata,
  type EventStore,
  type StoredEvent,
} from '@ironstar/application';
import { type Client, createClient } from '@libsql/client';
import { and, asc, eq, gt, max, sql } from 'drizzle-orm';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { isUniqueViolation, toUnavailable } from './libsql-errors';
import { type EventRow, events } from './schema';

export type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export type LibsqlEventStoreOptions = {
  /** `file:./data/ironstar.db`, or a libSQL server URL (`http://...`, `libsql://...`). */
  readonly url: string;
  readonly authToken?: string;
  /** Durability of a commit; FULL (the default) fsyncs the WAL before an append is acknowledged. */
  readonly synchronous?: Synchronous;
  /** How long to wait for another process holding the write lock. */
  readonly busyTimeoutMs?: number;
  readonly clock?: () => string;
};

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Thrown inside the transaction callback only, to make drizzle roll back. */
class VersionConflict {
  readonly actual: number;
  constructor(actual: number) {
    this.actual = actual;
  }
}

/**
 * The libSQL event store. Local files get one dedicated writer connection whose PRAGMAs are
 * set once and read back, and every write goes through one in-process queue: @libsql/client
 * fails (rather than queues) a second concurrent write transaction.
 */
export const getLibsqlEventStore = async (
  options: LibsqlEventStoreOptions,
): Promise<EventStore & { readonly settings: Record<string, unknown> }> => {
  const isFile = options.url.startsWith('file:');
  const synchronous = options.synchronous ?? 'FULL';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const clock = options.clock ?? (() => new Date().toISOString());
  const clientOf = () =>
    createClient({
      url: options.url,
      ...(options.authToken ? { authToken: options.authToken } : {}),
      ...(isFile ? { concurrency: 1 } : {}),
    });

  let writerClient = clientOf();
  const readerClient = clientOf();
  const settings: Record<string, unknown> = {};

  const configure = async (client: Client, role: 'writer' | 'reader') => {
    if (!isFile) return;
    await client.execute(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    if (role === 'writer') {
      await client.execute('PRAGMA journal_mode = WAL');
      await client.execute(`PRAGMA synchronous = ${synchronous}`);
      const read = async (pragma: string) =>
        Object.values((await client.execute(`PRAGMA ${pragma}`)).rows[0] ?? {})[0];
      settings.journalMode = await read('journal_mode');
      settings.synchronous = await read('synchronous');
      settings.busyTimeout = await read('busy_timeout');
      const expected = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 }[synchronous];
      if (settings.journalMode !== 'wal' || Number(settings.synchronous) !== expected) {
        throw new Error(`libSQL writer not configured as asked: ${JSON.stringify(settings)}`);
      }
    }
  };

  try {
    await configure(writerClient, 'writer');
    await configure(readerClient, 'reader');
    await migrate(drizzle(writerClient), { migrationsFolder: MIGRATIONS });
  } catch (error) {
    writerClient.close();
    readerClient.close();
    throw error;
  }

  let writer = drizzle(writerClient);
  const reader = drizzle(readerClient);

  // One write at a time, in arrival order.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  const appendInTransaction = async (db: LibSQLDatabase, request: AppendRequest) => {
    const { aggregateType, aggregateId } = request;
    return db.transaction(async (tx) => {
      const [row] = await tx
        .select({ version: max(events.aggregateSequence) })
        .from(events)
        .where(and(eq(events.aggregateType, aggregateType), eq(events.aggregateId, aggregateId)));
      const actual = row?.version ?? 0;
      if (!checkExpectedVersion(request.expectedVersion, actual)) throw new VersionConflict(actual);
      if (request.events.length === 0) return { events: [], version: actual };
      const createdAt = clock();
      const rows = await tx
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
      return { events: rows.map(toStoredEvent), version: actual + rows.length };
    });
  };

  // After a failed BEGIN (SQLITE_BUSY) libsql leaves the statement unfinished and every later
  // COMMIT on that connection fails. A fresh, freshly configured connection recovers.
  const replaceWriter = () =>
    serialize(async () => {
      const fresh = clientOf();
      try {
        await configure(fresh, 'writer');
      } catch {
        fresh.close(); // still failing: keep the old one and try again on the next error
        return;
      }
      writerClient.close();
      writerClient = fresh;
      writer = drizzle(fresh);
    });

  const streamVersion = async (aggregateType: string, aggregateId: string) => {
    const [row] = await reader
      .select({ version: max(events.aggregateSequence) })
      .from(events)
      .where(and(eq(events.aggregateType, aggregateType), eq(events.aggregateId, aggregateId)));
    return row?.version ?? 0;
  };

  const append = (request: AppendRequest): ResultAsync<AppendResult, AppendError> => {
    const conflict = (actual: number): ConcurrencyError => ({
      type: 'ConcurrencyError',
      aggregateType: request.aggregateType,
      aggregateId: request.aggregateId,
      expected: request.expectedVersion,
      actual,
    });
    const attempt = serialize(() => appendInTransaction(writer, request)).then(
      (result) => ok(result),
      async (error: unknown): Promise<Result<AppendResult, AppendError>> => {
        if (error instanceof VersionConflict) return err(conflict(error.actual));
        // A writer that skipped our queue (another process without a lock) took the version.
        if (isUniqueViolation(error)) {
          return err(conflict(await streamVersion(request.aggregateType, request.aggregateId)));
        }
        await replaceWriter();
        return err(toUnavailable(error));
      },
    );
    return new ResultAsync(attempt);
  };

  const read = <T>(query: () => Promise<T>) => ResultAsync.fromPromise(query(), toUnavailable);

  return {
    settings,
    append,
    readStream: (aggregateType, aggregateId) =>
      read(() =>
        reader
          .select()
          .from(events)
          .where(and(eq(events.aggregateType, aggregateType), eq(events.aggregateId, aggregateId)))
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
    async close() {
      await queue;
      writerClient.close();
      readerClient.close();
    },
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
