import { randomUUID } from 'node:crypto';
import { createAggregateService, createProjectionRunner } from '@ironstar/application';
import {
  type CartCommand,
  cartAggregate,
  cartsProjection,
  createInMemoryEventBus,
  createInMemoryEventStore,
} from '@ironstar/application/testing';
import { describe, expect, it } from 'vitest';
import { createTimeMachine, eventAt } from './time-machine';

const setup = () => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  const carts = createAggregateService(cartAggregate, {
    store,
    bus,
    clock: () => 'T',
    newId: randomUUID,
  });
  const open = async (owner: string) =>
    (
      await carts.send({
        command: ({ aggregateId, now }): CartCommand => ({
          type: 'OpenCart',
          data: { id: aggregateId, owner, now },
        }),
      })
    )._unsafeUnwrap().aggregateId;
  const send = (id: string, command: CartCommand) =>
    carts.send({ aggregateId: id, command: () => command });
  return { store, bus, open, send };
};

describe('time machine', () => {
  it('rebuilds a read model exactly as the live runner had it after every sequence', async () => {
    const { store, bus, open, send } = setup();
    const runner = createProjectionRunner({ store, bus, projection: cartsProjection });
    await runner.start();
    // Record what the live projection held after each event.
    const seen = new Map<number, string>();
    runner.onChange((state, event) => seen.set(event.globalSequence, JSON.stringify([...state])));
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = await open(`owner ${i}`);
      ids.push(id);
      await send(id, { type: 'AddItem', data: { id, item: 'tea', quantity: 1 } });
      if (i % 3 === 0) await send(id, { type: 'AddItem', data: { id, item: 'tea', quantity: 2 } });
      if (i % 5 === 0) await send(id, { type: 'RemoveItem', data: { id, item: 'tea' } });
      if (i % 7 === 1) await send(id, { type: 'CheckOut', data: { id, now: 'T' } });
    }
    const machine = createTimeMachine({
      store,
      projection: cartsProjection,
      size: (carts) => carts.size,
      snapshotEvery: 10,
      pageSize: 7,
    });
    // Twice: the second pass starts from snapshots, which later folds must not have changed.
    for (let pass = 0; pass < 2; pass++) {
      for (const [sequence, expected] of seen) {
        const state = (await machine.stateAt(sequence))._unsafeUnwrap();
        expect(JSON.stringify([...state]), `after #${sequence}`).toBe(expected);
      }
    }
    expect(machine.snapshots()).toBeGreaterThan(0);
    expect((await machine.stateAt(0))._unsafeUnwrap().size).toBe(0);
    expect((await eventAt(store, 3))._unsafeUnwrap()?.globalSequence).toBe(3);
    expect((await eventAt(store, 10_000))._unsafeUnwrap()).toBeUndefined();
    await runner.stop();
  });

  it('holds at most maxSnapshotItems items across its snapshots', async () => {
    const { store, open } = setup();
    for (let i = 0; i < 60; i++) await open(`owner ${i}`);
    const machine = createTimeMachine({
      store,
      projection: cartsProjection,
      size: (carts) => carts.size,
      snapshotEvery: 5,
      maxSnapshotItems: 100,
    });
    expect((await machine.stateAt(60))._unsafeUnwrap().size).toBe(60);
    expect(machine.heldItems()).toBeLessThanOrEqual(100);
    expect(machine.snapshots()).toBeGreaterThan(0);
    // Still exact from whatever snapshots are left.
    expect((await machine.stateAt(33))._unsafeUnwrap().size).toBe(33);
  });

  it('copies a state without a codec, so later folds cannot change a kept one', async () => {
    const { store, open } = setup();
    for (let i = 0; i < 12; i++) await open(`owner ${i}`);
    const { snapshot: _, ...uncoded } = cartsProjection;
    const machine = createTimeMachine({
      store,
      projection: uncoded,
      size: (carts) => carts.size,
      snapshotEvery: 5,
    });
    expect((await machine.stateAt(12))._unsafeUnwrap().size).toBe(12);
    expect((await machine.stateAt(7))._unsafeUnwrap().size).toBe(7);
    expect((await machine.stateAt(5))._unsafeUnwrap().size).toBe(5);
  });
});
