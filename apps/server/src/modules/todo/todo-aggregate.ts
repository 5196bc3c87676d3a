import { defineAggregate } from '@ironstar/application';
import { TODO_AGGREGATE_TYPE, todoDecider } from './todo-decider';
import { todoUpcasters } from './todo-upcasters';

/** The Todo aggregate: TodoCreated is at version 2 (priority), lifted from 1 by its upcaster. */
export const todoAggregate = defineAggregate({
  type: TODO_AGGREGATE_TYPE,
  decider: todoDecider,
  events: {
    TodoCreated: 2,
    TodoRenamed: 1,
    TodoCompleted: 1,
    TodoReopened: 1,
    TodoDeleted: 1,
    TodoRestored: 1,
    TodoPriorityChanged: 1,
  },
  upcasters: todoUpcasters,
  // State version 2: a todo's state keeps its priority and times (for a restore).
  snapshots: { every: 100, stateVersion: 2 },
});
