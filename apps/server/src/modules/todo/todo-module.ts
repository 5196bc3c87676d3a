import { defineModule } from '@ironstar/web';
import { todoAggregate } from './todo-aggregate';
import { todoBulkRoutes } from './todo-bulk-routes';
import { parseTodoCommand, TODO_COMMAND_TYPES, todoErrors } from './todo-commands';
import { todoFeedRoutes, todoWindowSettings } from './todo-feed';
import { createTodoIndex } from './todo-index';
import { todoListProjection } from './todo-list-projection';
import { todoRoutes } from './todo-routes';
import { TODO_STYLES } from './todo-styles';
import { TodoListThen } from './todo-time-travel';

export type TodoModuleOptions = {
  /** Todos the page and /feed show without ?limit= (TODO_PAGE_SIZE). */
  readonly pageSize?: number;
  /** Snapshot a todo every this many events; 0 turns snapshots off (TODO_SNAPSHOT_EVERY). */
  readonly snapshotEvery?: number;
};

/** The reference app: a live todo list, plugged in like any aggregate module. */
export const todoModule = (options: TodoModuleOptions = {}) =>
  defineModule({
    aggregate: {
      ...todoAggregate,
      snapshots: { every: options.snapshotEvery ?? 100, stateVersion: 2 },
    },
    http: { name: 'todo', parse: parseTodoCommand, errors: todoErrors, types: TODO_COMMAND_TYPES },
    projections: { list: todoListProjection },
    nav: [{ path: '/', label: 'Todos' }],
    styles: TODO_STYLES,
    timeTravel: {
      projection: todoListProjection,
      size: (todos) => todos.size,
      versionOf: (todos, id) => todos.get(id)?.version,
      render: TodoListThen,
    },
    setup: ({ shell, hub, compression, projections, commands, metrics }) => {
      // The page and its feed show a window of the newest todos, found through this index.
      const index = createTodoIndex(projections.list);
      const settings = todoWindowSettings(options.pageSize);
      return {
        routes: todoRoutes({ shell, list: projections.list, index, settings })
          .route('/', todoFeedRoutes({ index, hub, settings, compression }))
          .route('/', todoBulkRoutes({ index, commands, metrics })),
      };
    },
  });
