import type { getPostgresEventStore as load } from './postgres-event-store';

/**
 * The PostgreSQL store, loaded only when a server asks for it: the `pg` driver and the adapter
 * cost a libSQL server's every start tens of milliseconds otherwise.
 */
export const getPostgresEventStore: typeof load = async (options) =>
  (await import('./postgres-event-store')).getPostgresEventStore(options);
