import type { EventStore } from '@ironstar/application';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { errorJson, respond, storeUnavailable } from '../http-errors';
import { nonNegativeInt } from './query-params';

export const MAX_EVENTS_PAGE = 1000;

/** The raw event log, a page at a time, from the store. */
export const readRoutes = (deps: { store: EventStore }) =>
  new Hono<AppEnv>().get('/api/events', async (c) => {
    const after = nonNegativeInt(c.req.query('after'), 0);
    const limit = nonNegativeInt(c.req.query('limit'), 100);
    if (after === undefined)
      return errorJson(c, 'validation', 'after must be a non-negative integer');
    if (limit === undefined || limit < 1 || limit > MAX_EVENTS_PAGE) {
      return errorJson(c, 'validation', `limit must be an integer from 1 to ${MAX_EVENTS_PAGE}`);
    }
    const page = await deps.store.readAll({ after, limit });
    if (page.isErr()) return respond(c, storeUnavailable());
    return c.json({ events: page.value });
  });
