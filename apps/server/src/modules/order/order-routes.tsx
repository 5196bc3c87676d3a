/** @jsxImportSource hono/jsx */

import { type ProjectionRunner, type TopicRouter, userTopic } from '@ironstar/application';
import {
  type AppEnv,
  encodeText,
  errorJson,
  FEED_OPENED,
  mergeFragments,
  type PageShell,
  pageShell,
  removeFragments,
  type SseHub,
  sseTransport,
} from '@ironstar/web';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { OrderIndex, OrderIndexes } from './order-index';
import { type OrderList, orderJson } from './order-list-projection';
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

/** A change of one of a user's orders, as their feeds hear it. */
export type OrderChange = { readonly orderId: string; readonly sequence: number };

/** The topic of one user's order changes. */
export const orderTopic = (owner: string) => userTopic(owner, 'orders');

/** Publishes each change of the order list under its owner's topic. */
export const routeOrderChanges = (
  list: ProjectionRunner<OrderList>,
  router: TopicRouter<OrderChange>,
) =>
  list.onChange((orders, event, replaying) => {
    if (replaying) return; // before the server listens: no feed to tell
    const owner = orders.ownerOf.get(event.aggregateId);
    if (owner === undefined) return;
    router.publish(orderTopic(owner), {
      orderId: event.aggregateId,
      sequence: event.globalSequence,
    });
  });

/** The feed's frames for one user's orders. */
const orderFrames = (index: OrderIndex) => {
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
  return { full, patch };
};

/**
 * `/orders` (page and feed), `/orders/:id`, `GET /api/orders` and `GET /api/orders/:id`, all
 * from the order list projection and all of the user's own orders only (another user's order
 * is a 404). The feed sends the user's newest orders once, then per change of theirs one row
 * morphed (or prepended, the oldest shown one leaving) and the summary: bounded by the window,
 * never by the number of orders; it hears its user's topic only.
 */
export const orderRoutes = (deps: {
  shell: PageShell;
  indexes: OrderIndexes;
  router: TopicRouter<OrderChange>;
  hub: SseHub;
  compression?: boolean;
}) =>
  new Hono<AppEnv>()
    .get('/orders', (c) => {
      const index = deps.indexes.of(c.get('user').id);
      return c.html(
        html`<!DOCTYPE html>${<OrdersPage shell={pageShell(c, deps.shell)} orders={index.newest(ORDERS_SHOWN)} total={index.total()} />}`,
      );
    })
    .get('/orders/feed', (c) => {
      const owner = c.get('user').id;
      return deps.hub.open(
        'orders',
        (connection) => {
          const { full, patch } = orderFrames(deps.indexes.of(owner));
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
          const unsubscribe = deps.router.subscribe(orderTopic(owner), ({ orderId, sequence }) => {
            const frame = synced && connection.writable() ? patch(orderId, sequence) : undefined;
            if (frame) connection.send(encodeText(frame));
            else sendAll();
          });
          connection.onClose(unsubscribe);
          connection.send(OPENED);
          sendAll();
        },
        sseTransport(c, deps.compression),
      );
    })
    .get('/orders/:id', (c) => {
      const id = c.req.param('id').toLowerCase();
      const order = UUID.test(id) ? deps.indexes.of(c.get('user').id).get(id) : undefined;
      if (!order) return errorJson(c, 'not_found', 'no such order');
      return c.html(
        html`<!DOCTYPE html>${<OrderPage shell={pageShell(c, deps.shell)} order={order} />}`,
      );
    })
    .get('/api/orders', (c) => {
      const index = deps.indexes.of(c.get('user').id);
      return c.json({
        orders: index.newest(MAX_ORDERS_LISTED).map(orderJson),
        total: index.total(),
        sequence: index.position(),
      });
    })
    .get('/api/orders/:id', (c) => {
      const order = deps.indexes.of(c.get('user').id).get(c.req.param('id').toLowerCase());
      if (!order) return errorJson(c, 'not_found', 'no such order');
      c.header('ETag', `"${order.version}"`);
      return c.json({ order: orderJson(order) });
    });
