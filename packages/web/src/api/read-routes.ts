import type { EventStore, ProjectionRunner, TodoItem, TodoList } from '@ironstar/application';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import type { TodoIndex } from '../feeds/todo-index';
import { errorJson } from '../http-errors';

export const MAX_EVENTS_PAGE = 1000;
export const MAX_TODOS_PAGE = 1000;

const todoJson = (todo: TodoItem) => ({
  id: todo.id,
  text: todo.text,
  priority: todo.priority,
  completed: todo.completed,
  createdAt: todo.createdAt,
  completedAt: todo.completedAt,
  version: todo.version,
});

const nonNegativeInt = (raw: string | undefined, fallback: number): number | undefined => {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
};

/** Read side: the todo list from its projection, and the raw event log from the store. */
export const readRoutes = (deps: {
  store: EventStore;
  todoList: ProjectionRunner<TodoList>;
  index: TodoIndex;
}) =>
  new Hono<AppEnv>()
    .get('/api/todos', (c) => {
      const offset = nonNegativeInt(c.req.query('offset'), 0);
      const limit = nonNegativeInt(c.req.query('limit'), MAX_TODOS_PAGE);
      if (offset === undefined) {
        return errorJson(c, 400, 'validation', 'offset must be a non-negative integer');
      }
      if (limit === undefined || limit < 1 || limit > MAX_TODOS_PAGE) {
        return errorJson(
          c,
          400,
          'validation',
          `limit must be an integer from 1 to ${MAX_TODOS_PAGE}`,
        );
      }
      const { total, completed } = deps.index.counts();
      const todos = deps.index.range(offset, limit).map(todoJson);
      // How far the read model has got; a client holding a command's sequence can compare.
      return c.json({ todos, total, completed, offset, sequence: deps.todoList.position() });
    })
    .get('/api/todos/:id', (c) => {
      const todo = deps.todoList.state().get(c.req.param('id').toLowerCase());
      if (!todo) return errorJson(c, 404, 'not_found', 'no such todo');
      const etag = `"${todo.version}"`;
      c.header('ETag', etag);
      if (c.req.header('if-none-match') === etag) return c.body(null, 304);
      return c.json(todoJson(todo));
    })
    .get('/api/events', async (c) => {
      const after = nonNegativeInt(c.req.query('after'), 0);
      const limit = nonNegativeInt(c.req.query('limit'), 100);
      if (after === undefined)
        return errorJson(c, 400, 'validation', 'after must be a non-negative integer');
      if (limit === undefined || limit < 1 || limit > MAX_EVENTS_PAGE) {
        return errorJson(
          c,
          400,
          'validation',
          `limit must be an integer from 1 to ${MAX_EVENTS_PAGE}`,
        );
      }
      const page = await deps.store.readAll({ after, limit });
      if (page.isErr()) return errorJson(c, 503, 'unavailable', 'the event store is unavailable');
      return c.json({ events: page.value });
    });

export { nonNegativeInt };
