import type { ProjectionRunner } from '@ironstar/application';
import type { OrderList, OrderView } from './order-list-projection';

/**
 * The order ids in creation order with each one's place, so "the newest N" costs O(N) and
 * "is this order among the newest N" O(1), never a walk over every order. Kept by the
 * projection's change events; rebuilt once if the list was replaced (restored from a
 * snapshot) or grew without us.
 */
export const createOrderIndex = (list: ProjectionRunner<OrderList>) => {
  let ids: string[] = [];
  let place = new Map<string, number>();
  let builtFrom: OrderList | undefined;
  const sync = () => {
    const orders = list.state();
    if (orders !== builtFrom || ids.length !== orders.size) {
      ids = [...orders.keys()];
      place = new Map(ids.map((id, i) => [id, i]));
      builtFrom = orders;
    }
    return orders;
  };
  list.onChange((orders, event) => {
    // One new order on the list we indexed: append it; anything else is caught by `sync`.
    if (
      orders === builtFrom &&
      event.eventType === 'OrderCreated' &&
      ids.length === orders.size - 1 &&
      !place.has(event.aggregateId)
    ) {
      place.set(event.aggregateId, ids.length);
      ids.push(event.aggregateId);
    }
  });
  return {
    get: (id: string): OrderView | undefined => sync().get(id),
    /** The newest `limit` orders, newest first. */
    newest(limit: number): OrderView[] {
      const orders = sync();
      const out: OrderView[] = [];
      for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) {
        const order = orders.get(ids[i] ?? '');
        if (order) out.push(order);
      }
      return out;
    },
    /** How many orders are newer than this one (0: the newest); undefined if unknown. */
    newerThan(id: string): number | undefined {
      sync();
      const at = place.get(id);
      return at === undefined ? undefined : ids.length - 1 - at;
    },
    /** The k-th newest order's id (0: the newest). */
    nthNewest: (k: number): string | undefined => {
      sync();
      return ids[ids.length - 1 - k];
    },
    total: () => sync().size,
    position: () => list.position(),
  };
};

export type OrderIndex = ReturnType<typeof createOrderIndex>;
