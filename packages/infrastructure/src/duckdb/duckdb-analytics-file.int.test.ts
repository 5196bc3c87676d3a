import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBus, EventStore } from '@ironstar/application';
import { afterEach, describe, expect, it } from 'vitest';
import { getLibsqlEventStore } from '../libsql/libsql-event-store';
import { getZeroMqEventBus } from '../zeromq/zeromq-event-bus';
import { createDuckDbAnalytics, type DuckDbAnalyticsOptions } from './duckdb-analytics';

// The analytics projection kept in a DuckDB file: what a restart reads, and when it starts over.

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIMITS = { timeoutMs: 5000, maxRows: 100_000, maxBytes: 64 * 2 ** 20 };

const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-duckfile-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

const openStore = async (dir: string, name = 'events.db') => {
  const store = await getLibsqlEventStore({ url: `file:${join(dir, name)}` });
  cleanups.push(() => store.close());
  return store;
};

const openBus = async () => {
  const bus = await getZeroMqEventBus({ endpoint: `inproc://duckfile-${randomUUID()}` });
  cleanups.push(() => bus.close());
  return bus;
};

/** A started projection; `close` is also called after the test (a second call is harmless). */
const analyticsOn = async (options: DuckDbAnalyticsOptions) => {
  const analytics = await createDuckDbAnalytics(options);
  cleanups.push(() => analytics.close());
  await analytics.start();
  return analytics;
};

/** The store, with the `after` of every page the projection reads from it recorded. */
const watched = (store: EventStore) => {
  const reads: number[] = [];
  const wrapped: Pick<EventStore, 'readAll' | 'head'> = {
    head: () => store.head(),
    readAll: (page) => {
      reads.push(page.after);
      return store.readAll(page);
    },
  };
  return { store: wrapped, reads };
};

const write = async (store: EventStore, bus: EventBus, count: number, prefix: string) => {
  for (let i = 0; i < count; i++) {
    const appended = await store.append({
      aggregateType: 'Todo',
      aggregateId: `${prefix}-${i}`,
      expectedVersion: 0,
      events: [{ id: randomUUID(), type: 'TodoCreated', data: { text: `${prefix} ${i}` } }],
    });
    await bus.publish(appended._unsafeUnwrap().events);
  }
};

const ids = async (analytics: { execute: Awaited<ReturnType<typeof analyticsOn>>['execute'] }) =>
  (await analytics.execute('SELECT id FROM events ORDER BY global_sequence', LIMITS))
    ._unsafeUnwrap()
    .rows.map((row) => row[0]);

const storeIds = async (store: EventStore) =>
  (await store.readAll({ after: 0, limit: 10_000 }))._unsafeUnwrap().map((e) => e.id);

describe('DuckDB analytics projection kept in a file', { timeout: 60_000 }, () => {
  it('catches up from the position its file holds, reading only the events after it', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    const bus = await openBus();
    const path = join(dir, 'analytics.duckdb');
    await write(store, bus, 40, 'first');
    const first = await analyticsOn({ store, bus, path });
    expect(first.position()).toBe(40);
    await first.close();

    await write(store, bus, 7, 'while stopped');
    const { store: counted, reads } = watched(store);
    const second = await analyticsOn({ store: counted, bus, path });
    expect(second.position()).toBe(47);
    expect(await ids(second)).toEqual(await storeIds(store));
    // One read to check the event at 40 is the one the file holds, then the 7 after it.
    expect(reads.length).toBeGreaterThan(0);
    expect(Math.min(...reads)).toBe(39);

    // Live events still arrive, and a restart after them starts from there.
    await write(store, bus, 3, 'live');
    await expect.poll(() => second.position(), { timeout: 10_000 }).toBe(50);
    await second.close();
    const { store: again, reads: later } = watched(store);
    const third = await analyticsOn({ store: again, bus, path });
    expect(await ids(third)).toEqual(await storeIds(store));
    expect(Math.min(...later)).toBe(49);
  });

  it('starts over when the store is not the one its file was built from', async () => {
    const dir = await tempDir();
    const bus = await openBus();
    const path = join(dir, 'analytics.duckdb');
    const before = await openStore(dir, 'before.db');
    await write(before, bus, 20, 'before');
    await (await analyticsOn({ store: before, bus, path })).close();

    // Another database under the same analytics file: as many events, other ids.
    const replaced = await openStore(dir, 'replaced.db');
    await write(replaced, bus, 25, 'replaced');
    const { store: counted, reads } = watched(replaced);
    const analytics = await analyticsOn({ store: counted, bus, path });
    expect(await ids(analytics)).toEqual(await storeIds(replaced));
    expect(reads).toContain(0);

    // Fewer events than the file holds: also another store.
    await analytics.close();
    const shorter = await openStore(dir, 'shorter.db');
    await write(shorter, bus, 3, 'shorter');
    const rebuilt = await analyticsOn({ store: shorter, bus, path });
    expect(await ids(rebuilt)).toEqual(await storeIds(shorter));
  });

  it('keeps the table in memory, and says why, when another process holds the file', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    const bus = await openBus();
    const path = join(dir, 'analytics.duckdb');
    await write(store, bus, 5, 'shared');
    const holder = await analyticsOn({ store, bus, path });
    const reasons: string[] = [];
    const other = await analyticsOn({ store, bus, path, onNotKept: (r) => reasons.push(r) });
    expect(reasons).toEqual([expect.stringMatching(/lock/i)]);
    expect(await ids(other)).toEqual(await storeIds(store));
    expect(await ids(holder)).toEqual(await storeIds(store));
  });
});
