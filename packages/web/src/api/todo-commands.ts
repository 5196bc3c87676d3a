import type { CommandError, EventMetadata, TodoService } from '@ironstar/application';
import type { TodoError } from '@ironstar/domain';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import { errorJson } from '../http-errors';
import type { Metrics } from '../metrics';
import { parseTodoCommandBody, type TodoCommandBody } from './todo-command-body';

export const COMMAND_BODY_LIMIT = 64 * 1024;

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType);

const dispatch = (todos: TodoService, command: TodoCommandBody, metadata: EventMetadata) => {
  switch (command.type) {
    case 'create':
      return todos.create(command.text, metadata);
    case 'rename':
      return todos.rename(command.id, command.text, metadata);
    case 'complete':
      return todos.complete(command.id, metadata);
    case 'reopen':
      return todos.reopen(command.id, metadata);
    case 'delete':
      return todos.delete(command.id, metadata);
  }
};

const domainMessages: Record<TodoError['type'], string> = {
  TodoNotFound: 'no such todo',
  TodoAlreadyExists: 'todo already exists',
  TodoIsDeleted: 'todo is deleted',
  TodoAlreadyCompleted: 'todo is already completed',
  TodoNotCompleted: 'todo is not completed',
};

/** Translates a command failure to HTTP, in this one place. */
const failure = (c: Context, error: CommandError<TodoError>) => {
  switch (error.type) {
    case 'Rejected':
      return error.error.type === 'TodoNotFound'
        ? errorJson(c, 404, 'not_found', domainMessages.TodoNotFound)
        : errorJson(c, 409, 'invalid_transition', domainMessages[error.error.type]);
    case 'Conflict':
      return errorJson(c, 409, 'conflict', error.message);
    case 'StoreUnavailable':
      c.header('Retry-After', '1');
      return errorJson(c, 503, 'unavailable', 'the event store is unavailable; nothing was stored');
  }
};

const outcomeOf = (error: CommandError<TodoError>) =>
  error.type === 'Rejected' ? 'rejected' : error.type === 'Conflict' ? 'conflict' : 'unavailable';

export const todoCommandRoutes = (deps: { todos: TodoService; metrics: Metrics }) =>
  new Hono<AppEnv>().post(
    '/api/commands/todo',
    async (c, next) => {
      if (!isJson(c.req.header('content-type'))) {
        deps.metrics.commands.inc({ type: 'unknown', outcome: 'invalid' });
        return errorJson(c, 415, 'unsupported_media_type', 'send the command as application/json');
      }
      await next();
    },
    bodyLimit({
      maxSize: COMMAND_BODY_LIMIT,
      onError: (c) =>
        errorJson(
          c,
          413,
          'payload_too_large',
          `command bodies are limited to ${COMMAND_BODY_LIMIT} bytes`,
        ),
    }),
    async (c) => {
      const started = performance.now();
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        deps.metrics.commands.inc({ type: 'unknown', outcome: 'invalid' });
        return errorJson(c, 400, 'malformed', 'body is not valid JSON');
      }
      const parsed = parseTodoCommandBody(body);
      if (parsed.isErr()) {
        deps.metrics.commands.inc({ type: 'unknown', outcome: 'invalid' });
        return errorJson(c, 400, 'validation', parsed.error.message);
      }
      const command = parsed.value;
      const metadata: EventMetadata = {
        requestId: c.get('requestId'),
        correlationId: c.get('correlationId'),
      };
      const result = await dispatch(deps.todos, command, metadata);
      const outcome = result.isOk() ? 'accepted' : outcomeOf(result.error);
      deps.metrics.commands.inc({ type: command.type, outcome });
      deps.metrics.commandDuration.observe(
        { type: command.type, outcome },
        (performance.now() - started) / 1000,
      );
      if (result.isErr()) return failure(c, result.error);
      const { aggregateId, sequence, version, events } = result.value;
      if (events.length > 0)
        deps.metrics.eventsAppended.inc({ aggregate_type: 'Todo' }, events.length);
      c.header('ETag', `"${version}"`);
      return c.json({ id: aggregateId, sequence }, 202);
    },
  );
