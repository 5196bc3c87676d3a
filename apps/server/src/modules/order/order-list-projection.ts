import { projectionOf } from '@ironstar/application';
import { assertNever } from '@ironstar/domain';
import { orderAggregate } from './order-aggregate';
import { type OrderItem, type OrderStatus, totalOf } from './order-decider';

export type OrderView = {
  readonly id: string;
  /** Who placed it (and the only user who sees it). */
  readonly owner: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderItem[];
  readonly totalCents: number;
  readonly paymentId: string | null;
  readonly tracking: string | null;
  readonly reason: string | null;
  readonly createdAt: string;
  /** Version of the order's stream after its last event. */
  readonly version: number;
  /** Global sequence of its last event. */
  readonly updatedSequence: number;
  /** The states its events took it through, repeats collapsed (at most one per state). */
  readonly path: readonly string[];
};

/**
 * Orders keyed by owner, each owner's in creation order (orders are never deleted), so a
 * user's list reads that user's orders only; items replaced, never changed.
 */
export type OrderList = {
  readonly byOwner: Map<string, Map<string, OrderView>>;
  /** The owner of each order: later events name only the order. */
  readonly ownerOf: Map<string, string>;
};

export const emptyOrderList = (): OrderList => ({ byOwner: new Map(), ownerOf: new Map() });

/** An order, if it is this user's: anyone else's is not there (a 404, like a missing one). */
export const ownOrder = (list: OrderList, owner: string, id: string): OrderView | undefined =>
  list.byOwner.get(owner)?.get(id);

const put = (list: OrderList, order: OrderView) => {
  let orders = list.byOwner.get(order.owner);
  if (!orders) {
    orders = new Map();
    list.byOwner.set(order.owner, orders);
  }
  orders.set(order.id, order);
  list.ownerOf.set(order.id, order.owner);
};

export const orderListProjection = projectionOf(orderAggregate, {
  name: 'order-list',
  initialState: emptyOrderList,
  snapshot: {
    // 2: keyed by owner (version 1 snapshots are discarded and the list rebuilt).
    version: 2,
    serialize: (list: OrderList) =>
      [...list.byOwner.values()].flatMap((orders) => [...orders.values()]),
    deserialize: (data) => {
      const list = emptyOrderList();
      for (const order of data as readonly OrderView[]) put(list, order);
      return list;
    },
  },
  evolve(list: OrderList, event, stored) {
    if (event.type === 'OrderCreated') {
      put(list, {
        id: event.data.id,
        owner: event.data.owner,
        status: 'draft',
        items: event.data.items,
        totalCents: totalOf(event.data.items),
        paymentId: null,
        tracking: null,
        reason: null,
        createdAt: event.data.createdAt,
        version: stored.aggregateSequence,
        updatedSequence: stored.globalSequence,
        path: ['none', 'draft'],
      });
      return list;
    }
    const owner = list.ownerOf.get(event.data.id);
    const order = owner === undefined ? undefined : ownOrder(list, owner, event.data.id);
    if (!order) return list;
    const touch = (change: Partial<OrderView>) => {
      const status = change.status ?? order.status;
      put(list, {
        ...order,
        ...change,
        version: stored.aggregateSequence,
        updatedSequence: stored.globalSequence,
        path: order.path.at(-1) === status ? order.path : [...order.path, status],
      });
    };
    switch (event.type) {
      case 'OrderItemAdded': {
        const { item } = event.data;
        const line = order.items.find((each) => each.sku === item.sku);
        const items = line
          ? order.items.map((each) =>
              each.sku === item.sku ? { ...item, quantity: line.quantity + item.quantity } : each,
            )
          : [...order.items, item];
        touch({ items, totalCents: totalOf(items) });
        break;
      }
      case 'OrderItemRemoved': {
        const items = order.items.filter((each) => each.sku !== event.data.sku);
        touch({ items, totalCents: totalOf(items) });
        break;
      }
      case 'OrderSubmitted':
        touch({ status: 'submitted' });
        break;
      case 'OrderValidated':
        touch({ status: 'validated', paymentId: event.data.paymentId });
        break;
      case 'OrderFulfilled':
        touch({ status: 'fulfilled', tracking: event.data.tracking });
        break;
      case 'OrderCancelled':
        touch({ status: 'cancelled', reason: event.data.reason });
        break;
      default:
        return assertNever(event);
    }
    return list;
  },
});

/** The JSON of `GET /api/orders[/:id]`. */
export const orderJson = (order: OrderView) => ({
  id: order.id,
  status: order.status,
  items: order.items,
  totalCents: order.totalCents,
  paymentId: order.paymentId,
  tracking: order.tracking,
  reason: order.reason,
  version: order.version,
  createdAt: order.createdAt,
});
