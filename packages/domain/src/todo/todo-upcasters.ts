import type { Upcaster } from '../upcaster';

/** The version each Todo event is written at today. */
export const TODO_EVENT_VERSIONS: Readonly<Record<string, number>> = { TodoCreated: 2 };

/** TodoCreated v1 had no priority; every todo created then was of normal priority. */
export const todoUpcasters: readonly Upcaster[] = [
  {
    eventType: 'TodoCreated',
    fromVersion: 1,
    upcast: (payload) => ({ priority: 'normal', ...(payload as Record<string, unknown>) }),
  },
];
