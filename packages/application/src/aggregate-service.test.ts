import { describe, expect, it } from 'vitest';
import { createAggregateService } from './aggregate-service';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { type CartCommand, cartAggregate } from './testing/shopping-cart';

const setup = () => {
  const store = createInMemoryEventStore();
  let n = 0;
  const reads: string[] = [];
  const watched = {
    ...store,
    readStream: (...args: Parameters<typeof store.readStream>) => {
      reads.push(args[1]);
      return store.readStream(...args);
    },
  };
  const cart = createAggregateService(cartAggregate, {
    store: watched,
    bus: createInMemoryEventBus(),
    clock: () => 'T',
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    snapshots: store.snapshots,
  });
  return { store, cart, reads };
};

const open = {
  command: ({ aggregateId, now }: { aggregateId: string; now: string }): CartCommand => ({
    type: 'OpenCart',
    data: { id: aggregateId, owner: 'ada', now },
  }),
};
const add = (
  aggregateId: string,
  item = 'tea',
): { aggregateId: string; command: () => CartCommand } => ({
  aggregateId,
  command: () => ({ type: 'AddItem', data: { id: aggregateId, item, quantity: 1 } }),
});

describe('an aggregate service', () => {
  it('makes up the id of a new aggregate, stamps the time, and reads nothing for it', async () => {
    const { store, cart, reads } = setup();
    const opened = (await cart.send(open))._unsafeUnwrap();
    expect(opened.aggregateId).toMatch(/^00000000-/);
    expect(store.events[0]).toMatchObject({
      aggregateType: 'ShoppingCart',
      aggregateId: opened.aggregateId,
      eventType: 'CartOpened',
      eventVersion: 1,
      payload: { id: opened.aggregateId, owner: 'ada', openedAt: 'T' },
    });
    expect(reads).toEqual([]);
  });

  it('writes each event at the version its aggregate declares', async () => {
    const { store, cart } = setup();
    const { aggregateId } = (await cart.send(open))._unsafeUnwrap();
    await cart.send(add(aggregateId));
    expect(store.events.map((e) => [e.eventType, e.eventVersion])).toEqual([
      ['CartOpened', 1],
      ['ItemAdded', 2],
    ]);
  });

  it('hands domain refusals back as Rejected, appending nothing', async () => {
    const { store, cart } = setup();
    const missing = '00000000-0000-4000-8000-00000000ffff';
    expect((await cart.send(add(missing)))._unsafeUnwrapErr()).toEqual({
      type: 'Rejected',
      error: { type: 'CartNotFound', id: missing },
    });
    expect(store.events).toHaveLength(0);
  });

  it("snapshots on the aggregate's own policy and loads through it", async () => {
    const { store, cart } = setup();
    const { aggregateId } = (await cart.send(open))._unsafeUnwrap();
    for (const item of ['a', 'b', 'c', 'd']) await cart.send(add(aggregateId, item));
    const snapshot = (await store.snapshots.load('ShoppingCart', aggregateId))._unsafeUnwrap();
    expect(snapshot).toMatchObject({ version: 3, schemaVersion: 1 });
    const loaded = (await cart.load(aggregateId))._unsafeUnwrap();
    expect(loaded).toMatchObject({
      version: 5,
      state: { status: 'open', items: { a: 1, b: 1, c: 1, d: 1 } },
    });
  });
});

describe('an aggregate service, on its options', () => {
  it('takes no snapshots under a policy of every 0 events', async () => {
    const store = createInMemoryEventStore();
    let n = 0;
    const cart = createAggregateService(
      { ...cartAggregate, snapshots: { every: 0, stateVersion: 1 } },
      {
        store,
        bus: createInMemoryEventBus(),
        clock: () => 'T',
        newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
        snapshots: store.snapshots,
      },
    );
    const { aggregateId } = (await cart.send(open))._unsafeUnwrap();
    for (const item of ['a', 'b', 'c']) await cart.send(add(aggregateId, item));
    expect((await store.snapshots.load('ShoppingCart', aggregateId))._unsafeUnwrap()).toBeNull();
  });

  it('reads the stream of an aggregate it did not make up before deciding', async () => {
    const { store, cart } = setup();
    const { aggregateId } = (await cart.send(open))._unsafeUnwrap();
    // Another process (its own memory) on the same store, told the id: the stream is read, so
    // opening the cart again is refused without even trying to append.
    let appends = 0;
    const other = createAggregateService(cartAggregate, {
      store: {
        ...store,
        append: (request) => {
          appends++;
          return store.append(request);
        },
      },
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId: () => '00000000-0000-4000-8000-00000000aaaa',
    });
    const again = await other.send({ aggregateId, command: open.command });
    expect(again._unsafeUnwrapErr()).toMatchObject({ type: 'Rejected' });
    expect(appends).toBe(0);
  });
});
