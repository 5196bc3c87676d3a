import { randomUUID } from 'node:crypto';
import {
  createProjectionRunner,
  createTodoService,
  todoListProjection,
} from '@ironstar/application';
import { createInMemoryEventBus, createInMemoryEventStore } from '@ironstar/application/testing';
import { TodoId, TodoText } from '@ironstar/domain';
import { describe, expect, it } from 'vitest';
import { createTimeMachine } from './time-machine';

const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();

describe('time machine', () => {
  it('shows the todo list exactly as the live projection had it after every sequence', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const todos = createTodoService({ store, bus, clock: () => 'T', newId: randomUUID });
    const runner = createProjectionRunner({ store, bus, projection: todoListProjection });
    await runner.start();
    // Record what the live projection held after each event.
    const seen = new Map<number, string>();
    runner.onChange((state, event) => seen.set(event.globalSequence, JSON.stringify([...state])));
    const ids: TodoId[] = [];
    for (let i = 0; i < 40; i++) {
      const id = TodoId.parse(
        (await todos.create(text(`t${i}`), 'normal'))._unsafeUnwrap().aggregateId,
      );
      ids.push(id._unsafeUnwrap());
      if (i % 3 === 0) await todos.complete(ids[i] as TodoId);
      if (i % 5 === 0) await todos.rename(ids[i] as TodoId, text(`renamed ${i}`));
      if (i % 7 === 0) await todos.delete(ids[i] as TodoId);
    }
    const machine = createTimeMachine({ store, snapshotEvery: 10, pageSize: 7 });
    // Twice: the second pass starts from snapshots.
    for (let pass = 0; pass < 2; pass++) {
      for (const [sequence, expected] of seen) {
        const state = (await machine.todosAt(sequence))._unsafeUnwrap();
        expect(JSON.stringify([...state]), `after #${sequence}`).toBe(expected);
      }
    }
    expect(machine.snapshots()).toBeGreaterThan(0);
    expect((await machine.todosAt(0))._unsafeUnwrap().size).toBe(0);
    expect((await machine.eventAt(3))._unsafeUnwrap()?.globalSequence).toBe(3);
    expect((await machine.eventAt(10_000))._unsafeUnwrap()).toBeUndefined();
    await runner.stop();
  });

  it('holds at most maxSnapshotTodos todos across its snapshots', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const todos = createTodoService({ store, bus, clock: () => 'T', newId: randomUUID });
    for (let i = 0; i < 60; i++) await todos.create(text(`t${i}`), 'normal');
    const machine = createTimeMachine({ store, snapshotEvery: 5, maxSnapshotTodos: 100 });
    expect((await machine.todosAt(60))._unsafeUnwrap().size).toBe(60);
    expect(machine.heldTodos()).toBeLessThanOrEqual(100);
    expect(machine.snapshots()).toBeGreaterThan(0);
    // Still exact from whatever snapshots are left.
    expect((await machine.todosAt(33))._unsafeUnwrap().size).toBe(33);
  });
});
