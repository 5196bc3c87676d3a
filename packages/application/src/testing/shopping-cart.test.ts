import { describe, expect, it } from 'vitest';
import { createUpcasterChain } from '../upcasting';
import { DeciderSpecification } from './index';
import {
  type AddItem,
  type CartEvent,
  type CheckOut,
  cartAggregate,
  cartDecider,
  cartsProjection,
  type OpenCart,
  type RemoveItem,
} from './shopping-cart';

const spec = DeciderSpecification.for(cartDecider);
const id = 'c1';
const open: OpenCart = { type: 'OpenCart', data: { id, owner: 'ada', now: 'T0' } };
const add: AddItem = { type: 'AddItem', data: { id, item: 'tea', quantity: 2 } };
const remove: RemoveItem = { type: 'RemoveItem', data: { id, item: 'tea' } };
const checkOut: CheckOut = { type: 'CheckOut', data: { id, now: 'T1' } };
const opened: CartEvent = { type: 'CartOpened', data: { id, owner: 'ada', openedAt: 'T0' } };
const added: CartEvent = { type: 'ItemAdded', data: { id, item: 'tea', quantity: 2 } };
const removed: CartEvent = { type: 'ItemRemoved', data: { id, item: 'tea' } };
const checkedOut: CartEvent = { type: 'CartCheckedOut', data: { id, checkedOutAt: 'T1' } };

describe('the shopping cart fixture', () => {
  it('opens once', () => {
    spec.given([]).when(open).then([opened]);
    spec.given([opened]).when(open).thenFails('CartAlreadyOpen');
  });
  it('adds and removes items', () => {
    spec.given([opened]).when(add).then([added]);
    spec.given([opened, added]).when(remove).then([removed]);
    spec.given([opened, added, removed]).when(remove).thenNothingHappened();
  });
  it('checks out a cart with items, and nothing after that', () => {
    spec.given([opened]).when(checkOut).thenFails('CartEmpty');
    spec.given([opened, added]).when(checkOut).then([checkedOut]);
    spec.given([opened, added, checkedOut]).when(add).thenFails('CartClosed');
  });
  it('refuses anything on a cart never opened', () => {
    for (const command of [add, remove, checkOut]) {
      spec.given([]).when(command).thenFails('CartNotFound');
    }
  });
  it('lifts ItemAdded v1 (no quantity) to one item', () => {
    const up = createUpcasterChain(cartAggregate.upcasters ?? []);
    const lifted = up({
      globalSequence: 1,
      id: 'e1',
      aggregateType: 'ShoppingCart',
      aggregateId: id,
      aggregateSequence: 2,
      eventType: 'ItemAdded',
      eventVersion: 1,
      payload: { id, item: 'tea' },
      metadata: null,
      createdAt: 'T',
    });
    expect(lifted).toMatchObject({ eventVersion: 2, payload: { id, item: 'tea', quantity: 1 } });
  });
  it('lists carts through its read model, skipping other aggregates', () => {
    let sequence = 0;
    const stored = (event: CartEvent, aggregateType = 'ShoppingCart') => ({
      globalSequence: ++sequence,
      id: `e${sequence}`,
      aggregateType,
      aggregateId: id,
      aggregateSequence: sequence,
      eventType: event.type,
      eventVersion: cartAggregate.events[event.type],
      payload: event.data,
      metadata: null,
      createdAt: 'T',
    });
    const events = [stored(opened), stored(added), stored(added, 'Other'), stored(added)];
    const carts = events
      .filter((e) => cartsProjection.filter?.(e) ?? true)
      .reduce(cartsProjection.evolve, cartsProjection.initialState());
    expect([...carts.values()]).toEqual([
      {
        id,
        owner: 'ada',
        items: { tea: 4 },
        checkedOut: false,
        version: 4,
        updatedSequence: 4,
      },
    ]);
  });
});
