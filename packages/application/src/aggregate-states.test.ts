import { TodoId, TodoText } from '@ironstar/domain';
import { errAsync } from 'neverthrow';
import { describe, expect, it, vi } from 'vitest';
import { storeUnavailable } from './event-store';
import type { SnapshotStore } from './snapshot-store';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createTodoService } from './todo/todo-service';

// A snapshot is only an optimisation: a snapshot store that fails must never fail a command.

const text = (s: string) => TodoText.parse(s)._unsafeUnwrap();

const serviceWith = (snapshots: SnapshotStore, onError?: (error: unknown) => void) => {
  const store = createInMemoryEventStore();
  const todos = createTodoService({
    store,
    bus: createInMemoryEventBus(),
    clock: () => 'T',
    newId: () => crypto.randomUUID(),
    stateCacheSize: 0,
    snapshots: { store: snapshots, every: 1, schemaVersion: 1, ...(onError ? { onError } : {}) },
  });
  return { store, todos };
};

describe('aggregate snapshots that fail', () => {
  it('loads from the events alone when the snapshot cannot be read', async () => {
    const saved: unknown[] = [];
    const { todos } = serviceWith({
      load: () => errAsync(storeUnavailable('snapshots unreadable')),
      save: (snapshot) => {
        saved.push(snapshot);
        return errAsync(storeUnavailable('unused'));
      },
    });
    const id = TodoId.parse(
      (await todos.create(text('x'), 'normal'))._unsafeUnwrap().aggregateId,
    )._unsafeUnwrap();
    expect((await todos.rename(id, text('y')))._unsafeUnwrap().version).toBe(2);
    expect((await todos.load(id))._unsafeUnwrap()).toMatchObject({
      state: { status: 'active', text: 'y' },
      version: 2,
    });
  });

  it('reports a snapshot it could not save, and the command still succeeds', async () => {
    const errors: unknown[] = [];
    const failing: SnapshotStore = {
      load: () => errAsync(storeUnavailable('down')),
      save: () => errAsync(storeUnavailable('disk full')),
    };
    const { todos } = serviceWith(failing, (error) => errors.push(error));
    expect((await todos.create(text('x'), 'normal')).isOk()).toBe(true);
    await vi.waitFor(() =>
      expect(errors).toEqual([{ type: 'StoreUnavailable', message: 'disk full' }]),
    );
  });

  it('succeeds without an onError to tell', async () => {
    const saves: number[] = [];
    const failing: SnapshotStore = {
      load: () => errAsync(storeUnavailable('down')),
      save: (snapshot) => {
        saves.push(snapshot.version);
        return errAsync(storeUnavailable('disk full'));
      },
    };
    const { todos } = serviceWith(failing);
    expect((await todos.create(text('x'), 'normal')).isOk()).toBe(true);
    expect(saves).toEqual([1]);
  });
});
