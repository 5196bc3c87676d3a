import {
  type AppendRequest,
  type AppendResult,
  checkExpectedVersion,
  type RecordedCommand,
  type StoredEvent,
} from '@ironstar/application';
import type { InValue, Row, Transaction } from '@libsql/client';
import { Abort } from '../append-abort';
import type { Connection, Query } from './libsql-writer';

/** A client or a transaction on it. */
export type Executor = Pick<Transaction, 'execute'>;
export type { Query } from './libsql-writer';

export { Abort };

/** A request that passed its checks, its rows waiting for the next multi-row insert. */
type Accepted = {
  readonly index: number;
  readonly request: AppendRequest;
  /** The stream's version before it. */
  readonly actual: number;
  /** Its first event's row among the rows waiting. */
  readonly firstRow: number;
};

const EVENT_COLUMNS = 9;
const COMMAND_COLUMNS = 7;
/** Rows per INSERT: each count a power of two up to this, so few statements stay prepared. */
const MAX_ROWS = 64;

/** `n` rows as INSERTs of power-of-two sizes, largest first: [offset, size] pairs. */
const chunksOf = (n: number): Array<[number, number]> => {
  const chunks: Array<[number, number]> = [];
  let offset = 0;
  for (let size = MAX_ROWS; size >= 1; size >>= 1) {
    while (n - offset >= size) {
      chunks.push([offset, size]);
      offset += size;
    }
  }
  return chunks;
};

const valuesSql = (head: string, columns: number, rows: number) =>
  `${head} ${Array.from({ length: rows }, () => `(${Array(columns).fill('?').join(', ')})`).join(', ')}`;

/**
 * The store's append internals: the expected-version checks, the inserts and the command
 * records, run inside a write transaction the caller holds. The event store (a group commit's
 * batch) and the process store (one step) both append through `appendAll`, so there is one
 * sequencing path.
 */
export const createAppender = (clock: () => string) => {
  const read =
    (client: Executor): Query =>
    async (sql, args) =>
      (await client.execute({ sql, args: [...args] })).rows;

  const streamVersion = async (q: Query, aggregateType: string, aggregateId: string) => {
    const [row] = await q(STREAM_VERSION, [aggregateType, aggregateId]);
    return Number(row?.[0] ?? 0);
  };

  const findCommand = async (q: Query, id: string): Promise<RecordedCommand | null> => {
    const [row] = await q(FIND_COMMAND, [id]);
    return row ? (JSON.parse(String(row[0])) as RecordedCommand) : null;
  };

  // Prepared once per size (see libsql-writer.ts), so built once per size too.
  const insertSql = new Map<number, string>();
  const commandSql = new Map<number, string>();
  const sqlFor = (cache: Map<number, string>, head: string, columns: number, rows: number) => {
    let sql = cache.get(rows);
    if (sql === undefined) {
      sql = valuesSql(head, columns, rows);
      cache.set(rows, sql);
    }
    return sql;
  };

  /**
   * Inserts `rows` flat arguments in power-of-two statements; answers the first row's global
   * sequence. Under the write lock SQLite numbers the rows of one transaction consecutively in
   * insert order (AUTOINCREMENT: one past the largest rowid ever), so the last rowid says all.
   */
  const insertEvents = async (c: Connection, args: readonly InValue[], rows: number) => {
    let first = 0;
    let last = 0;
    for (const [offset, size] of chunksOf(rows)) {
      last = await c.run(
        sqlFor(insertSql, INSERT_EVENTS, EVENT_COLUMNS, size),
        args.slice(offset * EVENT_COLUMNS, (offset + size) * EVENT_COLUMNS),
      );
      if (offset === 0) first = last - size + 1;
      else if (last !== first + offset + size - 1) {
        throw new Error(`events were not numbered consecutively (${first}+${offset}: ${last})`);
      }
    }
    return first;
  };

  /**
   * Every request's checks in order, then its events and command record with the others' in
   * a few multi-row INSERTs. A request on a stream (or with a command id) that an earlier one
   * in the batch is about to write waits for those rows to be written first, so every check
   * sees what came before it, exactly as one request at a time would. Answers an Abort (the
   * refusal; nothing of it written) or the result for each request.
   */
  const appendAll = async (
    c: Connection,
    requests: readonly AppendRequest[],
  ): Promise<Array<AppendResult | Abort>> => {
    const q = c.query;
    const outcomes: Array<AppendResult | Abort> = new Array(requests.length);
    let accepted: Accepted[] = [];
    let args: InValue[] = [];
    let rows = 0;
    const waiting = new Set<string>();
    // One time for the whole transaction: its rows are committed at the same instant.
    const createdAt = clock();

    const flush = async () => {
      if (accepted.length === 0) return;
      const first = rows > 0 ? await insertEvents(c, args, rows) : 0;
      const commandArgs: InValue[] = [];
      for (const { index, request, actual, firstRow } of accepted) {
        const { aggregateType, aggregateId } = request;
        const events: StoredEvent[] = request.events.map((event, i) => ({
          globalSequence: first + firstRow + i,
          id: event.id,
          aggregateType,
          aggregateId,
          aggregateSequence: actual + i + 1,
          eventType: event.type,
          eventVersion: event.version ?? 1,
          // The caller's own (readonly) objects: stored as their JSON, not parsed back.
          payload: event.data,
          metadata: event.metadata ?? null,
          createdAt,
        }));
        const version = actual + events.length;
        outcomes[index] = { events, version };
        if (request.command) {
          const lastSequence =
            events.at(-1)?.globalSequence ??
            Number((await q(STREAM_LAST_SEQUENCE, [aggregateType, aggregateId]))[0]?.[0] ?? 0);
          commandArgs.push(
            request.command.id,
            request.command.fingerprint,
            aggregateType,
            aggregateId,
            version,
            lastSequence,
            createdAt,
          );
        }
      }
      for (const [offset, size] of chunksOf(commandArgs.length / COMMAND_COLUMNS)) {
        await c.run(
          sqlFor(commandSql, INSERT_COMMAND, COMMAND_COLUMNS, size),
          commandArgs.slice(offset * COMMAND_COLUMNS, (offset + size) * COMMAND_COLUMNS),
        );
      }
      accepted = [];
      args = [];
      rows = 0;
      waiting.clear();
    };

    for (const [index, request] of requests.entries()) {
      const { aggregateType, aggregateId } = request;
      const stream = `s\0${aggregateType}\0${aggregateId}`;
      const command = request.command ? `c\0${request.command.id}` : undefined;
      if (waiting.has(stream) || (command !== undefined && waiting.has(command))) await flush();
      if (request.command) {
        const recorded = await findCommand(q, request.command.id);
        if (recorded) {
          outcomes[index] = new Abort(recorded);
          continue;
        }
      }
      const actual = await streamVersion(q, aggregateType, aggregateId);
      if (!checkExpectedVersion(request.expectedVersion, actual)) {
        outcomes[index] = new Abort(actual);
        continue;
      }
      accepted.push({ index, request, actual, firstRow: rows });
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
      rows += request.events.length;
      waiting.add(stream);
      if (command !== undefined) waiting.add(command);
    }
    await flush();
    return outcomes;
  };

  /** One request's checks and writes; throws Abort before writing anything it refuses. */
  const appendOne = async (c: Connection, request: AppendRequest): Promise<AppendResult> => {
    const [outcome] = await appendAll(c, [request]);
    if (outcome === undefined || outcome instanceof Abort) throw outcome;
    return outcome;
  };

  return { read, streamVersion, findCommand, appendAll, appendOne };
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
  version, global_sequence, created_at) VALUES`;

export const fromRow = (row: Row): StoredEvent => JSON.parse(String(row[0])) as StoredEvent;
