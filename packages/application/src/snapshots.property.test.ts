import { fold } from '@ironstar/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventReaderOrThrow } from './aggregate';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { cartAggregate, cartDecider, createCartService } from './testing/shopping-cart';

type Step = { kind: 'add' | 'remove'; item: string } | { kind: 'checkOut' };
const item = fc.constantFrom('a', 'b', 'c');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: item.map((i) => ({ kind: 'add' as const, item: i })) },
  { weight: 4, arbitrary: item.map((i) => ({ kind: 'remove' as const, item: i })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkOut' as const }) },
);
const read = eventReaderOrThrow(cartAggregate);

describe('aggregate snapshots', () => {
  it('snapshot + tail equals the full fold, for random histories and snapshot intervals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        async (steps, every) => {
          const store = createInMemoryEventStore();
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
            // Rejections (e.g. anything after check-out) are part of a random history too.
            if (s.kind === 'checkOut') await carts.checkOut(id);
            else await carts[s.kind](id, s.item);
          }
          const stored = store.events;
          const full = fold(cartDecider, stored.map(read));
          const loaded = (await carts.load(id))._unsafeUnwrap();
          expect(loaded.state).toEqual(full);
          expect(loaded.version).toBe(stored.length);
          expect(loaded.sequence).toBe(stored.at(-1)?.globalSequence);
          const snapshot = (await store.snapshots.load('ShoppingCart', id))._unsafeUnwrap();
          const expectedSnapshot = Math.floor(stored.length / every) * every;
          expect(snapshot?.version ?? 0).toBe(expectedSnapshot);
          // Only the events after the snapshot were read.
          expect(tailRead).toBe(stored.length - expectedSnapshot);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ignores a snapshot of an older state schema', async () => {
    const store = createInMemoryEventStore();
    const carts = createCartService(
      {
        store,
        bus: createInMemoryEventBus(),
        clock: () => 'T',
        newId: () => crypto.randomUUID(),
        snapshots: store.snapshots,
      },
      { every: 1, stateVersion: 2 },
    );
    const id = (await carts.open('real'))._unsafeUnwrap().aggregateId;
    await store.snapshots.save({
      aggregateType: 'ShoppingCart',
      aggregateId: id,
      version: 99,
      globalSequence: 99,
      schemaVersion: 1,
      state: { status: 'checkedOut' },
    });
    // Saved only if newer: version 99 is, so it is stored, and must still be ignored.
    expect((await store.snapshots.load('ShoppingCart', id))._unsafeUnwrap()?.schemaVersion).toBe(1);
    const loaded = (await carts.load(id))._unsafeUnwrap();
    expect(loaded.state).toEqual({ status: 'open', items: {} });
    expect(loaded.version).toBe(1);
  });
});
