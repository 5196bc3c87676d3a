import type { EventStore } from '@ironstar/application';
import { err, ok, type Result } from 'neverthrow';

/** Events one step looks through at most before it gives up (it then stops where it got to). */
export const STEP_BUDGET = 5000;
const CHUNK = 500;

/**
 * The global sequence one step back or forward from `at` lands on: the nearest event of one
 * of `types` (the aggregates whose read models travel), so a step never stops on an event
 * that changes nothing shown (analytics sessions, say). Back from the first one is 0, forward
 * from the last one is the head.
 */
export const stepFrom = async (
  store: Pick<EventStore, 'readAll'>,
  options: { at: number; direction: 'back' | 'forward'; types: readonly string[]; head: number },
): Promise<Result<number, string>> => {
  const { at, head } = options;
  const wanted = new Set(options.types);
  let scanned = 0;
  if (options.direction === 'forward') {
    let after = at;
    while (after < head && scanned < STEP_BUDGET) {
      const page = await store.readAll({ after, limit: Math.min(CHUNK, head - after) });
      if (page.isErr()) return err(page.error.message);
      if (page.value.length === 0) break;
      for (const event of page.value) {
        if (wanted.has(event.aggregateType)) return ok(event.globalSequence);
      }
      scanned += page.value.length;
      after = page.value.at(-1)?.globalSequence ?? head;
    }
    return ok(Math.min(head, after));
  }
  let upper = at - 1; // highest sequence not yet looked at
  while (upper >= 1 && scanned < STEP_BUDGET) {
    const after = Math.max(0, upper - CHUNK);
    const page = await store.readAll({ after, limit: upper - after });
    if (page.isErr()) return err(page.error.message);
    for (let i = page.value.length - 1; i >= 0; i--) {
      const event = page.value[i];
      if (event && wanted.has(event.aggregateType)) return ok(event.globalSequence);
    }
    scanned += upper - after;
    upper = after;
  }
  return ok(Math.max(0, upper));
};
