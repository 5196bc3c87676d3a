import { createTopicRouter, type TopicRouter } from '@ironstar/application';
import { defineModule } from '@ironstar/web';
import { TODO_STATE_VERSION, todoAggregate } from './todo-aggregate';
import { todoBulkRoutes } from './todo-bulk-routes';
import { parseTodoCommand, TODO_COMMAND_TYPES, todoErrors } from './todo-commands';
import { routeTodoChanges, todoFeedRoutes, todoWindowSettings } from './todo-feed';
import { createTodoIndex, type TodoIndexChange } from './todo-index';
import { todoListProjection } from './todo-list-projection';
import { todoRoutes } from './todo-routes';
import { TODO_STYLES } from './todo-styles';
import { TodoListThen } from './todo-time-travel';

export type TodoModuleOptions = {
  /** Where the feeds hear of their user's changes (a test may pass one to watch deliveries). */
  readonly router?: TopicRouter<TodoIndexChange>;
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
      snapshots: { every: options.snapshotEvery ?? 100, stateVersion: TODO_STATE_VERSION },
    },
    http: { name: 'todo', parse: parseTodoCommand, errors: todoErrors, types: TODO_COMMAND_TYPES },
    projections: { list: todoListProjection },
    nav: [{ path: '/', label: 'Todos' }],
    styles: TODO_STYLES,
    timeTravel: {
      projection: todoListProjection,
      size: (todos) => todos.items.size,
      versionOf: (todos, id) => todos.items.get(id)?.version,
      render: TodoListThen,
    },
    setup: ({ shell, hub, compression, projections, commands, metrics }) => {
      // The page and its feed show a window of the user's newest todos, found through this
      // index; each change is published under its owner's topic, where that user's feeds hear it.
      const indexes = createTodoIndex(projections.list);
      const router = options.router ?? createTopicRouter<TodoIndexChange>();
      const unroute = routeTodoChanges(indexes, router);
      const settings = todoWindowSettings(options.pageSize);
      return {
        routes: todoRoutes({ shell, list: projections.list, indexes, settings })
          .route('/', todoFeedRoutes({ indexes, router, hub, settings, compression }))
          .route('/', todoBulkRoutes({ indexes, commands, metrics })),
        stop: () => {
          unroute();
        },
      };
    },
  });
