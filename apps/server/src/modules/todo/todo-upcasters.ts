import type { Upcaster } from '@ironstar/domain';

/** TodoCreated v1 had no priority; every todo created then was of normal priority. */
export const todoUpcasters: readonly Upcaster[] = [
  {
    eventType: 'TodoCreated',
    fromVersion: 1,
    upcast: (payload) => ({ priority: 'normal', ...(payload as Record<string, unknown>) }),
  },
];
