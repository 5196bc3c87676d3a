import { createHash } from 'node:crypto';
import type {
  CommandError,
  EventMetadata,
  HandleOptions,
  TodoService,
} from '@ironstar/application';
import type { TodoError } from '@ironstar/domain';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import { isJsonContentType } from '../boundary/boundary-guard';
import { errorJson } from '../http-errors';
import type { Metrics } from '../metrics';
import {
  parseCommandId,
  parseIfMatch,
  parseTodoCommandBody,
  type TodoCommandBody,
} from './todo-command-body';

export const COMMAND_BODY_LIMIT = 64 * 1024;

const dispatch = (todos: TodoService, command: TodoCommandBody, options: HandleOptions) => {
  switch (command.type) {
    case 'create':
      return todos.create(command.text, command.priority, options);
    case 'rename':
      return todos.rename(command.id, command.text, options);
    case 'complete':
      return todos.complete(command.id, options);
    case 'reopen':
      return todos.reopen(command.id, options);
    case 'delete':
      return todos.delete(command.id, options);
  }
};

/** What a command says, so a reused Idempotency-Key with other content can be told apart. */
const fingerprintOf = (command: TodoCommandBody) =>
  createHash('sha256').update(JSON.stringify(command)).digest('base64url');

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
    case 'PreconditionFailed':
      c.header('ETag', `"${error.actual}"`);
      return errorJson(
        c,
        412,
        'precondition_failed',
        `the todo is at version ${error.actual}, not ${error.expected}; nothing was changed`,
      );
    case 'IdempotencyMismatch':
      return errorJson(
        c,
        422,
        'idempotency_key_reused',
        'this Idempotency-Key was already used for a different command',
      );
    case 'StoreUnavailable':
      c.header('Retry-After', '1');
      return errorJson(c, 503, 'unavailable', 'the event store is unavailable; nothing was stored');
  }
};

const OUTCOMES = {
  Rejected: 'rejected',
  Conflict: 'conflict',
  PreconditionFailed: 'precondition_failed',
  IdempotencyMismatch: 'idempotency_mismatch',
  StoreUnavailable: 'unavailable',
} as const;

export const todoCommandRoutes = (deps: { todos: TodoService; metrics: Metrics }) =>
  new Hono<AppEnv>().post(
    '/api/commands/todo',
    async (c, next) => {
      if (!isJsonContentType(c.req.header('content-type'))) {
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
      const invalid = (message: string) => {
        deps.metrics.commands.inc({ type: 'unknown', outcome: 'invalid' });
        return errorJson(c, 400, 'validation', message);
      };
      const parsed = parseTodoCommandBody(body);
      if (parsed.isErr()) return invalid(parsed.error.message);
      const command = parsed.value;
      const commandId = parseCommandId(c.req.header('idempotency-key'), body);
      if (commandId.isErr()) return invalid(commandId.error.message);
      const ifMatch = parseIfMatch(c.req.header('if-match'));
      if (ifMatch.isErr()) return invalid(ifMatch.error.message);
      if (ifMatch.value !== undefined && command.type === 'create') {
        return invalid('If-Match applies to commands on an existing todo');
      }
      const metadata: EventMetadata = {
        requestId: c.get('requestId'),
        correlationId: c.get('correlationId'),
      };
      const result = await dispatch(deps.todos, command, {
        metadata,
        ...(commandId.value === undefined
          ? {}
          : { commandId: commandId.value, fingerprint: fingerprintOf(command) }),
        ...(ifMatch.value === undefined ? {} : { expectedVersion: ifMatch.value }),
      });
      const outcome = result.isOk()
        ? result.value.replayed
          ? 'replayed'
          : 'accepted'
        : OUTCOMES[result.error.type];
      deps.metrics.commands.inc({ type: command.type, outcome });
      deps.metrics.commandDuration.observe(
        { type: command.type, outcome },
        (performance.now() - started) / 1000,
      );
      if (result.isErr()) return failure(c, result.error);
      const { aggregateId, sequence, version, events, replayed } = result.value;
      if (events.length > 0)
        deps.metrics.eventsAppended.inc({ aggregate_type: 'Todo' }, events.length);
      c.header('ETag', `"${version}"`);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json({ id: aggregateId, sequence }, 202);
    },
  );
