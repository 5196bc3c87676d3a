import type { EventMetadata } from '@ironstar/application';
import { deriveId } from '@ironstar/application';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { RateLimiter } from '../auth/rate-limit';
import { LOCAL_USER } from '../auth/user';
import { isJsonContentType, jsonBodyLimit } from '../boundary/boundary-guard';
import { DATASTAR_REQUEST_HEADER, mergeSignals } from '../datastar/datastar-wire';
import { errorJson, respond } from '../http-errors';
import type { Metrics } from '../metrics';
import type { CommandEndpoint, JsonObject } from '../module';
import { parseCommandId, parseIfMatch } from './command-headers';

/**
 * A client's key as stored: scoped to its user, so one user's key never answers another's
 * request. The local user (local mode has only that one) keeps its key as sent.
 */
export const scopedCommandId = (userId: string, key: string) =>
  userId === LOCAL_USER.id ? key : deriveId(`user:${userId}`, key);

/**
 * A refused command from a Datastar page answers with the same status, and its body as a
 * Datastar event setting `_status` and `_message` (ui/live.tsx), so the page can show the
 * server's own words: Datastar hands a page only the status of an error, never its body.
 * Every other client gets the JSON error body.
 */
export const errorsAsSignals: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.req.header(DATASTAR_REQUEST_HEADER) === undefined || c.res.status < 400) return;
  if (!isJsonContentType(c.res.headers.get('content-type') ?? undefined)) return;
  const body = (await c.res.clone().json()) as { error?: { code?: unknown; message?: unknown } };
  const headers = new Headers(c.res.headers);
  headers.set('Content-Type', 'text/event-stream');
  headers.set('Cache-Control', 'no-cache');
  c.res = new Response(
    mergeSignals({
      _status: c.res.status,
      _message: String(body.error?.message ?? ''),
    }),
    { status: c.res.status, headers },
  );
};

export const COMMAND_BODY_LIMIT = 64 * 1024;

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `POST /api/commands/:aggregate`, written once for every module: JSON only (415), at most
 * 64 KiB (413), well-formed (400), parsed by the module (400), Idempotency-Key or `commandId`
 * with the command's fingerprint (a reuse is 422), If-Match (412 with the current ETag),
 * request and correlation ids into the events' metadata, metrics by aggregate, type and
 * outcome, and `202 { id, sequence }` with the aggregate's version as ETag.
 */
export const commandRoutes = (deps: {
  commands: readonly CommandEndpoint[];
  metrics: Metrics;
  /** Commands per user per minute; past it, 429 with Retry-After. */
  limiter?: RateLimiter;
}) => {
  const endpoints = new Map(deps.commands.map((endpoint) => [endpoint.name, endpoint]));
  // A refused command's type, when the module lists it: the label set stays closed.
  const typeOf = (endpoint: CommandEndpoint, body: unknown) => {
    const type = (body as { type?: unknown } | null)?.type;
    return typeof type === 'string' && endpoint.types?.includes(type) ? type : 'unknown';
  };
  const invalid = (aggregate: string, type = 'unknown') =>
    deps.metrics.commands.inc({ aggregate, type, outcome: 'invalid' });
  return new Hono<AppEnv>().post(
    '/api/commands/:aggregate',
    errorsAsSignals,
    async (c, next) => {
      // Counted per user (not per address), before anything else is looked at.
      const limited = deps.limiter?.take(c.get('user').id);
      if (limited) {
        c.header('Retry-After', String(limited.retryAfterSeconds));
        return errorJson(
          c,
          'rate_limited',
          'too many commands; retry after the Retry-After seconds',
        );
      }
      const endpoint = endpoints.get(c.req.param('aggregate'));
      if (!endpoint) return errorJson(c, 'not_found', 'no aggregate takes commands by that name');
      if (!isJsonContentType(c.req.header('content-type'))) {
        invalid(endpoint.name);
        return errorJson(c, 'unsupported_media_type', 'send the command as application/json');
      }
      await next();
    },
    jsonBodyLimit({
      maxSize: COMMAND_BODY_LIMIT,
      onError: (c) =>
        errorJson(
          c,
          'payload_too_large',
          `command bodies are limited to ${COMMAND_BODY_LIMIT} bytes`,
        ),
    }),
    async (c) => {
      const started = performance.now();
      // Present: the first handler checked it.
      const endpoint = endpoints.get(c.req.param('aggregate'));
      if (!endpoint) return errorJson(c, 'not_found', 'no aggregate takes commands by that name');
      const aggregate = endpoint.name;
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        invalid(aggregate);
        return errorJson(c, 'malformed', 'body is not valid JSON');
      }
      const refuse = (message: string) => {
        invalid(aggregate, typeOf(endpoint, body));
        return errorJson(c, 'validation', message);
      };
      if (!isJsonObject(body)) return refuse('body must be a JSON object');
      const parsed = endpoint.parse(body);
      if (parsed.isErr()) return refuse(parsed.error.message);
      const command = parsed.value;
      const commandId = parseCommandId(c.req.header('idempotency-key'), body);
      if (commandId.isErr()) return refuse(commandId.error.message);
      const ifMatch = parseIfMatch(c.req.header('if-match'), aggregate);
      if (ifMatch.isErr()) return refuse(ifMatch.error.message);
      if (ifMatch.value !== undefined && command.isNew) {
        return refuse(`If-Match applies to commands on an existing ${aggregate}`);
      }
      const metadata: EventMetadata = {
        requestId: c.get('requestId'),
        correlationId: c.get('correlationId'),
        actor: c.get('user').id,
      };
      const result = await command.send({
        metadata,
        ...(commandId.value === undefined
          ? {}
          : {
              commandId: scopedCommandId(c.get('user').id, commandId.value),
              fingerprint: command.fingerprint,
            }),
        ...(ifMatch.value === undefined ? {} : { expectedVersion: ifMatch.value }),
      });
      const outcome = result.isOk()
        ? result.value.replayed
          ? 'replayed'
          : 'accepted'
        : result.error.outcome;
      const labels = { aggregate, type: command.name, outcome };
      deps.metrics.commands.inc(labels);
      deps.metrics.commandDuration.observe(labels, (performance.now() - started) / 1000);
      if (result.isErr()) return respond(c, result.error.problem);
      const { aggregateId, sequence, version, events, replayed } = result.value;
      if (events.length > 0) {
        deps.metrics.eventsAppended.inc({ aggregate_type: endpoint.aggregateType }, events.length);
      }
      c.header('ETag', `"${version}"`);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json({ id: aggregateId, sequence }, 202);
    },
  );
};
