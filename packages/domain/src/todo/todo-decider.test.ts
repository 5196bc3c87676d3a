import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../testing';
import {
  type CompleteTodo,
  type CreateTodo,
  type DeleteTodo,
  type RenameTodo,
  type ReopenTodo,
  type TodoEvent,
  todoDecider,
} from './todo-decider';
import { TodoId } from './todo-id';
import { TodoText } from './todo-text';

const spec = DeciderSpecification.for(todoDecider);
const id = TodoId.parse('0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11')._unsafeUnwrap();
const text = (raw: string) => TodoText.parse(raw)._unsafeUnwrap();
const now = '2026-11-22T10:00:00.000Z';

const create: CreateTodo = {
  type: 'CreateTodo',
  data: { id, text: text('buy milk'), priority: 'high', now },
};
const rename: RenameTodo = { type: 'RenameTodo', data: { id, text: text('buy oat milk') } };
const complete: CompleteTodo = { type: 'CompleteTodo', data: { id, now } };
const reopen: ReopenTodo = { type: 'ReopenTodo', data: { id } };
const remove: DeleteTodo = { type: 'DeleteTodo', data: { id } };

const created: TodoEvent = {
  type: 'TodoCreated',
  data: { id, text: 'buy milk', priority: 'high', createdAt: now },
};
const renamed: TodoEvent = { type: 'TodoRenamed', data: { id, text: 'buy oat milk' } };
const completed: TodoEvent = { type: 'TodoCompleted', data: { id, completedAt: now } };
const reopened: TodoEvent = { type: 'TodoReopened', data: { id } };
const deleted: TodoEvent = { type: 'TodoDeleted', data: { id } };

describe('Todo decider', () => {
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

  for (const command of [rename, complete, reopen, remove]) {
    it(`refuses ${command.type} on a missing todo`, () =>
      spec.given([]).when(command).thenFails('TodoNotFound'));
    it(`refuses ${command.type} on a deleted todo`, () =>
      spec.given([created, deleted]).when(command).thenFails('TodoIsDeleted'));
  }

  it('is pure: the same history and command give the same answer', () => {
    const state = [created, completed].reduce(todoDecider.evolve, todoDecider.initialState());
    expect(todoDecider.decide(reopen, state)).toEqual(todoDecider.decide(reopen, state));
  });

  it('the specification helper itself detects wrong expectations', () => {
    expect(() => spec.given([]).when(create).then([renamed])).toThrow(/expected events/);
    expect(() => spec.given([]).when(create).thenFails('TodoNotFound')).toThrow(/expected/);
  });
});
