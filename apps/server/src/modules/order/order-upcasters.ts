import type { Upcaster } from '@ironstar/domain';

/** Orders placed before owners existed are the local mode user's (`LOCAL_USER.id`). */
export const FIRST_ORDER_OWNER = 'local';

export const orderUpcasters: readonly Upcaster[] = [
  /** OrderCreated v1 had no owner: see FIRST_ORDER_OWNER. */
  {
    eventType: 'OrderCreated',
    fromVersion: 1,
    upcast: (payload) => ({ owner: FIRST_ORDER_OWNER, ...(payload as Record<string, unknown>) }),
  },
];
