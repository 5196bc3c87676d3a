import { describe, expect, it } from 'vitest';
import type { EventStore } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createCartService } from './testing/shopping-cart';

/** Two services on one store: two server processes, each with its own memory. */
const twoProcesses = (options: { stateCacheSize?: number } = {}) => {
  const store = createInMemoryEventStore();
  let reads = 0;
  let appends = 0;
  const counting: EventStore = {
    ...store,
    readStream: (...args) => {
      reads++;
      return store.readStream(...args);
    },
    append: (request) => {
      appends++;
      return store.append(request);
    },
  };
  const make = () =>
    createCartService({
      store: counting,
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId: () => crypto.randomUUID(),
      ...options,
    });
  return { store, a: make(), b: make(), reads: () => reads, appends: () => appends };
};

const idOf = async (opened: ReturnType<ReturnType<typeof twoProcesses>['a']['open']>) =>
  (await opened)._unsafeUnwrap().aggregateId;

describe('the command handler state cache', () => {
  it('handles a new aggregate and its next commands without reading the stream', async () => {
    const { store, a, reads } = twoProcesses();
    const id = await idOf(a.open());
    await a.add(id, 'tea');
    await a.add(id, 'jam');
    expect(reads()).toBe(0);
    expect(store.events.map((e) => e.aggregateSequence)).toEqual([1, 2, 3]);
  });

  it('re-decides on the store’s state when its memory is behind another process', async () => {
    const { store, a, b } = twoProcesses();
    const first = await idOf(a.open()); // A remembers: empty
    (await b.add(first, 'tea'))._unsafeUnwrap(); // B moves it on
    // A's memory says "empty, nothing to check out"; the store says there is tea.
    expect((await a.checkOut(first))._unsafeUnwrap().version).toBe(3);
    // A's memory says version 2; B adds at v3; A's item still lands after it.
    const second = await idOf(a.open());
    (await a.add(second, 'x'))._unsafeUnwrap();
    (await b.add(second, 'from B'))._unsafeUnwrap();
    expect((await a.add(second, 'from A'))._unsafeUnwrap().version).toBe(4);
    expect(store.events.map((e) => e.eventType)).toEqual([
      'CartOpened',
      'ItemAdded',
      'CartCheckedOut',
      'CartOpened',
      'ItemAdded',
      'ItemAdded',
      'ItemAdded',
    ]);
  });

  it('checks If-Match against the store, not its memory', async () => {
    const { a, b } = twoProcesses();
    const id = await idOf(a.open());
    (await b.add(id, 'v2'))._unsafeUnwrap();
    expect((await a.add(id, 'v3', { expectedVersion: 2 }))._unsafeUnwrap().version).toBe(3);
    expect((await a.add(id, 'v4', { expectedVersion: 2 }))._unsafeUnwrapErr()).toMatchObject({
      type: 'PreconditionFailed',
      actual: 3,
    });
  });

  it('keeps nothing with a cache size of 0: every command reads the stream', async () => {
    const { a, reads } = twoProcesses({ stateCacheSize: 0 });
    const id = await idOf(a.open());
    await a.add(id, 'y');
    await a.add(id, 'z');
    expect(reads()).toBe(2);
  });

  it('forgets the least recently used aggregate first', async () => {
    const { a, reads } = twoProcesses({ stateCacheSize: 2 });
    const first = await idOf(a.open('1'));
    const second = await idOf(a.open('2'));
    await a.add(first, '1b'); // first is now the most recent
    await idOf(a.open('3')); // second goes
    expect(reads()).toBe(0);
    await a.add(first, '1c');
    expect(reads()).toBe(0);
    await a.add(second, '2b');
    expect(reads()).toBe(1);
  });

  it('remembers at most 10,000 aggregates by default', async () => {
    const { a, reads } = twoProcesses();
    const first = await idOf(a.open('first'));
    const second = await idOf(a.open('second'));
    for (let i = 0; i < 9_999; i++) await a.open(`c${i}`);
    await a.add(second, 'still remembered');
    expect(reads()).toBe(0);
    await a.add(first, 'forgotten');
    expect(reads()).toBe(1);
  });

  it('checks a no-op decided from memory against the store, so no change is lost', async () => {
    const { store, a, b } = twoProcesses();
    const id = await idOf(a.open());
    (await b.add(id, 'tea'))._unsafeUnwrap();
    // A remembers no tea, so removing it looks like nothing to do; the store has tea.
    expect((await a.remove(id, 'tea'))._unsafeUnwrap().version).toBe(3);
    expect(store.events.at(-1)?.eventType).toBe('ItemRemoved');
  });

  it('reads the stream of an aggregate it has not seen before deciding: no blind append', async () => {
    const { a, b, appends } = twoProcesses();
    const id = await idOf(a.open());
    (await a.add(id, 'tea'))._unsafeUnwrap();
    (await a.checkOut(id))._unsafeUnwrap();
    const before = appends();
    expect((await b.checkOut(id))._unsafeUnwrapErr()).toMatchObject({
      type: 'Rejected',
      error: { type: 'CartClosed' },
    });
    expect(appends()).toBe(before);
  });

  it('forgets what it remembered once an append on it failed', async () => {
    const { a, b, appends } = twoProcesses();
    const id = await idOf(a.open());
    (await b.add(id, 'tea'))._unsafeUnwrap();
    (await b.checkOut(id))._unsafeUnwrap();
    // A's memory says open: its append loses, and the store's state refuses the item.
    expect((await a.add(id, 'jam'))._unsafeUnwrapErr()).toMatchObject({
      error: { type: 'CartClosed' },
    });
    // The next command starts from the store: refused without another doomed append.
    const before = appends();
    expect((await a.add(id, 'jam'))._unsafeUnwrapErr()).toMatchObject({
      error: { type: 'CartClosed' },
    });
    expect(appends()).toBe(before);
  });
});
