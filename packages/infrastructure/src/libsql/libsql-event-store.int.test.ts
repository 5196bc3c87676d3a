import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '@ironstar/application/testing';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { getLibsqlEventStore } from './libsql-event-store';

const tempDb = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-store-'));
  return {
    url: `file:${join(dir, 'events.db')}`,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};

describeEventStoreContract('libSQL file', async () => {
  const { url, cleanup } = await tempDb();
  return {
    store: await getLibsqlEventStore({ url }),
    reopen: () => getLibsqlEventStore({ url }),
    cleanup,
  };
});

describe('libSQL event store', () => {
  it('runs its writer with WAL, synchronous=FULL and a busy timeout, read back from SQLite', async () => {
    const { url, cleanup } = await tempDb();
    const store = await getLibsqlEventStore({ url, busyTimeoutMs: 1234 });
    expect(store.settings).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeout: 1234 });
    await store.close();
    const relaxed = await getLibsqlEventStore({ url, synchronous: 'NORMAL' });
    expect(relaxed.settings.synchronous).toBe(1);
    await relaxed.close();
    await cleanup();
  });

  it('creates the events table STRICT, as the committed migration says', async () => {
    const { url, cleanup } = await tempDb();
    const store = await getLibsqlEventStore({ url });
    await store.close();
    const client = createClient({ url });
    const table = await client.execute("SELECT sql FROM sqlite_master WHERE name = 'events'");
    expect(String(table.rows[0]?.sql)).toMatch(/\) STRICT$/);
    // STRICT refuses a payload of the wrong type instead of silently storing it.
    await expect(
      client.execute(
        "INSERT INTO events (id, aggregate_type, aggregate_id, aggregate_sequence, event_type, payload) VALUES ('x', 'T', 'a', 'one', 'E', '{}')",
      ),
    ).rejects.toThrow(/cannot store TEXT value in INTEGER column/);
    client.close();
    await cleanup();
  });

  it('answers StoreUnavailable, not a throw, when the database cannot be written', async () => {
    const { url, cleanup } = await tempDb();
    const store = await getLibsqlEventStore({ url, busyTimeoutMs: 50 });
    // Another connection holds the write lock past our busy timeout.
    const other = createClient({ url });
    const tx = await other.transaction('write');
    await tx.execute(
      "INSERT INTO events (id, aggregate_type, aggregate_id, aggregate_sequence, event_type, payload) VALUES ('held', 'T', 'h', 1, 'E', '{}')",
    );
    const blocked = await store.append({
      aggregateType: 'Todo',
      aggregateId: 'a',
      expectedVersion: 0,
      events: [{ id: 'e1', type: 'TodoCreated', data: {} }],
    });
    expect(blocked._unsafeUnwrapErr()).toMatchObject({ type: 'StoreUnavailable' });
    await tx.rollback();
    other.close();
    // It recovers by itself once the lock is gone, and the failed append left nothing behind.
    const retried = await store.append({
      aggregateType: 'Todo',
      aggregateId: 'a',
      expectedVersion: 0,
      events: [{ id: 'e1', type: 'TodoCreated', data: {} }],
    });
    expect(retried._unsafeUnwrap().events[0]?.globalSequence).toBe(1);
    expect(store.settings.busyTimeout).toBe(50);
    await store.close();
    await cleanup();
  });

  it('commits concurrent appends together, and one refused append fails alone', async () => {
    const { url, cleanup } = await tempDb();
    const store = await getLibsqlEventStore({ url });
    (
      await store.append({
        aggregateType: 'Todo',
        aggregateId: 'stale',
        expectedVersion: 0,
        events: [{ id: 's1', type: 'E', data: {} }],
      })
    )._unsafeUnwrap();
    const before = { ...store.stats };
    const results = await Promise.all([
      ...Array.from({ length: 199 }, (_, i) =>
        store.append({
          aggregateType: 'Todo',
          aggregateId: `g${i}`,
          expectedVersion: 0,
          events: [{ id: `g${i}`, type: 'E', data: { i } }],
        }),
      ),
      store.append({
        aggregateType: 'Todo',
        aggregateId: 'stale',
        expectedVersion: 0,
        events: [{ id: 's2', type: 'E', data: {} }],
      }),
    ]);
    expect(results.slice(0, 199).every((r) => r.isOk())).toBe(true);
    expect(results[199]?._unsafeUnwrapErr()).toMatchObject({ type: 'ConcurrencyError', actual: 1 });
    expect(store.stats.appends - before.appends).toBe(200);
    // Far fewer transactions (and fsyncs) than appends.
    expect(store.stats.transactions - before.transactions).toBeLessThanOrEqual(2);
    const all = (await store.readAll({ after: 0, limit: 1000 }))._unsafeUnwrap();
    expect(all.map((e) => e.globalSequence)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await store.close();
    await cleanup();
  });

  it('keeps one projection snapshot per projection across a reopen', async () => {
    const { url, cleanup } = await tempDb();
    const store = await getLibsqlEventStore({ url });
    expect((await store.projectionSnapshots.load('todo-list'))._unsafeUnwrap()).toBeNull();
    (
      await store.projectionSnapshots.save({
        name: 'todo-list',
        version: 1,
        position: 7,
        data: [{ a: 1 }],
      })
    )._unsafeUnwrap();
    (
      await store.projectionSnapshots.save({
        name: 'todo-list',
        version: 2,
        position: 9,
        data: [{ a: '<b>' }],
      })
    )._unsafeUnwrap();
    await store.close();
    const reopened = await getLibsqlEventStore({ url });
    expect((await reopened.projectionSnapshots.load('todo-list'))._unsafeUnwrap()).toEqual({
      name: 'todo-list',
      version: 2,
      position: 9,
      data: [{ a: '<b>' }],
    });
    await reopened.close();
    await cleanup();
  });
});
