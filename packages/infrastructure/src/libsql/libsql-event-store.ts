import {
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type ConcurrencyError,
  checkExpectedVersion,
  type EventStore,
  type ProjectionSnapshotStore,
  type RecordedCommand,
  type SnapshotStore,
  type StoredEvent,
} from '@ironstar/application';
import type { InValue, Row, Transaction } from '@libsql/client';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { createGroupCommit } from './group-commit';
import { type LibsqlDatabaseOptions, openLibsqlDatabase } from './libsql-database';
import { isUniqueViolation, toUnavailable } from './libsql-errors';
import { createLibsqlProjectionSnapshots } from './libsql-projection-snapshots';
import { createLibsqlSnapshotStore } from './libsql-snapshot-store';

export type LibsqlEventStoreOptions = LibsqlDatabaseOptions & {
  readonly clock?: () => string;
};

/** Appends committed together at most. */
const MAX_BATCH = 256;

/** A client or a transaction on it. */
type Executor = Pick<Transaction, 'execute'>;
type Query = (sql: string, args: InValue[]) => Promise<Row[]>;

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

  const read = (client: Executor) => async (sql: string, args: InValue[]) =>
    (await client.execute({ sql, args })).rows;

  const streamVersion = async (q: Query, aggregateType: string, aggregateId: string) => {
    const [row] = await q(STREAM_VERSION, [aggregateType, aggregateId]);
    return Number(row?.[0] ?? 0);
  };

  const findCommand = async (q: Query, id: string): Promise<RecordedCommand | null> => {
    const [row] = await q(FIND_COMMAND, [id]);
    return row ? (JSON.parse(String(row[0])) as RecordedCommand) : null;
  };

  /** One request's checks and writes; throws Abort before writing anything it refuses. */
  const appendOne = async (q: Query, request: AppendRequest): Promise<AppendResult> => {
    const { aggregateType, aggregateId } = request;
    if (request.command) {
      const recorded = await findCommand(q, request.command.id);
      if (recorded) throw new Abort(recorded);
    }
    const actual = await streamVersion(q, aggregateType, aggregateId);
    if (!checkExpectedVersion(request.expectedVersion, actual)) throw new Abort(actual);
    const createdAt = clock();
    let stored: StoredEvent[] = [];
    if (request.events.length > 0) {
      const args: InValue[] = [];
      for (const [i, event] of request.events.entries()) {
        args.push(
          event.id,
          aggregateType,
          aggregateId,
          actual + i + 1,
          event.type,
          event.version ?? 1,
          JSON.stringify(event.data),
          event.metadata ? JSON.stringify(event.metadata) : null,
          createdAt,
        );
      }
      const values = request.events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      stored = (await q(`${INSERT_EVENTS} ${values} RETURNING ${EVENT_JSON}`, args)).map(fromRow);
    }
    const version = actual + stored.length;
    if (request.command) {
      const lastSequence =
        stored.at(-1)?.globalSequence ??
        Number((await q(STREAM_LAST_SEQUENCE, [aggregateType, aggregateId]))[0]?.[0] ?? 0);
      await q(INSERT_COMMAND, [
        request.command.id,
        request.command.fingerprint,
        aggregateType,
        aggregateId,
        version,
        lastSequence,
        createdAt,
      ]);
    }
    return { events: stored, version };
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
      db.transaction(async (tx) => {
        const q = read(tx);
        const results: Array<Result<AppendResult, AppendError>> = [];
        for (const request of requests) {
          try {
            results.push(ok(await appendOne(q, request)));
          } catch (error) {
            if (!(error instanceof Abort)) throw error;
            results.push(refusal(request, error));
          }
        }
        return results;
      }),
    onFailure: async (request, error) => {
      // A writer that skipped our lock (another process, on a server without IMMEDIATE) won.
      if (isUniqueViolation(error)) {
        const q = read(db.readerClient);
        const recorded = request.command ? await findCommand(q, request.command.id) : null;
        if (recorded) return err({ type: 'DuplicateCommand', recorded });
        const actual = await streamVersion(q, request.aggregateType, request.aggregateId);
        return err(conflictOf(request, actual));
      }
      await db.recover();
      return err(toUnavailable(error));
    },
  });

  const append = (request: AppendRequest): ResultAsync<AppendResult, AppendError> =>
    new ResultAsync(groupCommit.submit(request));

  const attempt = <T>(query: () => Promise<T>) => ResultAsync.fromPromise(query(), toUnavailable);

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
      attempt(() =>
        db.readerClient.execute({
          // LIMIT -1 is SQLite's "no limit".
          sql: `${SELECT_EVENTS} WHERE aggregate_type = ? AND aggregate_id = ? AND aggregate_sequence > ? ORDER BY aggregate_sequence LIMIT ?`,
          args: [aggregateType, aggregateId, options.afterVersion ?? 0, options.limit ?? -1],
        }),
      ).map((result) => result.rows.map(fromRow)),
    readAll: ({ after, limit }) =>
      attempt(() =>
        db.readerClient.execute({
          sql: `${SELECT_EVENTS} WHERE global_sequence > ? ORDER BY global_sequence LIMIT ?`,
          args: [after, limit],
        }),
      ).map((result) => result.rows.map(fromRow)),
    head: () =>
      attempt(() =>
        db.readerClient.execute('SELECT coalesce(max(global_sequence), 0) FROM events'),
      ).map((result) => Number(result.rows[0]?.[0] ?? 0)),
    findCommand: (id) => attempt(() => findCommand(read(db.readerClient), id)),
    close: () => db.close(),
  };
};

// SQLite builds each event as one JSON text: @libsql/client then makes one property per row
// instead of ten, and JSON.parse does the rest. 1.65x a plain SELECT * + JSON.parse (measured).
const EVENT_JSON = `json_object(
  'globalSequence', global_sequence, 'id', id, 'aggregateType', aggregate_type,
  'aggregateId', aggregate_id, 'aggregateSequence', aggregate_sequence, 'eventType', event_type,
  'eventVersion', event_version, 'payload', json(payload), 'metadata', json(metadata),
  'createdAt', created_at)`;
const SELECT_EVENTS = `SELECT ${EVENT_JSON} FROM events`;
const INSERT_EVENTS = `INSERT INTO events (id, aggregate_type, aggregate_id, aggregate_sequence,
  event_type, event_version, payload, metadata, created_at) VALUES`;
const STREAM_VERSION =
  'SELECT coalesce(max(aggregate_sequence), 0) FROM events WHERE aggregate_type = ? AND aggregate_id = ?';
const STREAM_LAST_SEQUENCE =
  'SELECT coalesce(max(global_sequence), 0) FROM events WHERE aggregate_type = ? AND aggregate_id = ?';
const FIND_COMMAND = `SELECT json_object('id', id, 'fingerprint', fingerprint,
  'aggregateType', aggregate_type, 'aggregateId', aggregate_id, 'version', version,
  'globalSequence', global_sequence) FROM commands WHERE id = ?`;
const INSERT_COMMAND = `INSERT INTO commands (id, fingerprint, aggregate_type, aggregate_id,
  version, global_sequence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`;

const fromRow = (row: Row): StoredEvent => JSON.parse(String(row[0])) as StoredEvent;
