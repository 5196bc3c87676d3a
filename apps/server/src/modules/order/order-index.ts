import type { ProjectionRunner } from '@ironstar/application';
import { type OrderList, type OrderView, ownOrder } from './order-list-projection';

/** One user's orders in creation order, each with its place. */
type Owned = { ids: string[]; place: Map<string, number> };
const NONE: Owned = { ids: [], place: new Map() };

/**
 * Each user's order ids in creation order with each one's place, so "the user's newest N"
 * costs O(N) and "is this order among them" O(1): never a walk over every order, nor over
 * anyone else's. Kept by the projection's change events; rebuilt once if the list was
 * replaced (restored from a snapshot) or grew without us.
 */
export const createOrderIndex = (list: ProjectionRunner<OrderList>) => {
  let owners = new Map<string, Owned>();
  let indexed = 0;
  let builtFrom: OrderList | undefined;
  const sync = () => {
    const orders = list.state();
    if (orders !== builtFrom || indexed !== orders.ownerOf.size) {
      owners = new Map();
      for (const [owner, mine] of orders.byOwner) {
        const ids = [...mine.keys()];
        owners.set(owner, { ids, place: new Map(ids.map((id, i) => [id, i])) });
      }
      indexed = orders.ownerOf.size;
      builtFrom = orders;
    }
    return orders;
  };
  list.onChange((orders, event) => {
    // One new order on the list we indexed: append it; anything else is caught by `sync`.
    const owner = orders.ownerOf.get(event.aggregateId);
    if (
      orders === builtFrom &&
      owner !== undefined &&
      event.eventType === 'OrderCreated' &&
      indexed === orders.ownerOf.size - 1
    ) {
      let owned = owners.get(owner);
      if (!owned) {
        owned = { ids: [], place: new Map() };
        owners.set(owner, owned);
      }
      if (!owned.place.has(event.aggregateId)) {
        owned.place.set(event.aggregateId, owned.ids.length);
        owned.ids.push(event.aggregateId);
        indexed++;
      }
    }
  });
  /** One user's view of the list. */
  const of = (owner: string) => {
    const owned = () => {
      sync();
      return owners.get(owner) ?? NONE;
    };
    return {
      get: (id: string): OrderView | undefined => ownOrder(sync(), owner, id),
      /** The user's newest `limit` orders, newest first. */
      newest(limit: number): OrderView[] {
        const { ids } = owned();
        const orders = list.state();
        const out: OrderView[] = [];
        for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) {
          const order = ownOrder(orders, owner, ids[i] ?? '');
          if (order) out.push(order);
        }
        return out;
      },
      /** How many of the user's orders are newer than this one (0: the newest); undefined if not theirs. */
      newerThan(id: string): number | undefined {
        const { ids, place } = owned();
        const at = place.get(id);
        return at === undefined ? undefined : ids.length - 1 - at;
      },
      /** The user's k-th newest order's id (0: the newest). */
      nthNewest: (k: number): string | undefined => {
        const { ids } = owned();
        return ids[ids.length - 1 - k];
      },
      total: () => owned().ids.length,
      position: () => list.position(),
    };
  };
  return { of, position: () => list.position() };
};

export type OrderIndexes = ReturnType<typeof createOrderIndex>;
export type OrderIndex = ReturnType<OrderIndexes['of']>;
