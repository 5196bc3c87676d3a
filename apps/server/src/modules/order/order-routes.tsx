/** @jsxImportSource hono/jsx */
import {
  type AppEnv,
  encodeText,
  errorJson,
  FEED_OPENED,
  mergeFragments,
  type PageShell,
  removeFragments,
  type SseHub,
  sseTransport,
} from '@ironstar/web';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { OrderIndex } from './order-index';
import { orderJson } from './order-list-projection';
import {
  ORDERS_SHOWN,
  OrderListView,
  OrderPage,
  OrderRow,
  OrderSummary,
  OrdersPage,
} from './order-page';

/** `GET /api/orders` answers the newest this many orders, newest first. */
export const MAX_ORDERS_LISTED = 100;
const OPENED = encodeText(FEED_OPENED);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `/orders` (page and feed), `/orders/:id`, `GET /api/orders` and `GET /api/orders/:id`, all
 * from the order list projection. The feed sends the newest orders once, then per change one
 * row morphed (or prepended, the oldest shown one leaving) and the summary: bounded by the
 * window, never by the number of orders.
 */
export const orderRoutes = (deps: {
  shell: PageShell;
  index: OrderIndex;
  hub: SseHub;
  compression?: boolean;
  onChange: (listener: (orderId: string, sequence: number) => void) => () => void;
}) => {
  const { index } = deps;
  const full = () =>
    mergeFragments(
      String(<OrderListView orders={index.newest(ORDERS_SHOWN)} total={index.total()} />),
      { id: index.position() },
    );
  const patch = (orderId: string, sequence: number): string | undefined => {
    const order = index.get(orderId);
    const newer = index.newerThan(orderId);
    if (!order || newer === undefined) return undefined;
    const events: string[] = [];
    if (newer < ORDERS_SHOWN) {
      const row = String(<OrderRow order={order} />);
      // A new order (one event) goes on top; the oldest shown leaves.
      if (order.version === 1 && newer === 0) {
        events.push(mergeFragments(row, { selector: '#order-items', mergeMode: 'prepend' }));
        const leaving = index.nthNewest(ORDERS_SHOWN);
        if (leaving !== undefined) events.push(removeFragments(`#order-${leaving}`));
      } else {
        events.push(mergeFragments(row));
      }
    }
    events.push(mergeFragments(String(<OrderSummary total={index.total()} />), { id: sequence }));
    return events.join('');
  };

  return new Hono<AppEnv>()
    .get('/orders', (c) =>
      c.html(
        html`<!DOCTYPE html>${<OrdersPage shell={deps.shell} orders={index.newest(ORDERS_SHOWN)} total={index.total()} />}`,
      ),
    )
    .get('/orders/feed', (c) =>
      deps.hub.open(
        'orders',
        (connection) => {
          let synced = false;
          let waiting = false;
          // A client that stops taking data is sent nothing meanwhile, the whole list once it drains.
          const sendAll = () => {
            if (connection.writable()) {
              connection.send(encodeText(full()));
              synced = true;
              return;
            }
            synced = false;
            if (waiting) return;
            waiting = true;
            connection.onDrain(() => {
              waiting = false;
              sendAll();
            });
          };
          // Subscribe first, then send the window: no change falls in between.
          const unsubscribe = deps.onChange((orderId, sequence) => {
            const frame = synced && connection.writable() ? patch(orderId, sequence) : undefined;
            if (frame) connection.send(encodeText(frame));
            else sendAll();
          });
          connection.onClose(unsubscribe);
          connection.send(OPENED);
          sendAll();
        },
        sseTransport(c, deps.compression),
      ),
    )
    .get('/orders/:id', (c) => {
      const id = c.req.param('id').toLowerCase();
      const order = UUID.test(id) ? index.get(id) : undefined;
      if (!order) return errorJson(c, 'not_found', 'no such order');
      return c.html(html`<!DOCTYPE html>${<OrderPage shell={deps.shell} order={order} />}`);
    })
    .get('/api/orders', (c) =>
      c.json({
        orders: index.newest(MAX_ORDERS_LISTED).map(orderJson),
        total: index.total(),
        sequence: index.position(),
      }),
    )
    .get('/api/orders/:id', (c) => {
      const order = index.get(c.req.param('id').toLowerCase());
      if (!order) return errorJson(c, 'not_found', 'no such order');
      c.header('ETag', `"${order.version}"`);
      return c.json({ order: orderJson(order) });
    });
};
