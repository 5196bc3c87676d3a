import { TodoId, TodoText } from '@ironstar/domain';
import { describe, expect, it } from 'vitest';
import type { EventStore } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createTodoService } from './todo/todo-service';

const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();

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
    createTodoService({
      store: counting,
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId: () => crypto.randomUUID(),
      ...options,
    });
  return { store, a: make(), b: make(), reads: () => reads, appends: () => appends };
};

const idOf = async (created: ReturnType<ReturnType<typeof twoProcesses>['a']['create']>) =>
  TodoId.parse((await created)._unsafeUnwrap().aggregateId)._unsafeUnwrap();

describe('the command handler state cache', () => {
  it('handles a new todo and its next commands without reading the stream', async () => {
    const { store, a, reads } = twoProcesses();
    const id = TodoId.parse(
      (await a.create(text('x'), 'normal'))._unsafeUnwrap().aggregateId,
    )._unsafeUnwrap();
    await a.rename(id, text('y'));
    await a.complete(id);
    expect(reads()).toBe(0);
    expect(store.events.map((e) => e.aggregateSequence)).toEqual([1, 2, 3]);
  });

  it('re-decides on the store’s state when its memory is behind another process', async () => {
    const { store, a, b } = twoProcesses();
    const id = TodoId.parse(
      (await a.create(text('x'), 'normal'))._unsafeUnwrap().aggregateId,
    )._unsafeUnwrap();
    await a.complete(id); // A remembers: completed
    (await b.reopen(id))._unsafeUnwrap(); // B moves it on
    // A's memory says "already completed"; the store says it is open again.
    expect((await a.complete(id))._unsafeUnwrap().version).toBe(4);
    // A's memory says version 4 and open; B renames to v5; A's rename still lands after it.
    (await b.rename(id, text('from B')))._unsafeUnwrap();
    expect((await a.rename(id, text('from A')))._unsafeUnwrap().version).toBe(6);
    expect(store.events.map((e) => e.eventType)).toEqual([
      'TodoCreated',
      'TodoCompleted',
      'TodoReopened',
      'TodoCompleted',
      'TodoRenamed',
      'TodoRenamed',
    ]);
  });

  it('checks If-Match against the store, not its memory', async () => {
    const { a, b } = twoProcesses();
    const id = TodoId.parse(
      (await a.create(text('x'), 'normal'))._unsafeUnwrap().aggregateId,
    )._unsafeUnwrap();
    (await b.rename(id, text('v2')))._unsafeUnwrap();
    expect((await a.rename(id, text('v3'), { expectedVersion: 2 }))._unsafeUnwrap().version).toBe(
      3,
    );
    expect(
      (await a.rename(id, text('v4'), { expectedVersion: 2 }))._unsafeUnwrapErr(),
    ).toMatchObject({
      type: 'PreconditionFailed',
      actual: 3,
    });
  });

  it('keeps nothing with a cache size of 0: every command reads the stream', async () => {
    const { a, reads } = twoProcesses({ stateCacheSize: 0 });
    const id = await idOf(a.create(text('x'), 'normal'));
    await a.rename(id, text('y'));
    await a.complete(id);
    expect(reads()).toBe(2);
  });

  it('forgets the least recently used aggregate first', async () => {
    const { a, reads } = twoProcesses({ stateCacheSize: 2 });
    const first = await idOf(a.create(text('1'), 'normal'));
    const second = await idOf(a.create(text('2'), 'normal'));
    await a.rename(first, text('1b')); // first is now the most recent
    await idOf(a.create(text('3'), 'normal')); // second goes
    expect(reads()).toBe(0);
    await a.rename(first, text('1c'));
    expect(reads()).toBe(0);
    await a.rename(second, text('2b'));
    expect(reads()).toBe(1);
  });

  it('remembers at most 10,000 aggregates by default', async () => {
    const { a, reads } = twoProcesses();
    const first = await idOf(a.create(text('first'), 'normal'));
    const second = await idOf(a.create(text('second'), 'normal'));
    for (let i = 0; i < 9_999; i++) await a.create(text(`t${i}`), 'normal');
    await a.rename(second, text('still remembered'));
    expect(reads()).toBe(0);
    await a.rename(first, text('forgotten'));
    expect(reads()).toBe(1);
  });

  it('checks a no-op decided from memory against the store, so no change is lost', async () => {
    const { store, a, b } = twoProcesses();
    const id = await idOf(a.create(text('milk'), 'normal'));
    (await b.rename(id, text('bread')))._unsafeUnwrap();
    // A remembers "milk", so renaming to milk looks like nothing to do; the store says bread.
    expect((await a.rename(id, text('milk')))._unsafeUnwrap().version).toBe(3);
    expect(store.events.at(-1)?.payload).toMatchObject({ text: 'milk' });
  });

  it('reads the stream of an aggregate it has not seen before deciding: no blind append', async () => {
    const { a, b, appends } = twoProcesses();
    const id = await idOf(a.create(text('x'), 'normal'));
    (await a.complete(id))._unsafeUnwrap();
    const before = appends();
    expect((await b.complete(id))._unsafeUnwrapErr()).toMatchObject({
      type: 'Rejected',
      error: { type: 'TodoAlreadyCompleted' },
    });
    expect(appends()).toBe(before);
  });

  it('forgets what it remembered once an append on it failed', async () => {
    const { a, b, appends } = twoProcesses();
    const id = await idOf(a.create(text('x'), 'normal'));
    (await b.delete(id))._unsafeUnwrap();
    // A's memory says active: its append loses, and the store's state refuses the rename.
    expect((await a.rename(id, text('y')))._unsafeUnwrapErr()).toMatchObject({
      error: { type: 'TodoIsDeleted' },
    });
    // The next command starts from the store: refused without another doomed append.
    const before = appends();
    expect((await a.complete(id))._unsafeUnwrapErr()).toMatchObject({
      error: { type: 'TodoIsDeleted' },
    });
    expect(appends()).toBe(before);
  });
});
