import { fold } from '@ironstar/domain';
import fc from 'fast-check';
import { expect, vi } from 'vitest';
import { eventReaderOrThrow } from '../aggregate';
import type { EventStore } from '../event-store';
import type { SnapshotStore } from '../snapshot-store';
import { createInMemoryEventBus } from './in-memory-event-bus';
import { cartAggregate, cartDecider, createCartService } from './shopping-cart';

type Step = { kind: 'add' | 'remove'; item: string } | { kind: 'checkOut' };
const item = fc.constantFrom('a', 'b', 'c');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: item.map((i) => ({ kind: 'add' as const, item: i })) },
  { weight: 4, arbitrary: item.map((i) => ({ kind: 'remove' as const, item: i })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkOut' as const }) },
);
const read = eventReaderOrThrow(cartAggregate);

type StoreWithSnapshots = EventStore & { readonly snapshots: SnapshotStore };

/**
 * The snapshot property, for any store and its snapshot store: for random cart histories and
 * snapshot intervals, the state loaded from the newest snapshot plus the events after it
 * equals the fold of the whole stream, and only those events are read. `storeFor` gives the
 * store for one run (a fresh one, or the same one: each run has its own cart).
 */
export const checkSnapshotsAgainstFold = (
  storeFor: () => StoreWithSnapshots | Promise<StoreWithSnapshots>,
  options: { readonly numRuns: number; readonly maxSteps: number },
) =>
  fc.assert(
    fc.asyncProperty(
      fc.array(step, { maxLength: options.maxSteps }),
      fc.integer({ min: 1, max: 6 }),
      async (steps, every) => {
        const store = await storeFor();
        let tailRead = -1;
        const watched = {
          ...store,
          readStream: (type: string, id: string, opts?: { afterVersion?: number }) =>
            store.readStream(type, id, opts).map((events) => {
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
        const stored = (await store.readStream('ShoppingCart', id))._unsafeUnwrap();
        const full = fold(cartDecider, stored.map(read));
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
        // Only the events after the snapshot were read.
        expect(tailRead).toBe(stored.length - expectedSnapshot);
      },
    ),
    { numRuns: options.numRuns },
  );
