import {
  type AppendRequest,
  type AppendResult,
  checkExpectedVersion,
  type RecordedCommand,
  type StoredEvent,
} from '@ironstar/application';
import { Abort } from '../libsql/libsql-append';
import type { Query } from './postgres-database';

export { Abort };

/** A write transaction: its query function, and the global head once it holds the lock. */
export type Tx = { readonly q: Query; head: number | null };

export const txOf = (q: Query): Tx => ({ q, head: null });

/**
 * Key of the transaction-level advisory lock every appender takes before it reads the head.
 *
 * Why a lock and `max + 1` rather than a sequence or identity column: a sequence hands out
 * numbers at INSERT time, so under concurrent transactions 7 can commit after 8 (a reader at
 * 8 then never sees 7) and a rolled-back insert leaves a hole. With this lock held from the
 * head read to COMMIT, appends commit one after another, each numbering from the head the
 * previous one committed: gap-free and in commit order. PostgreSQL makes a commit visible
 * before it releases the transaction's locks, so the next appender always reads the new head.
 * The cost is one writer at a time per database, which group commit amortizes (many appends
 * per transaction), as the single writer does on libSQL.
 */
export const SEQUENCE_LOCK = 0x1a0057a1;

/** Takes the sequence lock (once per transaction) and returns the committed head. */
export const lockHead = async (tx: Tx): Promise<number> => {
  if (tx.head === null) {
    await tx.q('SELECT pg_advisory_xact_lock($1)', [SEQUENCE_LOCK]);
    const [row] = await tx.q('SELECT coalesce(max(global_sequence), 0) FROM events', []);
    tx.head = Number(row?.[0] ?? 0);
  }
  return tx.head;
};

export const streamVersion = async (q: Query, aggregateType: string, aggregateId: string) => {
  const [row] = await q(STREAM_VERSION, [aggregateType, aggregateId]);
  return Number(row?.[0] ?? 0);
};

export const findCommand = async (q: Query, id: string): Promise<RecordedCommand | null> => {
  const [row] = await q(FIND_COMMAND, [id]);
  return row
    ? {
        id: String(row[0]),
        fingerprint: String(row[1]),
        aggregateType: String(row[2]),
        aggregateId: String(row[3]),
        version: Number(row[4]),
        globalSequence: Number(row[5]),
      }
    : null;
};

/**
 * One request's checks and writes inside the caller's transaction: the ONE sequencing path of
 * this store (the event store's group commit and the process store both append through it).
 * Throws Abort before writing anything it refuses. Holding the sequence lock, no other writer
 * can append between the checks and the inserts.
 */
export const appendOne = async (
  tx: Tx,
  request: AppendRequest,
  clock: () => string,
): Promise<AppendResult> => {
  const { q } = tx;
  const { aggregateType, aggregateId } = request;
  const head = await lockHead(tx);
  if (request.command) {
    const recorded = await findCommand(q, request.command.id);
    if (recorded) throw new Abort(recorded);
  }
  const actual = await streamVersion(q, aggregateType, aggregateId);
  if (!checkExpectedVersion(request.expectedVersion, actual)) throw new Abort(actual);
  const createdAt = clock();
  const stored: StoredEvent[] = request.events.map((event, i) => ({
    globalSequence: head + i + 1,
    id: event.id,
    aggregateType,
    aggregateId,
    aggregateSequence: actual + i + 1,
    eventType: event.type,
    eventVersion: event.version ?? 1,
    payload: event.data,
    metadata: event.metadata ?? null,
    createdAt,
  }));
  if (stored.length > 0) {
    const args: unknown[] = [];
    const rows: string[] = [];
    for (const e of stored) {
      const n = args.length;
      rows.push(
        `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9}, $${n + 10})`,
      );
      args.push(
        e.globalSequence,
        e.id,
        aggregateType,
        aggregateId,
        e.aggregateSequence,
        e.eventType,
        e.eventVersion,
        JSON.stringify(e.payload),
        e.metadata ? JSON.stringify(e.metadata) : null,
        createdAt,
      );
    }
    await q(`${INSERT_EVENTS} ${rows.join(', ')}`, args);
    tx.head = head + stored.length;
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
  // What was stored, as a read would return it (JSON round trip: no shared references).
  return { events: stored.map((e) => JSON.parse(JSON.stringify(e)) as StoredEvent), version };
};

/** Columns in the order eventOf reads them. */
export const SELECT_EVENTS = `SELECT global_sequence, id, aggregate_type, aggregate_id,
  aggregate_sequence, event_type, event_version, payload, metadata, created_at FROM events`;

/** A row of SELECT_EVENTS (pg parses json columns; bigint arrives as text). */
export const eventOf = (row: unknown[]): StoredEvent => ({
  globalSequence: Number(row[0]),
  id: String(row[1]),
  aggregateType: String(row[2]),
  aggregateId: String(row[3]),
  aggregateSequence: Number(row[4]),
  eventType: String(row[5]),
  eventVersion: Number(row[6]),
  payload: row[7],
  metadata: (row[8] ?? null) as StoredEvent['metadata'],
  createdAt: String(row[9]),
});

const INSERT_EVENTS = `INSERT INTO events (global_sequence, id, aggregate_type, aggregate_id,
  aggregate_sequence, event_type, event_version, payload, metadata, created_at) VALUES`;
const STREAM_VERSION =
  'SELECT coalesce(max(aggregate_sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2';
const STREAM_LAST_SEQUENCE =
  'SELECT coalesce(max(global_sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2';
const FIND_COMMAND = `SELECT id, fingerprint, aggregate_type, aggregate_id, version,
  global_sequence FROM commands WHERE id = $1`;
const INSERT_COMMAND = `INSERT INTO commands (id, fingerprint, aggregate_type, aggregate_id,
  version, global_sequence, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
