/** @jsxImportSource hono/jsx */
import type { ProjectionRunner } from '@ironstar/application';
import { type AppEnv, errorJson, nonNegativeInt, type PageShell, pageShell } from '@ironstar/web';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { limitError, parseLimit, type TodoWindowSettings } from './todo-feed';
import type { TodoIndexes } from './todo-index';
import { ownTodo, type TodoItem, type TodoList } from './todo-list-projection';
import { TODO_FILTERS, type TodoFilter, TodoPage } from './todo-page';

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

/**
 * The todo page (`/`), and the list as JSON (`/api/todos`, `/api/todos/:id`): each shows the
 * user's own todos only; another user's todo is a 404, like a missing one.
 */
export const todoRoutes = (deps: {
  shell: PageShell;
  list: ProjectionRunner<TodoList>;
  indexes: TodoIndexes;
  settings: TodoWindowSettings;
}) =>
  new Hono<AppEnv>()
    .get('/', (c) => {
      const limit = parseLimit(c.req.query('limit'), deps.settings);
      if (limit === undefined) return errorJson(c, 'validation', limitError(deps.settings));
      const filter = c.req.query('filter') ?? 'all';
      if (!TODO_FILTERS.includes(filter as TodoFilter)) {
        return errorJson(c, 'validation', `filter must be one of ${TODO_FILTERS.join(', ')}`);
      }
      const index = deps.indexes.of(c.get('user').id);
      const { total, completed } = index.counts();
      const page = (
        <TodoPage
          shell={pageShell(c, deps.shell)}
          todos={index.newest(limit)}
          total={total}
          completed={completed}
          paging={{ ...deps.settings, limit }}
          filter={filter as TodoFilter}
        />
      );
      return c.html(html`<!DOCTYPE html>${page}`);
    })
    .get('/api/todos', (c) => {
      const offset = nonNegativeInt(c.req.query('offset'), 0);
      const limit = nonNegativeInt(c.req.query('limit'), MAX_TODOS_PAGE);
      if (offset === undefined) {
        return errorJson(c, 'validation', 'offset must be a non-negative integer');
      }
      if (limit === undefined || limit < 1 || limit > MAX_TODOS_PAGE) {
        return errorJson(c, 'validation', `limit must be an integer from 1 to ${MAX_TODOS_PAGE}`);
      }
      const index = deps.indexes.of(c.get('user').id);
      const { total, completed } = index.counts();
      const todos = index.range(offset, limit).map(todoJson);
      // How far the read model has got; a client holding a command's sequence can compare.
      return c.json({ todos, total, completed, offset, sequence: deps.list.position() });
    })
    .get('/api/todos/:id', (c) => {
      const todo = ownTodo(deps.list.state(), c.get('user').id, c.req.param('id').toLowerCase());
      if (!todo) return errorJson(c, 'not_found', 'no such todo');
      const etag = `"${todo.version}"`;
      c.header('ETag', etag);
      if (c.req.header('if-none-match') === etag) return c.body(null, 304);
      return c.json(todoJson(todo));
    });
