import { describe, expect, it } from 'vitest';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createCartService } from './testing/shopping-cart';
import { checkSnapshotsAgainstFold } from './testing/snapshot-property';

describe('aggregate snapshots', () => {
  it('snapshot + tail equals the full fold, for random histories and snapshot intervals', () =>
    checkSnapshotsAgainstFold(() => createInMemoryEventStore(), { numRuns: 150, maxSteps: 40 }));

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
