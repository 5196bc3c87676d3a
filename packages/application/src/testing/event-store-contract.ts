import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EventStore, type NewEvent, readAllPages } from '../event-store';
import type { SnapshotStore } from '../snapshot-store';
import { withUpcasters } from '../upcasting';
import { cartUpcasters } from './shopping-cart';

type StoreWithSnapshots = EventStore & { readonly snapshots: SnapshotStore };

export type StoreFixture = {
  readonly store: StoreWithSnapshots;
  /** Closes and opens the same storage again; required when the store is declared durable. */
  readonly reopen?: () => Promise<StoreWithSnapshots>;
  readonly cleanup?: () => Promise<void>;
};

/** What an implementation can do beyond the common contract, known when the suite is declared. */
export type StoreCapabilities = {
  /** Keeps what it acknowledged across a close and reopen: the durability tests run. */
  readonly durable: boolean;
};

const newEvent = (type: string, data: unknown = {}): NewEvent => ({ id: randomUUID(), type, data });

/**
 * The behaviour every EventStore must have. Run it against each implementation so the
 * in-memory fake can never drift from the real store.
 */
export const describeEventStoreContract = (
  name: string,
  setup: () => Promise<StoreFixture>,
  capabilities: StoreCapabilities,
) => {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: StoreWithSnapshots;
    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      try {
        await store.close();
      } finally {
        await fixture.cleanup?.();
      }
    });

    /** Closes the store and opens the same storage again. */
    const reopen = async () => {
      if (!fixture.reopen) throw new Error(`${name} is declared durable but has no reopen`);
      await store.close();
      store = await fixture.reopen();
    };
    // Skipped, not passed, where the implementation cannot keep anything across a reopen.
    const durableIt = it.skipIf(!capabilities.durable);

    const append = (
      aggregateId: string,
      expectedVersion: number | 'any' | 'noStream' | 'streamExists',
      ...events: NewEvent[]
    ) => store.append({ aggregateType: 'Todo', aggregateId, expectedVersion, events });

    it('appends to a new stream and reads it back with every field', async () => {
      const event: NewEvent = {
        id: randomUUID(),
        type: 'TodoCreated',
        data: { text: 'héllo <b>"world"</b> 😀', n: 1.5, nested: { ok: true } },
        metadata: { correlationId: 'c-1', requestId: 'r-1' },
      };
      const result = (await append('a', 0, event))._unsafeUnwrap();
      expect(result.version).toBe(1);
      const [stored] = (await store.readStream('Todo', 'a'))._unsafeUnwrap();
      expect(stored).toMatchObject({
        globalSequence: 1,
        id: event.id,
        aggregateType: 'Todo',
        aggregateId: 'a',
        aggregateSequence: 1,
        eventType: 'TodoCreated',
        eventVersion: 1,
        payload: event.data,
        metadata: event.metadata,
      });
      expect(Number.isNaN(Date.parse(stored?.createdAt ?? ''))).toBe(false);
      expect(result.events).toEqual([stored]);
    });

    it('appends several events atomically with consecutive sequences', async () => {
      (await append('a', 0, newEvent('A1'), newEvent('A2'), newEvent('A3')))._unsafeUnwrap();
      (await append('b', 0, newEvent('B1')))._unsafeUnwrap();
      const r = (await append('a', 3, newEvent('A4')))._unsafeUnwrap();
      expect(r.version).toBe(4);
      const a = (await store.readStream('Todo', 'a'))._unsafeUnwrap();
      expect(a.map((e) => [e.eventType, e.aggregateSequence, e.globalSequence])).toEqual([
        ['A1', 1, 1],
        ['A2', 2, 2],
        ['A3', 3, 3],
        ['A4', 4, 5],
      ]);
    });

    it('rejects a stale expected version with the actual version, storing nothing', async () => {
      (await append('a', 0, newEvent('A1'), newEvent('A2')))._unsafeUnwrap();
      const stale = await append('a', 1, newEvent('late'));
      expect(stale._unsafeUnwrapErr()).toMatchObject({
        type: 'ConcurrencyError',
        expected: 1,
        actual: 2,
      });
      const ahead = await append('a', 5, newEvent('gap'));
      expect(ahead._unsafeUnwrapErr()).toMatchObject({
        type: 'ConcurrencyError',
        expected: 5,
        actual: 2,
      });
      expect((await store.readStream('Todo', 'a'))._unsafeUnwrap()).toHaveLength(2);
      expect((await store.head())._unsafeUnwrap()).toBe(2);
    });

    it('enforces the any, noStream and streamExists modes', async () => {
      expect((await append('s', 'streamExists', newEvent('x'))).isErr()).toBe(true);
      expect((await append('s', 'noStream', newEvent('x')))._unsafeUnwrap().version).toBe(1);
      expect((await append('s', 'noStream', newEvent('x')))._unsafeUnwrapErr()).toMatchObject({
        type: 'ConcurrencyError',
        actual: 1,
      });
      expect((await append('s', 'streamExists', newEvent('y')))._unsafeUnwrap().version).toBe(2);
      expect((await append('s', 'any', newEvent('z')))._unsafeUnwrap().version).toBe(3);
      expect((await append('t', 'any', newEvent('z')))._unsafeUnwrap().version).toBe(1);
    });

    it('lets exactly one of two racing appends win the same version', async () => {
      (await append('race', 0, newEvent('created')))._unsafeUnwrap();
      const results = await Promise.all([
        append('race', 1, newEvent('left')),
        append('race', 1, newEvent('right')),
      ]);
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      const loser = results.find((r) => r.isErr());
      expect(loser?._unsafeUnwrapErr()).toMatchObject({
        type: 'ConcurrencyError',
        expected: 1,
        actual: 2,
      });
      expect((await store.readStream('Todo', 'race'))._unsafeUnwrap()).toHaveLength(2);
    });

    it('keeps global sequences gap-free under many concurrent appends', async () => {
      const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
      const results = await Promise.all(
        ids.map((id) => append(id, 0, newEvent('e1'), newEvent('e2'))),
      );
      expect(results.every((r) => r.isOk())).toBe(true);
      const all = (await store.readAll({ after: 0, limit: 1000 }))._unsafeUnwrap();
      expect(all.map((e) => e.globalSequence)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect((await store.head())._unsafeUnwrap()).toBe(80);
    });

    it('reads all events after a global sequence, in pages', async () => {
      for (let i = 0; i < 7; i++) (await append(`p${i}`, 0, newEvent(`E${i}`)))._unsafeUnwrap();
      const page = (await store.readAll({ after: 2, limit: 3 }))._unsafeUnwrap();
      expect(page.map((e) => e.globalSequence)).toEqual([3, 4, 5]);
      expect((await store.readAll({ after: 7, limit: 3 }))._unsafeUnwrap()).toEqual([]);
      const pages: number[][] = [];
      for await (const p of readAllPages(store, { after: 1, pageSize: 4 })) {
        pages.push(p.map((e) => e.globalSequence));
      }
      expect(pages).toEqual([
        [2, 3, 4, 5],
        [6, 7],
      ]);
    });

    it('reads an unknown stream as empty and an empty store as head 0', async () => {
      expect((await store.readStream('Todo', 'nope'))._unsafeUnwrap()).toEqual([]);
      expect((await store.head())._unsafeUnwrap()).toBe(0);
    });

    durableIt('keeps what it acknowledged across a reopen', async () => {
      (await append('d', 0, newEvent('kept')))._unsafeUnwrap();
      await reopen();
      const events = (await store.readStream('Todo', 'd'))._unsafeUnwrap();
      expect(events.map((e) => e.eventType)).toEqual(['kept']);
      expect(
        (await append('d', 1, newEvent('after')))._unsafeUnwrap().events[0]?.globalSequence,
      ).toBe(2);
    });

    it('records a command with its events and refuses the same command id again', async () => {
      const command = { id: 'cmd-1', fingerprint: 'fp' };
      const first = await store.append({
        aggregateType: 'Todo',
        aggregateId: 'i',
        expectedVersion: 0,
        events: [newEvent('E1'), newEvent('E2')],
        command,
      });
      expect(first._unsafeUnwrap().version).toBe(2);
      const recorded = {
        id: 'cmd-1',
        fingerprint: 'fp',
        aggregateType: 'Todo',
        aggregateId: 'i',
        version: 2,
        globalSequence: 2,
      };
      expect((await store.findCommand('cmd-1'))._unsafeUnwrap()).toEqual(recorded);
      expect((await store.findCommand('nope'))._unsafeUnwrap()).toBeNull();
      const again = await store.append({
        aggregateType: 'Todo',
        aggregateId: 'i',
        expectedVersion: 'any',
        events: [newEvent('E3')],
        command,
      });
      expect(again._unsafeUnwrapErr()).toEqual({ type: 'DuplicateCommand', recorded });
      expect((await store.head())._unsafeUnwrap()).toBe(2);
    });

    it('lets only one of two racing appends with the same command id through', async () => {
      const race = (aggregateId: string) =>
        store.append({
          aggregateType: 'Todo',
          aggregateId,
          expectedVersion: 'any',
          events: [newEvent('E')],
          command: { id: 'same', fingerprint: 'fp' },
        });
      const results = await Promise.all([race('x'), race('y')]);
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      expect(results.find((r) => r.isErr())?._unsafeUnwrapErr().type).toBe('DuplicateCommand');
      expect((await store.head())._unsafeUnwrap()).toBe(1);
    });

    it('records a command that appended nothing, with the stream as it was', async () => {
      (await append('n', 0, newEvent('E1')))._unsafeUnwrap();
      const noop = await store.append({
        aggregateType: 'Todo',
        aggregateId: 'n',
        expectedVersion: 1,
        events: [],
        command: { id: 'noop', fingerprint: 'fp' },
      });
      expect(noop._unsafeUnwrap()).toEqual({ events: [], version: 1 });
      expect((await store.findCommand('noop'))._unsafeUnwrap()).toMatchObject({
        version: 1,
        globalSequence: 1,
      });
    });

    it('reads a stream after a version', async () => {
      (await append('v', 0, newEvent('E1'), newEvent('E2'), newEvent('E3')))._unsafeUnwrap();
      const tail = (await store.readStream('Todo', 'v', { afterVersion: 2 }))._unsafeUnwrap();
      expect(tail.map((e) => e.eventType)).toEqual(['E3']);
    });

    it('reads at most `limit` events of a stream', async () => {
      (await append('l', 0, newEvent('E1'), newEvent('E2'), newEvent('E3')))._unsafeUnwrap();
      const slice = (
        await store.readStream('Todo', 'l', { afterVersion: 1, limit: 1 })
      )._unsafeUnwrap();
      expect(slice.map((e) => e.eventType)).toEqual(['E2']);
    });

    it('serves old event versions upcast, without rewriting them', async () => {
      // The framework's fixture: ItemAdded v1 had no quantity.
      (
        await store.append({
          aggregateType: 'ShoppingCart',
          aggregateId: 'old',
          expectedVersion: 0,
          events: [
            { id: randomUUID(), type: 'ItemAdded', version: 1, data: { id: 'old', item: 'tea' } },
          ],
        })
      )._unsafeUnwrap();
      const upcast = withUpcasters(store, cartUpcasters);
      const [viaStream] = (await upcast.readStream('ShoppingCart', 'old'))._unsafeUnwrap();
      const [viaAll] = (await upcast.readAll({ after: 0, limit: 1 }))._unsafeUnwrap();
      for (const event of [viaStream, viaAll]) {
        expect(event).toMatchObject({
          eventVersion: 2,
          payload: { item: 'tea', quantity: 1 },
        });
      }
      const [raw] = (await store.readStream('ShoppingCart', 'old'))._unsafeUnwrap();
      expect(raw).toMatchObject({ eventVersion: 1, payload: { id: 'old', item: 'tea' } });
    });

    it('keeps the newest snapshot per stream', async () => {
      const snap = (version: number) => ({
        aggregateType: 'Todo',
        aggregateId: 's',
        version,
        globalSequence: version * 10,
        schemaVersion: 3,
        state: { status: 'active', text: `at ${version}`, nested: [1, { a: true }] },
      });
      expect((await store.snapshots.load('Todo', 's'))._unsafeUnwrap()).toBeNull();
      (await store.snapshots.save(snap(5)))._unsafeUnwrap();
      (await store.snapshots.save(snap(3)))._unsafeUnwrap(); // older: ignored
      expect((await store.snapshots.load('Todo', 's'))._unsafeUnwrap()).toEqual(snap(5));
      (await store.snapshots.save(snap(8)))._unsafeUnwrap();
      expect((await store.snapshots.load('Todo', 's'))._unsafeUnwrap()).toEqual(snap(8));
    });

    durableIt('keeps recorded commands and snapshots across a reopen', async () => {
      (
        await store.append({
          aggregateType: 'Todo',
          aggregateId: 'r',
          expectedVersion: 0,
          events: [newEvent('E')],
          command: { id: 'durable', fingerprint: 'fp' },
        })
      )._unsafeUnwrap();
      const snapshot = {
        aggregateType: 'Todo',
        aggregateId: 'r',
        version: 1,
        globalSequence: 1,
        schemaVersion: 1,
        state: {},
      };
      (await store.snapshots.save(snapshot))._unsafeUnwrap();
      await reopen();
      expect((await store.findCommand('durable'))._unsafeUnwrap()?.version).toBe(1);
      expect((await store.snapshots.load('Todo', 'r'))._unsafeUnwrap()).toEqual(snapshot);
    });
  });
};
