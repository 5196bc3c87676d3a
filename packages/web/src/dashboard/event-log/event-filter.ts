import type { EventStore, StoredEvent } from '@ironstar/application';
import { err, ok, type Result } from 'neverthrow';

/** What the event log can be narrowed to; every field set must match (ids by prefix, types by part). */
export type EventFilter = {
  readonly aggregateType?: string;
  readonly aggregateId?: string;
  readonly eventType?: string;
  readonly correlationId?: string;
  readonly eventId?: string;
};

export const FILTER_FIELDS = [
  'aggregateType',
  'aggregateId',
  'eventType',
  'correlationId',
  'eventId',
] as const;

const MAX_FILTER_LENGTH = 200;

/** Reads filters from query parameters; refuses values too long to be ids or type names. */
export const parseFilter = (
  get: (name: string) => string | undefined,
): Result<EventFilter, string> => {
  const filter: Record<string, string> = {};
  for (const field of FILTER_FIELDS) {
    const value = get(field)?.trim();
    if (!value) continue;
    if (value.length > MAX_FILTER_LENGTH) {
      return err(`${field} must be at most ${MAX_FILTER_LENGTH} characters`);
    }
    filter[field] = value;
  }
  return ok(filter);
};

// Ids match by prefix (the short id a row shows finds its events; a trailing … is ignored),
// types by any part ("Renamed" finds ItemRenamed); both ignore case.
const norm = (value: string) => value.replace(/…$/, '').toLowerCase();
const idMatches = (wanted: string | undefined, actual: string | undefined) =>
  wanted === undefined || (actual ?? '').toLowerCase().startsWith(norm(wanted));
const typeMatches = (wanted: string | undefined, actual: string) =>
  wanted === undefined || actual.toLowerCase().includes(norm(wanted));

export const matches = (filter: EventFilter, event: StoredEvent): boolean =>
  typeMatches(filter.aggregateType, event.aggregateType) &&
  idMatches(filter.aggregateId, event.aggregateId) &&
  typeMatches(filter.eventType, event.eventType) &&
  idMatches(filter.correlationId, event.metadata?.correlationId) &&
  idMatches(filter.eventId, event.id);

export type OlderPage = {
  /** Matching events, newest first. */
  readonly events: readonly StoredEvent[];
  /** Pass as `before` for the next page; null when the start of the log was reached. */
  readonly nextBefore: number | null;
};

/**
 * Reads the log backwards from `before` (exclusive) in store pages, keeping the first `want`
 * matches, and stops after `budget` events so a narrow filter over a long log stays cheap
 * per request (the reader pages on from `nextBefore`).
 */
export const readOlder = async (
  store: Pick<EventStore, 'readAll'>,
  options: { before: number; filter: EventFilter; want: number; budget?: number; chunk?: number },
): Promise<Result<OlderPage, string>> => {
  const chunk = options.chunk ?? 500;
  const budget = options.budget ?? 5000;
  const found: StoredEvent[] = [];
  let upper = options.before - 1; // highest sequence not yet scanned
  let scanned = 0;
  while (upper >= 1 && scanned < budget) {
    const after = Math.max(0, upper - chunk);
    const page = await store.readAll({ after, limit: upper - after });
    if (page.isErr()) return err(page.error.message);
    for (let i = page.value.length - 1; i >= 0; i--) {
      const event = page.value[i];
      if (event && matches(options.filter, event)) {
        found.push(event);
        if (found.length === options.want)
          return ok({ events: found, nextBefore: event.globalSequence });
      }
    }
    scanned += upper - after;
    upper = after;
  }
  return ok({ events: found, nextBefore: upper >= 1 ? upper + 1 : null });
};
