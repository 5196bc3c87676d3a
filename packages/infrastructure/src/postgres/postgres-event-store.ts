import type {
  AppendError,
  AppendRequest,
  AppendResult,
  ConcurrencyError,
} from '@ironstar/application';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { DurableEventStore } from '../durable-event-store';
import { createGroupCommit } from '../libsql/group-commit';
import {
  Abort,
  appendMany,
  eventOf,
  findCommand,
  SELECT_EVENTS,
  streamVersion,
  txOf,
} from './postgres-append';
import { openPostgresDatabase, type PostgresDatabaseOptions } from './postgres-database';
import { isUniqueViolation, toUnavailable } from './postgres-errors';
import { createPostgresProcessStore } from './postgres-process-store';
import { createPostgresProjectionSnapshots } from './postgres-projection-snapshots';
import { createPostgresSnapshotStore } from './postgres-snapshot-store';

export type PostgresEventStoreOptions = PostgresDatabaseOptions & {
  readonly clock?: () => string;
};

/** Appends committed together at most. */
const MAX_BATCH = 256;

/**
 * The PostgreSQL event store: the same ports as the libSQL store. Appends go through one
 * group-commit queue per process; each batch is one transaction holding the sequence lock
 * (postgres-append.ts), so the expected-version checks, idempotency and global numbering are
 * exact across every process that shares the database.
 */
export const getPostgresEventStore = async (
  options: PostgresEventStoreOptions,
): Promise<DurableEventStore> => {
  const db = await openPostgresDatabase(options);
  const clock = options.clock ?? (() => new Date().toISOString());

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

  // A refused request is refused before its inserts, so it writes nothing and never fails the
  // other requests of its batch; any other error fails the batch, and each is retried alone.
  const groupCommit = createGroupCommit<AppendRequest, Result<AppendResult, AppendError>>({
    maxBatch: MAX_BATCH,
    runBatch: (requests) =>
      db.transaction(async (q) =>
        (await appendMany(txOf(q), requests, clock)).map((result, i) =>
          result instanceof Abort ? refusal(requests[i] as AppendRequest, result) : ok(result),
        ),
      ),
    onFailure: async (request, error) => {
      // Only a writer that skipped the sequence lock could cause this; answer as it decided.
      if (isUniqueViolation(error)) {
        try {
          const recorded = request.command ? await findCommand(db.query, request.command.id) : null;
          if (recorded) return err({ type: 'DuplicateCommand', recorded });
          return err(
            conflictOf(
              request,
              await streamVersion(db.query, request.aggregateType, request.aggregateId),
            ),
          );
        } catch (readError) {
          return err(toUnavailable(readError));
        }
      }
      return err(toUnavailable(error));
    },
  });

  const inFlight = new Set<Promise<unknown>>();
  const attempt = <T>(query: () => Promise<T>) => ResultAsync.fromPromise(query(), toUnavailable);

  return {
    settings: { store: 'postgres', ...db.settings },
    stats: {
      get appends() {
        return groupCommit.stats.requests;
      },
      get transactions() {
        return groupCommit.stats.batches;
      },
    },
    snapshots: createPostgresSnapshotStore(db),
    projectionSnapshots: createPostgresProjectionSnapshots(db),
    processes: createPostgresProcessStore(db, clock),
    append: (request) => {
      const answer = groupCommit.submit(request);
      inFlight.add(answer);
      void answer.finally(() => inFlight.delete(answer));
      return new ResultAsync(answer);
    },
    readStream: (aggregateType, aggregateId, options = {}) =>
      attempt(() =>
        db.query(
          `${SELECT_EVENTS} WHERE aggregate_type = $1 AND aggregate_id = $2 AND aggregate_sequence > $3 ORDER BY aggregate_sequence LIMIT $4`,
          // LIMIT NULL is PostgreSQL's "no limit".
          [aggregateType, aggregateId, options.afterVersion ?? 0, options.limit ?? null],
        ),
      ).map((rows) => rows.map(eventOf)),
    readAll: ({ after, limit }) =>
      attempt(() =>
        db.query(`${SELECT_EVENTS} WHERE global_sequence > $1 ORDER BY global_sequence LIMIT $2`, [
          after,
          limit,
        ]),
      ).map((rows) => rows.map(eventOf)),
    head: () =>
      attempt(() => db.query('SELECT coalesce(max(global_sequence), 0) FROM events', [])).map(
        (rows) => Number(rows[0]?.[0] ?? 0),
      ),
    findCommand: (id) => attempt(() => findCommand(db.query, id)),
    close: async () => {
      // Queued appends are answered before the pool closes.
      await Promise.allSettled([...inFlight]);
      await db.close();
    },
  };
};
