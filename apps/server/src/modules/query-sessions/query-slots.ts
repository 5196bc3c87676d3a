export type QuerySlotsOptions = {
  /** Queries running at once, across every client. */
  readonly max: number;
  /** Queries one client may run at once. */
  readonly perClient: number;
};

export type SlotRefusal = { readonly type: 'Busy'; readonly message: string };

/** A held slot; releasing it twice is harmless. */
export type QuerySlot = { release(): void };

/**
 * Concurrency slots for analytics queries. `acquire` decides and takes a slot in one
 * synchronous step, so the caps hold exactly however many requests race: there is no await
 * between the check and the taking. Clients are counted by a key (their address).
 */
export const createQuerySlots = (options: QuerySlotsOptions) => {
  let total = 0;
  const byClient = new Map<string, number>();
  return {
    acquire(client: string): QuerySlot | SlotRefusal {
      const mine = byClient.get(client) ?? 0;
      if (total >= options.max) {
        return {
          type: 'Busy',
          message: `${options.max} queries are already running; try again shortly`,
        };
      }
      if (mine >= options.perClient) {
        return {
          type: 'Busy',
          message: `you already run ${options.perClient} queries; wait for one to finish`,
        };
      }
      total++;
      byClient.set(client, mine + 1);
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          total--;
          const left = (byClient.get(client) ?? 1) - 1;
          if (left > 0) byClient.set(client, left);
          else byClient.delete(client);
        },
      };
    },
    inUse: () => total,
    /** Clients holding a slot now (the map never holds more keys than `max`). */
    clients: () => byClient.size,
  };
};

export type QuerySlots = ReturnType<typeof createQuerySlots>;
