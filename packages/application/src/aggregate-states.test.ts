import { errAsync } from 'neverthrow';
import { describe, expect, it, vi } from 'vitest';
import { storeUnavailable } from './event-store';
import type { SnapshotStore } from './snapshot-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createCartService } from './testing/shopping-cart';

// A snapshot is only an optimisation: a snapshot store that fails must never fail a command.

const serviceWith = (snapshots: SnapshotStore, onError?: (error: unknown) => void) => {
  const store = createInMemoryEventStore();
  const carts = createCartService(
    {
      store,
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId: () => crypto.randomUUID(),
      stateCacheSize: 0,
      snapshots,
      ...(onError ? { onSnapshotError: onError } : {}),
    },
    { every: 1, stateVersion: 1 },
  );
  return { store, carts };
};

describe('aggregate snapshots that fail', () => {
  it('loads from the events alone when the snapshot cannot be read', async () => {
    const saved: unknown[] = [];
    const { carts } = serviceWith({
      load: () => errAsync(storeUnavailable('snapshots unreadable')),
      save: (snapshot) => {
        saved.push(snapshot);
        return errAsync(storeUnavailable('unused'));
      },
    });
    const id = (await carts.open())._unsafeUnwrap().aggregateId;
    expect((await carts.add(id, 'y'))._unsafeUnwrap().version).toBe(2);
    expect((await carts.load(id))._unsafeUnwrap()).toMatchObject({
      state: { status: 'open', items: { y: 1 } },
      version: 2,
    });
  });

  it('reports a snapshot it could not save, and the command still succeeds', async () => {
    const errors: unknown[] = [];
    const failing: SnapshotStore = {
      load: () => errAsync(storeUnavailable('down')),
      save: () => errAsync(storeUnavailable('disk full')),
    };
    const { carts } = serviceWith(failing, (error) => errors.push(error));
    expect((await carts.open()).isOk()).toBe(true);
    await vi.waitFor(() =>
      expect(errors).toEqual([{ type: 'StoreUnavailable', message: 'disk full' }]),
    );
  });

  it('succeeds without an onError to tell', async () => {
    const saves: number[] = [];
    const failing: SnapshotStore = {
      load: () => errAsync(storeUnavailable('down')),
      save: (snapshot) => {
        saves.push(snapshot.version);
        return errAsync(storeUnavailable('disk full'));
      },
    };
    const { carts } = serviceWith(failing);
    expect((await carts.open()).isOk()).toBe(true);
    expect(saves).toEqual([1]);
  });
});
