import { TodoId, TodoText } from '@ironstar/domain';
import { describe, expect, it } from 'vitest';
import type { EventStore } from './event-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createTodoService } from './todo/todo-service';

const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();

/** Two services on one store: two server processes, each with its own memory. */
const twoProcesses = () => {
  const store = createInMemoryEventStore();
  let reads = 0;
  const counting: EventStore = {
    ...store,
    readStream: (...args) => {
      reads++;
      return store.readStream(...args);
    },
  };
  const make = () =>
    createTodoService({
      store: counting,
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId: () => crypto.randomUUID(),
    });
  return { store, a: make(), b: make(), reads: () => reads };
};

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
});
