import { checkStateMachine } from '@ironstar/application/testing';
import { fold } from '@ironstar/domain';
import { DeciderSpecification } from '@ironstar/domain/testing';
import { describe, expect, it } from 'vitest';
import { todoAggregate } from './todo-aggregate';
import {
  type ChangeTodoPriority,
  type CompleteTodo,
  type CreateTodo,
  type DeleteTodo,
  type RenameTodo,
  type ReopenTodo,
  type RestoreTodo,
  type TodoEvent,
  todoDecider,
} from './todo-decider';
import { TodoId } from './todo-id';
import { TodoText } from './todo-text';

const spec = DeciderSpecification.for(todoDecider);
const id = TodoId.parse('0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11')._unsafeUnwrap();
const text = (raw: string) => TodoText.parse(raw)._unsafeUnwrap();
const now = '2026-11-22T10:00:00.000Z';
// Every command is alice's unless a test sends it as someone else.
const actor = 'alice';

const create: CreateTodo = {
  type: 'CreateTodo',
  data: { id, text: text('buy milk'), priority: 'high', now, actor },
};
const rename: RenameTodo = {
  type: 'RenameTodo',
  data: { id, text: text('buy oat milk'), actor },
};
const complete: CompleteTodo = { type: 'CompleteTodo', data: { id, now, actor } };
const reopen: ReopenTodo = { type: 'ReopenTodo', data: { id, actor } };
const remove: DeleteTodo = { type: 'DeleteTodo', data: { id, actor } };

const created: TodoEvent = {
  type: 'TodoCreated',
  data: { id, text: 'buy milk', priority: 'high', createdAt: now, owner: 'alice' },
};
const renamed: TodoEvent = { type: 'TodoRenamed', data: { id, text: 'buy oat milk' } };
const completed: TodoEvent = { type: 'TodoCompleted', data: { id, completedAt: now } };
const reopened: TodoEvent = { type: 'TodoReopened', data: { id } };
const deleted: TodoEvent = { type: 'TodoDeleted', data: { id } };
const restore: RestoreTodo = { type: 'RestoreTodo', data: { id, actor } };
const prioritize: ChangeTodoPriority = {
  type: 'ChangeTodoPriority',
  data: { id, priority: 'low', actor },
};
const reprioritized: TodoEvent = { type: 'TodoPriorityChanged', data: { id, priority: 'low' } };
const facts = { id, owner: 'alice', priority: 'high' as const, createdAt: now, completedAt: null };
const restored = (text: string, completedAt: string | null = null): TodoEvent => ({
  type: 'TodoRestored',
  data: { ...facts, text, completedAt },
});

describe('Todo decider', () => {
  it('matches its declared state machine', () =>
    checkStateMachine(todoAggregate, {
      histories: {
        none: [],
        active: [created],
        completed: [created, completed],
        deleted: [created, deleted],
      },
      commands: [create, rename, complete, reopen, remove, prioritize, restore],
    }));
  it('creates a missing todo', () => spec.given([]).when(create).then([created]));
  it('refuses to create twice', () =>
    spec.given([created]).when(create).thenFails('TodoAlreadyExists'));
  it('refuses to recreate a deleted todo', () =>
    spec.given([created, deleted]).when(create).thenFails('TodoAlreadyExists'));

  it('renames', () => spec.given([created]).when(rename).then([renamed]));
  it('renames a completed todo', () =>
    spec.given([created, completed]).when(rename).then([renamed]));
  it('records nothing when renamed to the same text', () =>
    spec.given([created, renamed]).when(rename).thenNothingHappened());

  it('completes an active todo', () => spec.given([created]).when(complete).then([completed]));
  it('refuses to complete a completed todo', () =>
    spec.given([created, completed]).when(complete).thenFails('TodoAlreadyCompleted'));
  it('completes again after reopening', () =>
    spec.given([created, completed, reopened]).when(complete).then([completed]));

  it('reopens a completed todo', () =>
    spec.given([created, completed]).when(reopen).then([reopened]));
  it('refuses to reopen an active todo', () =>
    spec.given([created]).when(reopen).thenFails('TodoNotCompleted'));

  it('deletes', () => spec.given([created, completed]).when(remove).then([deleted]));

  it('restores a deleted todo as it was: its text, priority, times and completion', () =>
    spec
      .given([created, renamed, completed, deleted])
      .when(restore)
      .then([restored('buy oat milk', now)]));
  it('restores an active todo as active', () =>
    spec
      .given([created, deleted])
      .when(restore)
      .then([restored('buy milk')]));
  it('refuses to restore a todo that is not deleted', () =>
    spec.given([created]).when(restore).thenFails('TodoNotDeleted'));
  it('refuses to restore a missing todo', () =>
    spec.given([]).when(restore).thenFails('TodoNotFound'));
  it('refuses to restore twice', () =>
    spec
      .given([created, deleted, restored('buy milk')])
      .when(restore)
      .thenFails('TodoNotDeleted'));
  it('takes commands again once restored, and can be deleted again', () => {
    spec
      .given([created, deleted, restored('buy milk')])
      .when(complete)
      .then([completed]);
    spec
      .given([created, deleted, restored('buy milk')])
      .when(remove)
      .then([deleted]);
  });

  it('changes the priority', () => spec.given([created]).when(prioritize).then([reprioritized]));
  it('records nothing when the priority is the same', () =>
    spec.given([created, reprioritized]).when(prioritize).thenNothingHappened());
  it('a restore brings back the changed priority', () =>
    spec
      .given([created, reprioritized, deleted])
      .when(restore)
      .then([{ type: 'TodoRestored', data: { ...facts, priority: 'low', text: 'buy milk' } }]));

  it('records its creator as the owner', () => {
    const bobs: CreateTodo = { ...create, data: { ...create.data, actor: 'bob' } };
    spec
      .given([])
      .when(bobs)
      .then([{ ...created, data: { ...created.data, owner: 'bob' } } as TodoEvent]);
  });

  describe("another user's todo does not exist for them: every command is refused as missing", () => {
    const asBob = <C extends { data: { actor: string } }>(command: C): C => ({
      ...command,
      data: { ...command.data, actor: 'bob' },
    });
    for (const command of [rename, complete, reopen, remove, prioritize, restore]) {
      it(`refuses ${command.type} from bob on alice's todo, in any state`, () => {
        const bobs = asBob(command);
        for (const history of [
          [created],
          [created, completed],
          [created, deleted],
          [created, deleted, restored('buy milk')],
        ]) {
          spec.given(history).when(bobs).thenFails('TodoNotFound');
        }
      });
    }
    it('refuses the system actor too (no one but the owner changes a todo)', () =>
      spec
        .given([created])
        .when({ ...complete, data: { ...complete.data, actor: 'system' } })
        .thenFails('TodoNotFound'));
    it('answers the owner as before', () => {
      spec.given([created]).when(complete).then([completed]);
      spec
        .given([created, deleted])
        .when(restore)
        .then([restored('buy milk')]);
    });
  });

  for (const command of [rename, complete, reopen, remove, prioritize]) {
    it(`refuses ${command.type} on a missing todo`, () =>
      spec.given([]).when(command).thenFails('TodoNotFound'));
    it(`refuses ${command.type} on a deleted todo`, () =>
      spec.given([created, deleted]).when(command).thenFails('TodoIsDeleted'));
  }

  it('is pure: the same history and command give the same answer', () => {
    const state = [created, completed].reduce(todoDecider.evolve, todoDecider.initialState());
    expect(todoDecider.decide(reopen, state)).toEqual(todoDecider.decide(reopen, state));
  });

  it('folds each event into the state a reader would expect', () => {
    const at = (events: TodoEvent[]) => fold(todoDecider, events);
    expect(at([])).toEqual({ status: 'missing' });
    const active = { status: 'active', ...facts };
    expect(at([created])).toEqual({ ...active, text: 'buy milk' });
    expect(at([created, renamed])).toEqual({ ...active, text: 'buy oat milk' });
    expect(at([created, completed, renamed])).toEqual({
      ...active,
      status: 'completed',
      text: 'buy oat milk',
      completedAt: now,
    });
    expect(at([created, completed, reopened])).toEqual({ ...active, text: 'buy milk' });
    expect(at([created, deleted])).toEqual({
      status: 'deleted',
      id,
      was: { ...facts, text: 'buy milk' },
    });
    expect(at([created, deleted, restored('buy milk')])).toEqual({ ...active, text: 'buy milk' });
  });

  // A stored history is replayed as it is, even one no decide() here would have produced
  // (older code, a hand-repaired stream): such an event must not bring a todo back.
  it('ignores events that do not apply to the state, never resurrecting a todo', () => {
    for (const stray of [renamed, completed, reopened, reprioritized]) {
      expect(fold(todoDecider, [stray])).toEqual({ status: 'missing' });
      expect(fold(todoDecider, [created, deleted, stray])).toMatchObject({ status: 'deleted', id });
    }
    // A restore brings back only a deleted todo, never a missing one or a live one's old text.
    expect(fold(todoDecider, [restored('x')])).toEqual({ status: 'missing' });
    expect(fold(todoDecider, [created, restored('x')])).toMatchObject({ text: 'buy milk' });
    expect(fold(todoDecider, [created, reopened])).toEqual({
      status: 'active',
      ...facts,
      text: 'buy milk',
    });
    expect(fold(todoDecider, [created, completed, completed])).toMatchObject({
      status: 'completed',
    });
  });

  it('throws on an event or command type it does not know: a bug, never skipped silently', () => {
    const stray = { type: 'TodoArchived', data: { id } } as unknown as TodoEvent;
    expect(() => fold(todoDecider, [created, stray])).toThrow(
      'unhandled case: {"type":"TodoArchived"',
    );
    const archive = { type: 'ArchiveTodo', data: { id, actor } } as unknown as DeleteTodo;
    expect(() => todoDecider.decide(archive, fold(todoDecider, [created]))).toThrow(
      'unhandled case: {"type":"ArchiveTodo"',
    );
  });

  it('the specification helper itself detects wrong expectations', () => {
    expect(() => spec.given([]).when(create).then([renamed])).toThrow(/expected events/);
    expect(() => spec.given([]).when(create).thenFails('TodoNotFound')).toThrow(/expected/);
  });
});
