import { fold, type TodoEvent, TodoId, TodoText, todoDecider } from '@ironstar/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createTodoService } from './todo/todo-service';

type Step = { kind: 'rename'; text: string } | { kind: 'complete' | 'reopen' | 'delete' };
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('a', 'b', 'c').map((text) => ({ kind: 'rename' as const, text })),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'complete' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'delete' as const }) },
);

describe('aggregate snapshots', () => {
  it('snapshot + tail equals the full fold, for random histories and snapshot intervals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        async (steps, every) => {
          const store = createInMemoryEventStore();
          let tailRead = -1;
          const watched = {
            ...store,
            readStream: (type: string, id: string, options?: { afterVersion?: number }) =>
              store.readStream(type, id, options).map((events) => {
                tailRead = events.length;
                return events;
              }),
          };
          const todos = createTodoService({
            store: watched,
            bus: createInMemoryEventBus(),
            clock: () => 'T',
            newId: () => crypto.randomUUID(),
            snapshots: { store: store.snapshots, every, schemaVersion: 1 },
          });
          const created = (
            await todos.create(TodoText.parse('start')._unsafeUnwrap(), 'normal')
          )._unsafeUnwrap();
          const id = TodoId.parse(created.aggregateId)._unsafeUnwrap();
          for (const s of steps) {
            // Rejections (e.g. complete twice) are part of a random history: they append nothing.
            if (s.kind === 'rename') await todos.rename(id, TodoText.parse(s.text)._unsafeUnwrap());
            else await todos[s.kind](id);
          }
          const stored = store.events;
          const full = fold(
            todoDecider,
            stored.map((e) => ({ type: e.eventType, data: e.payload }) as TodoEvent),
          );
          const loaded = (await todos.load(id))._unsafeUnwrap();
          expect(loaded.state).toEqual(full);
          expect(loaded.version).toBe(stored.length);
          expect(loaded.sequence).toBe(stored.at(-1)?.globalSequence);
          const snapshot = (await store.snapshots.load('Todo', id))._unsafeUnwrap();
          const expectedSnapshot = Math.floor(stored.length / every) * every;
          expect(snapshot?.version ?? 0).toBe(expectedSnapshot);
          // Only the events after the snapshot were read.
          expect(tailRead).toBe(stored.length - expectedSnapshot);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ignores a snapshot of an older state schema', async () => {
    const store = createInMemoryEventStore();
    const todos = createTodoService({
      store,
      bus: createInMemoryEventBus(),
      clock: () => 'T',
      newId: () => crypto.randomUUID(),
      snapshots: { store: store.snapshots, every: 1, schemaVersion: 2 },
    });
    const created = (
      await todos.create(TodoText.parse('real')._unsafeUnwrap(), 'normal')
    )._unsafeUnwrap();
    const id = TodoId.parse(created.aggregateId)._unsafeUnwrap();
    await store.snapshots.save({
      aggregateType: 'Todo',
      aggregateId: id,
      version: 99,
      globalSequence: 99,
      schemaVersion: 1,
      state: { status: 'deleted', id },
    });
    // Saved only if newer: version 99 is, so it is stored, and must still be ignored.
    expect((await store.snapshots.load('Todo', id))._unsafeUnwrap()?.schemaVersion).toBe(1);
    const loaded = (await todos.load(id))._unsafeUnwrap();
    expect(loaded.state).toEqual({ status: 'active', id, text: 'real' });
    expect(loaded.version).toBe(1);
  });
});
