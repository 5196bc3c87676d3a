import { describeEventStoreContract } from '@ironstar/application/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';
import { getPostgresEventStore } from './postgres-event-store';

// One private cluster for this file; a fresh database per test.
let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 60_000);
afterAll(() => cluster?.stop());

describeEventStoreContract(
  'PostgreSQL',
  async () => {
    const url = await cluster.createDatabase();
    return {
      store: await getPostgresEventStore({ url }),
      reopen: () => getPostgresEventStore({ url }),
    };
  },
  { durable: true },
);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});
const openStore = async (url: string) => {
  const store = await getPostgresEventStore({ url });
  cleanups.push(() => store.close());
  return store;
};
const otherClient = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
};
const event = (id: string) => ({ id, type: 'TodoCreated', data: { id } });

describe('PostgreSQL event store', () => {
  it('creates its tables from the committed drizzle migrations, once, even when two stores open at once', async () => {
    const url = await cluster.createDatabase();
    await Promise.all([openStore(url), openStore(url)]);
    const client = await otherClient(url);
    const { rows } = await client.query(
      "SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'payload'",
    );
    expect(rows).toEqual([{ data_type: 'json' }]);
    const applied = await client.query(
      'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
    );
    expect(applied.rows[0].n).toBeGreaterThanOrEqual(1);
  });

  it('tells onCommit how long each write transaction took to commit', async () => {
    const url = await cluster.createDatabase();
    const commits: number[] = [];
    const store = await getPostgresEventStore({ url, onCommit: (s) => commits.push(s) });
    cleanups.push(() => store.close());
    for (const id of ['a', 'b', 'c']) {
      const appended = await store.append({
        aggregateType: 'Todo',
        aggregateId: id,
        expectedVersion: 0,
        events: [event(id)],
      });
      expect(appended.isOk()).toBe(true);
    }
    expect(commits).toHaveLength(3);
    for (const seconds of commits) expect(seconds).toBeGreaterThan(0);
  });

  it('numbers events gap-free in commit order across processes, as a follower reading concurrently sees them', async () => {
    const url = await cluster.createDatabase();
    // Two stores = two processes' pools; each appends to its own streams concurrently.
    const [a, b] = await Promise.all([openStore(url), openStore(url)]);
    const writers = [a, b].flatMap((store, s) =>
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 25; i++) {
          const result = await store.append({
            aggregateType: 'Todo',
            aggregateId: `s${s}-w${w}`,
            expectedVersion: 2 * i,
            events: [event(`s${s}-w${w}-${i}-a`), event(`s${s}-w${w}-${i}-b`)],
          });
          if (result.isErr()) throw new Error(JSON.stringify(result.error));
        }
      }),
    );
    // A follower that advances its cursor to the last event it read: with numbers taken out of
    // commit order it would skip an event committed late under a lower number.
    const seen: number[] = [];
    let done = false;
    const follower = (async () => {
      for (;;) {
        const finished = done; // read once more after the writers finished
        const page = (await a.readAll({ after: seen.at(-1) ?? 0, limit: 50 }))._unsafeUnwrap();
        seen.push(...page.map((e) => e.globalSequence));
        if (page.length === 0 && finished) break;
        if (page.length === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      await Promise.all(writers);
    } finally {
      done = true;
      await follower;
    }
    expect(seen).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect((await b.head())._unsafeUnwrap()).toBe(600);
  });

  it('refuses the same command id from two processes at once: exactly one is applied', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([openStore(url), openStore(url)]);
    const request = (store: typeof a, n: number) =>
      store.append({
        aggregateType: 'Todo',
        aggregateId: `t${n}`,
        expectedVersion: 'any',
        events: [event(`e${n}`)],
        command: { id: 'cmd-1', fingerprint: 'f' },
      });
    const results = await Promise.all([request(a, 1), request(b, 2), request(a, 3), request(b, 4)]);
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    for (const r of results.filter((x) => x.isErr())) {
      expect(r._unsafeUnwrapErr()).toMatchObject({ type: 'DuplicateCommand' });
    }
    expect((await a.head())._unsafeUnwrap()).toBe(1);
  });

  it('accepts exactly one of two processes appending at the same expected version', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([openStore(url), openStore(url)]);
    const results = await Promise.all(
      [a, b, a, b].map((store, i) =>
        store.append({
          aggregateType: 'Todo',
          aggregateId: 'one',
          expectedVersion: 0,
          events: [event(`race-${i}`)],
        }),
      ),
    );
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    for (const r of results.filter((x) => x.isErr())) {
      expect(r._unsafeUnwrapErr()).toMatchObject({ type: 'ConcurrencyError', actual: 1 });
    }
  });

  it('commits many appends per transaction (group commit), refusing one without failing the rest', async () => {
    const url = await cluster.createDatabase();
    const store = await openStore(url);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.append({
          aggregateType: 'Todo',
          aggregateId: i === 7 ? 'x0' : `x${i}`,
          expectedVersion: i === 7 ? 5 : 'noStream',
          events: [event(`g${i}`)],
        }),
      ),
    );
    expect(results.filter((r) => r.isErr())).toHaveLength(1);
    expect(results[7]?._unsafeUnwrapErr()).toMatchObject({ type: 'ConcurrencyError' });
    expect(store.stats.appends).toBe(40);
    expect(store.stats.transactions).toBeLessThan(40);
    expect((await store.head())._unsafeUnwrap()).toBe(39);
  });

  it('keeps a payload PostgreSQL json could mangle exactly as given (NUL escape, key order, big numbers)', async () => {
    const url = await cluster.createDatabase();
    const store = await openStore(url);
    const data = { z: 'a\u0000b<script>', a: [1, 2.5, 9007199254740991], nested: { '': null } };
    await store.append({
      aggregateType: 'Todo',
      aggregateId: 'j',
      expectedVersion: 0,
      events: [{ id: 'j1', type: 'T', data }],
    });
    const [read] = (await store.readStream('Todo', 'j'))._unsafeUnwrap();
    expect(JSON.stringify(read?.payload)).toBe(JSON.stringify(data));
  });

  it('answers unavailable (never hangs, never half-writes) while PostgreSQL is down, and recovers by itself', async () => {
    const url = await cluster.createDatabase();
    const store = await getPostgresEventStore({ url, timeoutMs: 2000 });
    cleanups.push(() => store.close());
    const append = (id: string) =>
      store.append({
        aggregateType: 'Todo',
        aggregateId: id,
        expectedVersion: 0,
        events: [event(id)],
      });
    expect((await append('before')).isOk()).toBe(true);
    await cluster.stopServer();
    try {
      const down = await append('during');
      expect(down._unsafeUnwrapErr()).toMatchObject({ type: 'StoreUnavailable' });
      expect((await store.head()).isErr()).toBe(true);
    } finally {
      await cluster.startServer();
    }
    await vi.waitFor(async () => expect((await append('after')).isOk()).toBe(true), {
      timeout: 15_000,
    });
    const all = (await store.readAll({ after: 0, limit: 10 }))._unsafeUnwrap();
    expect(all.map((e) => [e.globalSequence, e.aggregateId])).toEqual([
      [1, 'before'],
      [2, 'after'],
    ]);
  });
});
