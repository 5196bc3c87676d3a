import type { AggregateService } from '@ironstar/application';
import {
  type AppEnv,
  COMMAND_BODY_LIMIT,
  commandProblem,
  errorJson,
  isJsonContentType,
  jsonBodyLimit,
  type Metrics,
  respond,
} from '@ironstar/web';
import { Hono } from 'hono';
import { todoErrors } from './todo-commands';
import type { TodoCommand, TodoError, TodoState } from './todo-decider';
import type { TodoId } from './todo-id';
import type { TodoIndexes } from './todo-index';
import type { TodoItem } from './todo-list-projection';

export const TODO_BULK_ACTIONS = ['complete-all', 'reopen-all', 'clear-completed'] as const;
type BulkAction = (typeof TODO_BULK_ACTIONS)[number];
/** The newest todos one bulk request looks at, and the most it changes. */
export const BULK_SCAN = 10_000;
export const BULK_MAX = 1000;

const PLAN: Record<
  BulkAction,
  {
    wants: (todo: TodoItem) => boolean;
    command: (id: TodoId, now: string, actor: string) => TodoCommand;
  }
> = {
  'complete-all': {
    wants: (todo) => !todo.completed,
    command: (id, now, actor) => ({ type: 'CompleteTodo', data: { id, now, actor } }),
  },
  'reopen-all': {
    wants: (todo) => todo.completed,
    command: (id, _, actor) => ({ type: 'ReopenTodo', data: { id, actor } }),
  },
  'clear-completed': {
    wants: (todo) => todo.completed,
    command: (id, _, actor) => ({ type: 'DeleteTodo', data: { id, actor } }),
  },
};

/**
 * `POST /api/todos/bulk` `{ "action": "complete-all" | "reopen-all" | "clear-completed" }`:
 * the TodoMVC "toggle all" and "clear completed" of the user's own todos (sent as that user,
 * so the decider would refuse anyone else's). One command per todo, each at the version
 * the list shows (a todo changed meanwhile is left alone), at most BULK_MAX per request among
 * the newest BULK_SCAN. With an Idempotency-Key, each todo's command is keyed by it, so a
 * resend never applies one twice. `202 { changed, skipped, more }`; 503 if the store fails
 * (what was changed before stays changed).
 */
export const todoBulkRoutes = (deps: {
  indexes: TodoIndexes;
  commands: AggregateService<TodoCommand, TodoState, TodoError>;
  metrics: Metrics;
}) =>
  new Hono<AppEnv>().post(
    '/api/todos/bulk',
    jsonBodyLimit({
      maxSize: COMMAND_BODY_LIMIT,
      onError: (c) =>
        errorJson(c, 'payload_too_large', `bodies are limited to ${COMMAND_BODY_LIMIT} bytes`),
    }),
    async (c) => {
      if (!isJsonContentType(c.req.header('content-type'))) {
        return errorJson(c, 'unsupported_media_type', 'send the body as application/json');
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return errorJson(c, 'malformed', 'body is not valid JSON');
      }
      const action = (body as { action?: unknown } | null)?.action;
      if (!TODO_BULK_ACTIONS.includes(action as BulkAction)) {
        return errorJson(c, 'validation', `action must be one of ${TODO_BULK_ACTIONS.join(', ')}`);
      }
      const key = c.req.header('idempotency-key');
      if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
        return errorJson(
          c,
          'validation',
          'Idempotency-Key must be 1-200 printable ASCII characters',
        );
      }
      const plan = PLAN[action as BulkAction];
      const actor = c.get('user').id;
      const targets = deps.indexes.of(actor).newest(BULK_SCAN).filter(plan.wants);
      let changed = 0;
      let skipped = 0;
      let appended = 0;
      for (const todo of targets.slice(0, BULK_MAX)) {
        const id = todo.id as TodoId;
        const result = await deps.commands.send(
          { aggregateId: id, command: ({ now }) => plan.command(id, now, actor) },
          {
            expectedVersion: todo.version,
            metadata: {
              requestId: c.get('requestId'),
              correlationId: c.get('correlationId'),
              actor,
            },
            ...(key === undefined
              ? {}
              : { commandId: `bulk:${key}:${id}`, fingerprint: action as string }),
          },
        );
        const outcome = result.isOk()
          ? 'accepted'
          : result.error.type === 'StoreUnavailable'
            ? 'unavailable'
            : 'rejected';
        deps.metrics.commands.inc({ aggregate: 'todo', type: action as string, outcome });
        if (result.isErr()) {
          if (result.error.type === 'StoreUnavailable') {
            return respond(c, commandProblem(result.error, { noun: 'todo', errors: todoErrors }));
          }
          skipped++;
          continue;
        }
        appended += result.value.events.length;
        changed++;
      }
      if (appended > 0) deps.metrics.eventsAppended.inc({ aggregate_type: 'Todo' }, appended);
      return c.json({ changed, skipped, more: targets.length > BULK_MAX }, 202);
    },
  );
