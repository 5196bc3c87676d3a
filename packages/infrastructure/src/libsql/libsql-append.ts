import {
  type AppendRequest,
  type AppendResult,
  checkExpectedVersion,
  type RecordedCommand,
  type StoredEvent,
} from '@ironstar/application';
import type { InValue, Row, Transaction } from '@libsql/client';

/** A client or a transaction on it. */
export type Executor = Pick<Transaction, 'execute'>;
export type Query = (sql: string, args: InValue[]) => Promise<Row[]>;

/** Thrown inside a transaction callback only, to make drizzle roll back. */
export class Abort {
  /** The stream's actual version (a conflict), or the command already recorded. */
  readonly error: number | RecordedCommand;
  constructor(error: number | RecordedCommand) {
    this.error = error;
  }
}

/**
 * The store's append internals: the expected-version check, the inserts and the command
 * record, run inside a write transaction the caller holds. The event store and the process
 * store both append through this, so there is one sequencing path.
 */
export const createAppender = (clock: () => string) => {
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

  return { read, streamVersion, findCommand, appendOne };
};

// SQLite builds each event as one JSON text: @libsql/client then makes one property per row
// instead of ten, and JSON.parse does the rest. 1.65x a plain SELECT * + JSON.parse (measured).
const EVENT_JSON = `json_object(
  'globalSequence', global_sequence, 'id', id, 'aggregateType', aggregate_type,
  'aggregateId', aggregate_id, 'aggregateSequence', aggregate_sequence, 'eventType', event_type,
  'eventVersion', event_version, 'payload', json(payload), 'metadata', json(metadata),
  'createdAt', created_at)`;
export const SELECT_EVENTS = `SELECT ${EVENT_JSON} FROM events`;
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

export const fromRow = (row: Row): StoredEvent => JSON.parse(String(row[0])) as StoredEvent;
