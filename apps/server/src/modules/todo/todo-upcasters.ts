import type { Upcaster } from '@ironstar/domain';

/**
 * Whose the todos stored before owners existed are: the local mode user (`LOCAL_USER.id` in
 * @ironstar/web), so a store kept from then stays that user's.
 */
export const FIRST_OWNER = 'local';

const withOwner = (payload: unknown) => ({
  owner: FIRST_OWNER,
  ...(payload as Record<string, unknown>),
});

export const todoUpcasters: readonly Upcaster[] = [
  /** TodoCreated v1 had no priority; every todo created then was of normal priority. */
  {
    eventType: 'TodoCreated',
    fromVersion: 1,
    upcast: (payload) => ({ priority: 'normal', ...(payload as Record<string, unknown>) }),
  },
  /** TodoCreated v2 had no owner: see FIRST_OWNER. */
  { eventType: 'TodoCreated', fromVersion: 2, upcast: withOwner },
  /** TodoRestored v1 had no owner (it restores a todo created before owners). */
  { eventType: 'TodoRestored', fromVersion: 1, upcast: withOwner },
];
