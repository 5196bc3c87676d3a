import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBus, EventStore, StoredEvent } from '@ironstar/application';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getLibsqlEventStore } from '../libsql/libsql-event-store';
import { getZeroMqEventBus } from '../zeromq/zeromq-event-bus';
import {
  createDuckDbAnalytics,
  type DuckDbAnalytics,
  type DuckDbAnalyticsOptions,
} from './duckdb-analytics';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIMITS = { timeoutMs: 5000, maxRows: 100_000, maxBytes: 64 * 2 ** 20 };

const setup = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-duckdb-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const store = await getLibsqlEventStore({ url: `file:${join(dir, 'events.db')}` });
  cleanups.push(() => store.close());
  const bus = await getZeroMqEventBus({ endpoint: `inproc://duckdb-${randomUUID()}` });
  cleanups.push(() => bus.close());
  return { store, bus };
};

const analyticsOn = async (
  store: EventStore,
  bus: EventBus,
  options: Partial<DuckDbAnalyticsOptions> = {},
) => {
  const analytics = await createDuckDbAnalytics({ store, bus, ...options });
  cleanups.push(() => analytics.close());
  await analytics.start();
  return analytics;
};

let n = 0;
/** Appends `count` events over a few aggregates and types, publishing them like the handler does. */
const write = async (store: EventStore, bus: EventBus, count: number) => {
  for (let i = 0; i < count; i++) {
    n++;
    const aggregateType = n % 3 === 0 ? 'QuerySession' : 'Todo';
    const aggregateId = `${aggregateType}-${n}`;
    const appended = await store.append({
      aggregateType,
      aggregateId,
      expectedVersion: 0,
      events: [
        {
          id: randomUUID(),
          type: aggregateType === 'Todo' ? 'TodoCreated' : 'QueryStarted',
          data: { id: aggregateId, text: `it's <n> "${n}"`, nested: { list: [n, null] } },
          ...(n % 2 === 0 ? { metadata: { correlationId: `c${n}`, requestId: `r${n}` } } : {}),
        },
      ],
    });
    await bus.publish(appended._unsafeUnwrap().events);
  }
};

const storeEvents = async (store: EventStore) =>
  (await store.readAll({ after: 0, limit: 100_000 }))._unsafeUnwrap();

/** The projection's rows, turned back into StoredEvent shape. */
const duckEvents = async (analytics: DuckDbAnalytics): Promise<StoredEvent[]> => {
  const result = (
    await analytics.execute(
      `SELECT global_sequence, id, aggregate_type, aggregate_id, aggregate_sequence, event_type,
              event_version, payload::VARCHAR, metadata::VARCHAR,
              strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ')
       FROM events ORDER BY global_sequence`,
      LIMITS,
    )
  )._unsafeUnwrap();
  return result.rows.map((row) => ({
    globalSequence: row[0] as number,
    id: row[1] as string,
    aggregateType: row[2] as string,
    aggregateId: row[3] as string,
    aggregateSequence: row[4] as number,
    eventType: row[5] as string,
    eventVersion: row[6] as number,
    payload: JSON.parse(row[7] as string),
    metadata: row[8] === null ? null : JSON.parse(row[8] as string),
    createdAt: row[9] as string,
  }));
};

const INFINITE =
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';

// Each test starts an engine process: generous limits for a loaded machine.
describe('DuckDB analytics projection', { timeout: 60_000 }, () => {
  it('holds exactly the store events after a rebuild, after live updates, and after a second rebuild', async () => {
    const { store, bus } = await setup();
    await write(store, bus, 2500);
    const analytics = await analyticsOn(store, bus);
    expect(analytics.position()).toBe(2500);
    expect(await duckEvents(analytics)).toEqual(await storeEvents(store));

    const applied: string[][] = [];
    analytics.onApplied((types) => applied.push([...types].sort()));
    await write(store, bus, 30);
    await vi.waitFor(() => expect(analytics.position()).toBe(2530), { timeout: 10_000 });
    expect(await duckEvents(analytics)).toEqual(await storeEvents(store));
    expect(applied.flat()).toContain('Todo');

    const rebuilt = await analyticsOn(store, bus);
    expect(await rebuilt.count()).toBe(2530);
    expect(await duckEvents(rebuilt)).toEqual(await storeEvents(store));
  });

  it('refuses anything but one read-only SELECT over the events table, and changes nothing', async () => {
    const { store, bus } = await setup();
    await write(store, bus, 5);
    const analytics = await analyticsOn(store, bus);
    const hostile = [
      'DROP TABLE events',
      'DELETE FROM events',
      "UPDATE events SET event_type = 'x'",
      'SELECT 1; DROP TABLE events',
      'SELECT 1; SELECT 2',
      'CREATE TABLE x AS SELECT * FROM events',
      "ATTACH ':memory:' AS other",
      'SET enable_external_access = true',
      "COPY events TO '/tmp/ironstar-leak.csv'",
      'CALL checkpoint()',
      'SELECT * FROM events WHERE',
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM enable_logging(storage='file', storage_path='/tmp/x')",
    ];
    for (const sql of hostile) {
      const prepared = await analytics.prepare(sql, LIMITS);
      expect(prepared._unsafeUnwrapErr(), sql).toMatchObject({ type: 'SqlRefused' });
    }
    expect((await analytics.prepare('DROP TABLE events', LIMITS))._unsafeUnwrapErr().message).toBe(
      'only a read-only SELECT is allowed',
    );
    expect((await analytics.prepare('SELECT 1; SELECT 2', LIMITS))._unsafeUnwrapErr().message).toBe(
      'only one statement is allowed; got 2',
    );
    expect(await analytics.count()).toBe(5);
    // The refused logging call never ran: the engine answers as before.
    expect((await analytics.execute('SELECT 42 AS answer', LIMITS))._unsafeUnwrap().rows).toEqual([
      [42],
    ]);
  });

  it('stops a query at its time limit and keeps serving', async () => {
    const { store, bus } = await setup();
    const analytics = await analyticsOn(store, bus);
    const slow = await analytics.execute(INFINITE, { ...LIMITS, timeoutMs: 300 });
    expect(slow._unsafeUnwrapErr()).toEqual({
      type: 'QueryExecutionFailed',
      message: 'stopped at the 300 ms time limit',
      timedOut: true,
    });
    const after = await analytics.execute('SELECT 42 AS answer', LIMITS);
    expect(after._unsafeUnwrap().rows).toEqual([[42]]);
  });

  it('kills an engine that does not stop in time, and rebuilds it from the store', async () => {
    const { store, bus } = await setup();
    await write(store, bus, 20);
    const restarts: string[] = [];
    const analytics = await analyticsOn(store, bus, {
      graceMs: 200,
      onRestart: (reason) => restarts.push(reason),
    });
    const firstPid = analytics.pid();
    // Constant folding while planning: DuckDB does not look at its interrupt flag there.
    const bomb = await analytics.prepare("SELECT length(repeat('x', 3000000000))", {
      ...LIMITS,
      timeoutMs: 300,
    });
    expect(bomb._unsafeUnwrapErr()).toEqual({
      type: 'SqlRefused',
      message: 'planning the query took longer than the 300 ms time limit',
    });
    await vi.waitFor(() => expect(restarts).toHaveLength(1), { timeout: 5000 });
    expect(restarts[0]).toMatch(/a query did not stop within 200 ms of its time limit/);
    await vi.waitFor(() => expect(analytics.position()).toBe(20), { timeout: 20_000 });
    expect(analytics.pid()).not.toBe(firstPid);
    expect(await analytics.count()).toBe(20);
    expect(
      (await analytics.execute('SELECT count(*) FROM events', LIMITS))._unsafeUnwrap().rows,
    ).toEqual([[20]]);
  });

  it('kills an engine whose memory passes its limit; its running queries fail with why', async () => {
    const { store, bus } = await setup();
    const restarts: string[] = [];
    const analytics = await analyticsOn(store, bus, {
      rssLimitBytes: 400 * 2 ** 20,
      onRestart: (reason) => restarts.push(reason),
    });
    const grown = await analytics.prepare("SELECT length(repeat('x', 3000000000))", {
      ...LIMITS,
      timeoutMs: 60_000,
    });
    expect(grown._unsafeUnwrapErr()).toMatchObject({
      type: 'AnalyticsUnavailable',
      message: expect.stringMatching(/^the analytics engine used \d+ MB, over its 400 MB limit/),
    });
    await vi.waitFor(() => expect(restarts).toHaveLength(1), { timeout: 5000 });
    await vi.waitFor(
      async () => expect((await analytics.execute('SELECT 1', LIMITS)).isOk()).toBe(true),
      {
        timeout: 20_000,
      },
    );
  });

  it('stops running queries at shutdown with a clear reason', async () => {
    const { store, bus } = await setup();
    const analytics = await analyticsOn(store, bus);
    const prepared = (
      await analytics.prepare(INFINITE, { ...LIMITS, timeoutMs: 30_000 })
    )._unsafeUnwrap();
    const running = prepared.run();
    analytics.interruptAll();
    expect((await running)._unsafeUnwrapErr().message).toBe('stopped: the server shut down');
    expect((await analytics.prepare('SELECT 1', LIMITS))._unsafeUnwrapErr().type).toBe(
      'AnalyticsUnavailable',
    );
  });

  it('returns at most the row limit and the byte limit, says which, and types numbers as numbers', async () => {
    const { store, bus } = await setup();
    const analytics = await analyticsOn(store, bus);
    const result = (
      await analytics.execute('SELECT n, n * 1.5 AS x FROM (SELECT unnest(range(5000)) AS n)', {
        ...LIMITS,
        maxRows: 10,
      })
    )._unsafeUnwrap();
    expect(result.rows).toHaveLength(10);
    expect(result).toMatchObject({ truncated: true, truncatedBy: 'rows' });
    expect(result.columns).toEqual([
      { name: 'n', type: 'BIGINT' },
      { name: 'x', type: 'DECIMAL(21,1)' },
    ]);
    expect(result.rows[3]).toEqual([3, 4.5]);
    expect(result.bytes).toBe(Buffer.byteLength(JSON.stringify(result.rows)));

    const wide = (
      await analytics.execute("SELECT repeat('é', 1000) AS s FROM (SELECT unnest(range(100)))", {
        ...LIMITS,
        maxBytes: 10_000,
      })
    )._unsafeUnwrap();
    expect(wide).toMatchObject({ truncated: true, truncatedBy: 'bytes' });
    expect(wide.rows).toHaveLength(4); // each row is 2,006 bytes of JSON
    expect(wide.bytes).toBe(Buffer.byteLength(JSON.stringify(wide.rows)));
    expect(wide.bytes).toBeLessThanOrEqual(10_000);

    // Larger results cross from the engine in ~256 KB batches, reassembled in order.
    const many = (
      await analytics.execute(
        "SELECT n, repeat('x', 1000) AS pad FROM (SELECT unnest(range(3000)) AS n) ORDER BY n",
        LIMITS,
      )
    )._unsafeUnwrap();
    expect(many.rows.map((row) => row[0])).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(many.bytes).toBe(Buffer.byteLength(JSON.stringify(many.rows)));

    const small = (await analytics.execute('SELECT 1 AS one', LIMITS))._unsafeUnwrap();
    expect(small).toMatchObject({ truncated: false, truncatedBy: null });
  });

  it('waits for a position, or gives up after its timeout', async () => {
    const { store, bus } = await setup();
    const analytics = await analyticsOn(store, bus);
    expect(await analytics.waitFor(1, 50)).toBe(false);
    const waiting = analytics.waitFor(1, 5000);
    await write(store, bus, 1);
    expect(await waiting).toBe(true);
  });
});
