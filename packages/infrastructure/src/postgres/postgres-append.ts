import {
  type AppendRequest,
  type AppendResult,
  checkExpectedVersion,
  type RecordedCommand,
  type StoredEvent,
} from '@ironstar/application';
import { Abort } from '../append-abort';
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
  const [row] = await q(`${SELECT_COMMANDS} WHERE id = $1`, [id]);
  return row ? commandOf(row) : null;
};

const key = (aggregateType: string, aggregateId: string) =>
  JSON.stringify([aggregateType, aggregateId]);

/**
 * Several requests' checks and writes inside the caller's transaction, in order, as if appended
 * one after another: the ONE sequencing path of this store (the event store's group commit and
 * the process store both append through it). A refused request (Abort) writes nothing and does
 * not affect the others. Holding the sequence lock, no other writer can append between the
 * checks and the inserts. A fixed number of round trips per batch, whatever its size: the
 * commands and stream heads are read in one query each, the rows written in one INSERT each.
 */
export const appendMany = async (
  tx: Tx,
  requests: readonly AppendRequest[],
  clock: () => string,
): Promise<Array<AppendResult | Abort>> => {
  const { q } = tx;
  let head = await lockHead(tx);
  const recorded = new Map<string, RecordedCommand>();
  const commandIds = requests.flatMap((r) => (r.command ? [r.command.id] : []));
  if (commandIds.length > 0) {
    for (const row of await q(`${SELECT_COMMANDS} WHERE id = ANY($1::text[])`, [commandIds])) {
      const command = commandOf(row);
      recorded.set(command.id, command);
    }
  }
  // Each stream's version and last global sequence, kept current as the batch appends.
  const streams = new Map<string, { version: number; last: number }>();
  const types: string[] = [];
  const ids: string[] = [];
  for (const r of requests) {
    const k = key(r.aggregateType, r.aggregateId);
    if (streams.has(k)) continue;
    streams.set(k, { version: 0, last: 0 });
    types.push(r.aggregateType);
    ids.push(r.aggregateId);
  }
  for (const row of await q(STREAM_HEADS, [types, ids])) {
    streams.set(key(String(row[0]), String(row[1])), {
      version: Number(row[2]),
      last: Number(row[3]),
    });
  }
  const createdAt = clock();
  const rows: StoredEvent[] = [];
  const commands: unknown[][] = [[], [], [], [], [], [], []];
  const results: Array<AppendResult | Abort> = [];
  for (const request of requests) {
    const { aggregateType, aggregateId } = request;
    const stream = streams.get(key(aggregateType, aggregateId)) ?? { version: 0, last: 0 };
    const duplicate = request.command ? recorded.get(request.command.id) : undefined;
    if (duplicate) {
      results.push(new Abort(duplicate));
      continue;
    }
    const actual = stream.version;
    if (!checkExpectedVersion(request.expectedVersion, actual)) {
      results.push(new Abort(actual));
      continue;
    }
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
    head += stored.length;
    rows.push(...stored);
    stream.version = actual + stored.length;
    stream.last = stored.at(-1)?.globalSequence ?? stream.last;
    if (request.command) {
      const command: RecordedCommand = {
        id: request.command.id,
        fingerprint: request.command.fingerprint,
        aggregateType,
        aggregateId,
        version: stream.version,
        globalSequence: stream.last,
      };
      recorded.set(command.id, command);
      for (const [i, value] of [
        command.id,
        command.fingerprint,
        aggregateType,
        aggregateId,
        command.version,
        command.globalSequence,
        createdAt,
      ].entries()) {
        commands[i]?.push(value);
      }
    }
    // What was stored, as a read would return it (JSON round trip: no shared references).
    results.push({
      events: stored.map((e) => JSON.parse(JSON.stringify(e)) as StoredEvent),
      version: stream.version,
    });
  }
  if (rows.length > 0) {
    // Arrays, one per column, unnested: one statement and ten parameters for any number of rows.
    await q(INSERT_EVENTS, [
      rows.map((e) => e.globalSequence),
      rows.map((e) => e.id),
      rows.map((e) => e.aggregateType),
      rows.map((e) => e.aggregateId),
      rows.map((e) => e.aggregateSequence),
      rows.map((e) => e.eventType),
      rows.map((e) => e.eventVersion),
      rows.map((e) => JSON.stringify(e.payload)),
      rows.map((e) => (e.metadata ? JSON.stringify(e.metadata) : null)),
      createdAt,
    ]);
  }
  if ((commands[0]?.length ?? 0) > 0) await q(INSERT_COMMANDS, commands);
  tx.head = head;
  return results;
};

/** One request through appendMany; throws Abort when it is refused. */
export const appendOne = async (
  tx: Tx,
  request: AppendRequest,
  clock: () => string,
): Promise<AppendResult> => {
  const [result] = await appendMany(tx, [request], clock);
  if (!result || result instanceof Abort) throw result ?? new Error('no result');
  return result;
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
  aggregate_sequence, event_type, event_version, payload, metadata, created_at)
  SELECT s, i, t, a, v, e, ev, p, m, $10 FROM unnest($1::bigint[], $2::text[], $3::text[],
    $4::text[], $5::int[], $6::text[], $7::int[], $8::json[], $9::json[]) AS x(s, i, t, a, v, e, ev, p, m)
  ORDER BY s`;
const STREAM_VERSION =
  'SELECT coalesce(max(aggregate_sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2';
const STREAM_HEADS = `SELECT e.aggregate_type, e.aggregate_id, max(e.aggregate_sequence), max(e.global_sequence)
  FROM events e JOIN unnest($1::text[], $2::text[]) AS s(t, a)
    ON e.aggregate_type = s.t AND e.aggregate_id = s.a
  GROUP BY e.aggregate_type, e.aggregate_id`;
const SELECT_COMMANDS = `SELECT id, fingerprint, aggregate_type, aggregate_id, version,
  global_sequence FROM commands`;
const INSERT_COMMANDS = `INSERT INTO commands (id, fingerprint, aggregate_type, aggregate_id,
  version, global_sequence, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[],
  $4::text[], $5::int[], $6::bigint[], $7::text[])`;

const commandOf = (row: unknown[]): RecordedCommand => ({
  id: String(row[0]),
  fingerprint: String(row[1]),
  aggregateType: String(row[2]),
  aggregateId: String(row[3]),
  version: Number(row[4]),
  globalSequence: Number(row[5]),
});
