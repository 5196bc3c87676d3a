import { defineAggregate, defineStateMachine } from '@ironstar/application';
import { TODO_AGGREGATE_TYPE, type TodoState, todoDecider } from './todo-decider';
import { todoUpcasters } from './todo-upcasters';

/** Bump when TodoState changes shape: older aggregate snapshots are then discarded. */
export const TODO_STATE_VERSION = 3;

/** Active ⇄ Completed, renamed or reprioritized in either; deleted from either, restored to where it was. */
export const todoStateMachine = defineStateMachine<TodoState>({
  initial: 'none',
  states: ['none', 'active', 'completed', 'deleted'],
  transitions: [
    { from: 'none', to: 'active', on: 'CreateTodo' },
    { from: 'active', to: 'active', on: 'RenameTodo' },
    { from: 'completed', to: 'completed', on: 'RenameTodo' },
    { from: 'active', to: 'completed', on: 'CompleteTodo' },
    { from: 'completed', to: 'active', on: 'ReopenTodo' },
    { from: 'active', to: 'deleted', on: 'DeleteTodo' },
    { from: 'completed', to: 'deleted', on: 'DeleteTodo' },
    { from: 'active', to: 'active', on: 'ChangeTodoPriority' },
    { from: 'completed', to: 'completed', on: 'ChangeTodoPriority' },
    { from: 'deleted', to: 'active', on: 'RestoreTodo' },
    { from: 'deleted', to: 'completed', on: 'RestoreTodo' },
  ],
  stateOf: (state) => (state.status === 'missing' ? 'none' : state.status),
});

/**
 * The Todo aggregate: TodoCreated is at version 3 (2: priority, 3: owner) and TodoRestored at 2
 * (owner), older versions lifted by its upcasters.
 */
export const todoAggregate = defineAggregate({
  type: TODO_AGGREGATE_TYPE,
  decider: todoDecider,
  events: {
    TodoCreated: 3,
    TodoRenamed: 1,
    TodoCompleted: 1,
    TodoReopened: 1,
    TodoDeleted: 1,
    TodoRestored: 2,
    TodoPriorityChanged: 1,
  },
  upcasters: todoUpcasters,
  // State version 3: a todo's state keeps its owner, priority and times (for a restore).
  snapshots: { every: 100, stateVersion: TODO_STATE_VERSION },
  stateMachine: todoStateMachine,
});
