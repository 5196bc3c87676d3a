import { mapProjectionOf } from '@ironstar/application';
import { assertNever } from '@ironstar/domain';
import { orderAggregate } from './order-aggregate';
import { type OrderItem, type OrderStatus, totalOf } from './order-decider';

export type OrderView = {
  readonly id: string;
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

/** Orders in creation order (orders are never deleted); items replaced, never changed. */
export type OrderList = Map<string, OrderView>;

export const orderListProjection = mapProjectionOf(orderAggregate, {
  name: 'order-list',
  version: 1,
  evolve(orders: OrderList, event, stored) {
    if (event.type === 'OrderCreated') {
      orders.set(event.data.id, {
        id: event.data.id,
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
      return orders;
    }
    const order = orders.get(event.data.id);
    if (!order) return orders;
    const touch = (change: Partial<OrderView>) => {
      const status = change.status ?? order.status;
      orders.set(order.id, {
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
    return orders;
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
