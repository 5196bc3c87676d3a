import { describe, expect, it, vi } from 'vitest';
import { createProjectionRunner } from './projection';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createInMemoryProjectionSnapshots } from './testing/in-memory-projection-snapshots';
import { cartsProjection, createCartService } from './testing/shopping-cart';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

describe('a typed read model in its runner', () => {
  it('rebuilds from the store at start, then follows the bus', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const carts = createCartService({ store, bus, clock: () => 'T', newId });
    const a = (await carts.open('a'))._unsafeUnwrap().aggregateId;
    const b = (await carts.open('b'))._unsafeUnwrap().aggregateId;
    await carts.add(a, 'tea');
    await carts.add(b, 'jam');

    const runner = createProjectionRunner({ store, bus, projection: cartsProjection });
    await runner.start();
    expect([...runner.state().values()]).toMatchObject([
      { id: a, owner: 'a', items: { tea: 1 }, checkedOut: false },
      { id: b, owner: 'b', items: { jam: 1 } },
    ]);
    expect(runner.position()).toBe(4);

    const changes: number[] = [];
    runner.onChange((_, event) => changes.push(event.globalSequence));
    await carts.remove(a, 'tea');
    await carts.add(a, 'milk');
    await carts.checkOut(a);
    await vi.waitFor(() => expect(changes).toEqual([5, 6, 7]));
    expect(runner.state().get(a)).toMatchObject({
      items: { milk: 1 },
      checkedOut: true,
      version: 5,
      updatedSequence: 7,
    });
    await runner.stop();
  });

  it('reads events through the aggregate: one it cannot read stops the runner, reported', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const id = newId();
    // Stored at a version nothing lifts (no upcasters here): code and data disagree.
    await store.append({
      aggregateType: 'ShoppingCart',
      aggregateId: id,
      expectedVersion: 0,
      events: [{ id: 'e1', type: 'ItemAdded', version: 1, data: { id, item: 'tea' } }],
    });
    const errors: unknown[] = [];
    const runner = createProjectionRunner({
      store,
      bus,
      projection: cartsProjection,
      onError: (error) => errors.push(error),
    });
    void runner.start();
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatchObject({
      message: expect.stringMatching(/is not at version 2: is an upcaster missing/),
      cause: { type: 'UnreadableEvent', globalSequence: 1 },
    });
    await runner.stop();
  });
});

describe('projection snapshots', () => {
  const setup = async (count: number) => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const carts = createCartService({ store, bus, clock: () => 'T', newId });
    for (let i = 0; i < count; i++) await carts.open(`c${i}`);
    return { store, bus, carts };
  };

  it('starts from the snapshot and reads only the events after it', async () => {
    const { store, bus, carts } = await setup(30);
    const snapshots = createInMemoryProjectionSnapshots();
    const first = createProjectionRunner({
      store,
      bus,
      projection: cartsProjection,
      snapshots: { store: snapshots, every: 10 },
    });
    await first.start();
    await first.stop();
    expect(snapshots.saved.get('carts')).toMatchObject({ version: 1, position: 30 });
    for (let i = 30; i < 35; i++) await carts.open(`c${i}`);

    const reads: number[] = [];
    const watched = {
      ...store,
      readAll: (o: { after: number; limit: number }) => {
        reads.push(o.after);
        return store.readAll(o);
      },
    };
    const second = createProjectionRunner({
      store: watched,
      bus,
      projection: cartsProjection,
      snapshots: { store: snapshots, every: 10 },
    });
    await second.start();
    expect(reads[0]).toBe(30);
    const scratch = createProjectionRunner({ store, bus, projection: cartsProjection });
    await scratch.start();
    expect([...second.state().values()]).toEqual([...scratch.state().values()]);
    expect(second.position()).toBe(35);
    await second.stop();
    await scratch.stop();
  });

  it('discards a snapshot of another projection version and rebuilds from the events', async () => {
    const { store, bus } = await setup(5);
    const snapshots = createInMemoryProjectionSnapshots();
    await snapshots.save({ name: 'carts', version: 0, position: 5, data: [] });
    const runner = createProjectionRunner({
      store,
      bus,
      projection: cartsProjection,
      snapshots: { store: snapshots, every: 1000 },
    });
    await runner.start();
    expect(runner.state().size).toBe(5);
    await runner.stop();
    expect(snapshots.saved.get('carts')).toMatchObject({ version: 1, position: 5 });
  });
});
