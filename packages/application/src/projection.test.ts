import { TodoId, TodoText } from '@ironstar/domain';
import { describe, expect, it } from 'vitest';
import { createProjectionRunner } from './projection';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { todoListProjection } from './todo/todo-list-projection';
import { createTodoService } from './todo/todo-service';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();

describe('todo list projection runner', () => {
  it('rebuilds from the store at start, then follows the bus', async () => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const todos = createTodoService({ store, bus, clock: () => 'T', newId });
    const a = (await todos.create(text('a'), 'high'))._unsafeUnwrap().aggregateId;
    const b = (await todos.create(text('b'), 'normal'))._unsafeUnwrap().aggregateId;
    await todos.complete(TodoId.parse(a)._unsafeUnwrap());
    await todos.delete(TodoId.parse(b)._unsafeUnwrap());

    const runner = createProjectionRunner({ store, bus, projection: todoListProjection });
    await runner.start();
    expect([...runner.state().values()]).toMatchObject([
      { id: a, text: 'a', priority: 'high', completed: true, completedAt: 'T' },
    ]);
    expect(runner.position()).toBe(4);

    const changes: number[] = [];
    runner.onChange((_, event) => changes.push(event.globalSequence));
    await todos.rename(TodoId.parse(a)._unsafeUnwrap(), text('a2'));
    await todos.reopen(TodoId.parse(a)._unsafeUnwrap());
    await new Promise((r) => setTimeout(r, 10));
    expect(changes).toEqual([5, 6]);
    expect([...runner.state().values()]).toMatchObject([
      { id: a, text: 'a2', completed: false, completedAt: null, version: 4, updatedSequence: 6 },
    ]);
    await runner.stop();
  });
});
