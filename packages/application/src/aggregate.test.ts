import { describe, expect, it } from 'vitest';
import { eventReader, eventReaderOrThrow, eventTypesOf } from './aggregate';
import type { StoredEvent } from './event-store';
import { cartAggregate } from './testing/shopping-cart';

const stored = (change: Partial<StoredEvent>): StoredEvent => ({
  globalSequence: 7,
  id: 'e7',
  aggregateType: 'ShoppingCart',
  aggregateId: 'c1',
  aggregateSequence: 1,
  eventType: 'CartOpened',
  eventVersion: 1,
  payload: { id: 'c1', owner: 'ada', openedAt: 'T' },
  metadata: null,
  createdAt: 'T',
  ...change,
});

describe('reading a stored event as a domain event', () => {
  const read = eventReader(cartAggregate);

  it('reads a declared event type at its declared version', () => {
    expect(read(stored({}))._unsafeUnwrap()).toEqual({
      type: 'CartOpened',
      data: { id: 'c1', owner: 'ada', openedAt: 'T' },
    });
    const added = stored({ eventType: 'ItemAdded', eventVersion: 2, payload: { quantity: 1 } });
    expect(read(added)._unsafeUnwrap().type).toBe('ItemAdded');
  });

  it.each([
    ['another aggregate', { aggregateType: 'Todo' }, /is not a ShoppingCart event/],
    ['an undeclared event type', { eventType: 'CartStolen' }, /does not declare/],
    ['an inherited property name', { eventType: 'toString' }, /does not declare/],
    ['an older version, not upcast', { eventType: 'ItemAdded', eventVersion: 1 }, /upcaster/],
    ['a newer version', { eventVersion: 2 }, /not at version 1/],
    ['a payload that is not an object', { payload: 'x' }, /no object payload/],
    ['a null payload', { payload: null }, /no object payload/],
  ])('refuses %s, naming the event', (_, change, message) => {
    const error = read(stored(change))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: 'UnreadableEvent', globalSequence: 7 });
    expect(error.message).toMatch(/^event #7 /);
    expect(error.message).toMatch(message);
  });

  it('throws a typed error where an unreadable event can only be a bug', () => {
    const readOrThrow = eventReaderOrThrow(cartAggregate);
    expect(readOrThrow(stored({})).type).toBe('CartOpened');
    expect(() => readOrThrow(stored({ eventType: 'CartStolen' }))).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/does not declare/),
        cause: expect.objectContaining({ type: 'UnreadableEvent', globalSequence: 7 }),
      }),
    );
  });

  it('lists the declared event types', () => {
    expect(eventTypesOf(cartAggregate)).toEqual([
      'CartOpened',
      'ItemAdded',
      'ItemRemoved',
      'CartCheckedOut',
    ]);
  });
});
