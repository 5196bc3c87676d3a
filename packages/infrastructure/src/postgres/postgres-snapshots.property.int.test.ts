import { eventReaderOrThrow } from '@ironstar/application';
import {
  cartAggregate,
  cartDecider,
  createCartService,
  createInMemoryEventBus,
} from '@ironstar/application/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';
import { getPostgresEventStore } from './postgres-event-store';

type Step = { kind: 'add' | 'remove'; item: string } | { kind: 'checkOut' };
const item = fc.constantFrom('a', 'b', 'c');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: item.map((i) => ({ kind: 'add' as const, item: i })) },
  { weight: 4, arbitrary: item.map((i) => ({ kind: 'remove' as const, item: i })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkOut' as const }) },
);
const read = eventReaderOrThrow(cartAggregate);

let cluster: PostgresCluster;
let store: Awaited<ReturnType<typeof getPostgresEventStore>>;
beforeAll(async () => {
  cluster = await startPostgresCluster();
  store = await getPostgresEventStore({ url: await cluster.createDatabase() });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await cluster?.stop();
});

// The snapshot property of application/src/snapshots.property.test.ts, on the real store:
// snapshots saved and loaded through PostgreSQL (json state, newest-wins upsert).
describe('aggregate snapshots on PostgreSQL', () => {
  it('snapshot + tail equals the full fold, for random histories and snapshot intervals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        async (steps, every) => {
          let tailRead = -1;
          const watched = {
            ...store,
            readStream: (type: string, id: string, options?: { afterVersion?: number }) =>
              store.readStream(type, id, options).map((events) => {
                tailRead = events.length;
                return events;
              }),
          };
          const carts = createCartService(
            {
              store: watched,
              bus: createInMemoryEventBus(),
              clock: () => 'T',
              newId: () => crypto.randomUUID(),
              snapshots: store.snapshots,
            },
            { every, stateVersion: 1 },
          );
          const id = (await carts.open('start'))._unsafeUnwrap().aggregateId;
          for (const s of steps) {
            if (s.kind === 'checkOut') await carts.checkOut(id);
            else await carts[s.kind](id, s.item);
          }
          const stored = (await store.readStream('ShoppingCart', id))._unsafeUnwrap();
          let full = cartDecider.initialState();
          for (const event of stored.map(read)) full = cartDecider.evolve(full, event);
          const expectedSnapshot = Math.floor(stored.length / every) * every;
          // The service saves snapshots without waiting (fire and forget): wait for the last.
          await vi.waitFor(async () => {
            const snapshot = (await store.snapshots.load('ShoppingCart', id))._unsafeUnwrap();
            expect(snapshot?.version ?? 0).toBe(expectedSnapshot);
          });
          const loaded = (await carts.load(id))._unsafeUnwrap();
          expect(loaded.state).toEqual(full);
          expect(loaded.version).toBe(stored.length);
          expect(loaded.sequence).toBe(stored.at(-1)?.globalSequence);
          expect(tailRead).toBe(stored.length - expectedSnapshot);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never replaces a newer snapshot with an older one', async () => {
    const snap = (version: number) => ({
      aggregateType: 'ShoppingCart',
      aggregateId: 'newest-wins',
      version,
      globalSequence: version,
      schemaVersion: 1,
      state: { version },
    });
    await store.snapshots.save(snap(5));
    await store.snapshots.save(snap(3));
    expect(
      (await store.snapshots.load('ShoppingCart', 'newest-wins'))._unsafeUnwrap()?.state,
    ).toEqual({ version: 5 });
    await store.snapshots.save(snap(8));
    expect(
      (await store.snapshots.load('ShoppingCart', 'newest-wins'))._unsafeUnwrap()?.version,
    ).toBe(8);
  });
});
