import { TodoId, TodoText } from '@ironstar/domain';
import { describe, expect, it, vi } from 'vitest';
import { createProjectionRunner } from './projection';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createInMemoryProjectionSnapshots } from './testing/in-memory-projection-snapshots';
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
    await vi.waitFor(() => expect(changes).toEqual([5, 6]));
    expect([...runner.state().values()]).toMatchObject([
      { id: a, text: 'a2', completed: false, completedAt: null, version: 4, updatedSequence: 6 },
    ]);
    await runner.stop();
  });
});

describe('projection snapshots', () => {
  const setup = async (count: number) => {
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const todos = createTodoService({ store, bus, clock: () => 'T', newId });
    for (let i = 0; i < count; i++) await todos.create(text(`t${i}`), 'normal');
    return { store, bus, todos };
  };

  it('starts from the snapshot and reads only the events after it', async () => {
    const { store, bus, todos } = await setup(30);
    const snapshots = createInMemoryProjectionSnapshots();
    const first = createProjectionRunner({
      store,
      bus,
      projection: todoListProjection,
      snapshots: { store: snapshots, every: 10 },
    });
    await first.start();
    await first.stop();
    expect(snapshots.saved.get('todo-list')).toMatchObject({ version: 1, position: 30 });
    for (let i = 30; i < 35; i++) await todos.create(text(`t${i}`), 'normal');

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
      projection: todoListProjection,
      snapshots: { store: snapshots, every: 10 },
    });
    await second.start();
    expect(reads[0]).toBe(30);
    const scratch = createProjectionRunner({ store, bus, projection: todoListProjection });
    await scratch.start();
    expect([...second.state().values()]).toEqual([...scratch.state().values()]);
    expect(second.position()).toBe(35);
    await second.stop();
    await scratch.stop();
  });

  it('discards a snapshot of another projection version and rebuilds from the events', async () => {
    const { store, bus } = await setup(5);
    const snapshots = createInMemoryProjectionSnapshots();
    await snapshots.save({ name: 'todo-list', version: 0, position: 5, data: [] });
    const runner = createProjectionRunner({
      store,
      bus,
      projection: todoListProjection,
      snapshots: { store: snapshots, every: 1000 },
    });
    await runner.start();
    expect(runner.state().size).toBe(5);
    await runner.stop();
    expect(snapshots.saved.get('todo-list')).toMatchObject({ version: 1, position: 5 });
  });
});
