import type { ProjectionRunner } from '@ironstar/application';
import type { OrderList, OrderView } from './order-list-projection';

/**
 * The order ids in creation order, so "the newest N" costs O(N), not a walk of every order.
 * Kept by the projection's change events; rebuilt once if the list was replaced (restored
 * from a snapshot) or grew without us (an event before we subscribed).
 */
export const createOrderIndex = (list: ProjectionRunner<OrderList>) => {
  let ids: string[] = [];
  let builtFrom: OrderList | undefined;
  const sync = () => {
    const orders = list.state();
    if (orders !== builtFrom || ids.length !== orders.size) {
      ids = [...orders.keys()];
      builtFrom = orders;
    }
    return orders;
  };
  list.onChange((orders, event) => {
    // One new order on the list we indexed: append it; anything else is caught by `sync`.
    if (
      orders === builtFrom &&
      event.eventType === 'OrderCreated' &&
      ids.length === orders.size - 1
    ) {
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
    total: () => sync().size,
  };
};

export type OrderIndex = ReturnType<typeof createOrderIndex>;
