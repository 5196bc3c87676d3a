/** @jsxImportSource hono/jsx */
import { AggregateMachine, action, Layout, LiveFeed, type PageShell } from '@ironstar/web';
import { ORDER_LIMITS } from './order-decider';
import type { OrderView } from './order-list-projection';

export const ORDER_COMMAND_URL = '/api/commands/order';
export const ORDERS_FEED_URL = '/orders/feed';
/** Orders the page shows: the newest, newest first. */
export const ORDERS_SHOWN = 50;

// The sent signals are exactly what a command body holds; `_` ones stay in the page. The form's
// item fields are copied (as numbers) into the sent ones at the click.
const SIGNALS = `{type: '', id: '', sku: '', quantity: 1, priceCents: 0, reason: '', items: [], _sku: '', _quantity: 1, _price: 1250, _reason: 'changed my mind', _notice: ''}`;
const post = action('post', ORDER_COMMAND_URL);
const ITEM = '$sku = $_sku; $quantity = Number($_quantity); $priceCents = Number($_price);';

// Only validated UUIDs go into these expressions, never user text: a sku is read from the
// button's own data-sku attribute (escaped by JSX) when it is clicked.
const on = (type: 'submit' | 'add-item' | 'cancel', order: OrderView) => {
  const prefix = `$_notice = ''; $type = '${type}'; $id = '${order.id}';`;
  if (type === 'add-item') return `${prefix} ${ITEM} ${post}`;
  if (type === 'cancel') return `${prefix} $reason = $_reason; ${post}`;
  return `${prefix} ${post}`;
};
const removeItem = (order: OrderView) =>
  `$_notice = ''; $type = 'remove-item'; $id = '${order.id}'; $sku = evt.currentTarget.dataset.sku; ${post}`;

const NOTICES: Record<string, string> = {
  '409': 'That is not possible in the order’s state (or the order would be too large).',
  '404': 'That order is gone.',
  '400': 'Please check the item: sku 1-64 characters, quantity 1-10000, price 0-10000000 cents.',
  '503': 'The server cannot save right now; try again in a moment.',
};
const ON_ERROR = `evt.detail.type === 'error' && ($_notice = (${JSON.stringify(NOTICES)})[evt.detail.argsRaw.status] || 'Something went wrong.')`;

export const money = (cents: number) =>
  (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });

/** One order; its id is the target of the feed's patches. */
export const OrderRow = ({ order }: { order: OrderView }) => (
  <li id={`order-${order.id}`} class={`order ${order.status}`} data-status={order.status}>
    <div class="order-head">
      <a class="mono" href={`/orders/${order.id}`} title="its state machine">
        {order.id.slice(0, 8)}
      </a>
      <span class={`status ${order.status}`}>{order.status}</span>
      <span class="total">{money(order.totalCents)}</span>
      <span class="path muted small">{order.path.slice(1).join(' → ')}</span>
    </div>
    <ul class="lines">
      {order.items.map((item) => (
        <li>
          <span class="sku">{item.sku}</span> × {item.quantity} @ {money(item.priceCents)}
          {order.status === 'draft' ? (
            <button
              type="button"
              class="link"
              aria-label={`Remove ${item.sku}`}
              data-sku={item.sku}
              data-on-click={removeItem(order)}
            >
              ✕
            </button>
          ) : null}
        </li>
      ))}
    </ul>
    {order.reason === null ? null : <p class="reason">cancelled: {order.reason}</p>}
    {order.tracking === null ? null : <p class="tracking">tracking {order.tracking}</p>}
    {order.status === 'draft' ? (
      <div class="actions">
        <button type="button" data-on-click={on('add-item', order)}>
          Add the item above
        </button>
        <button type="button" class="primary" data-on-click={on('submit', order)}>
          Submit
        </button>
        <button type="button" data-on-click={on('cancel', order)}>
          Cancel
        </button>
      </div>
    ) : order.status === 'submitted' || order.status === 'validated' ? (
      <div class="actions">
        <button type="button" data-on-click={on('cancel', order)}>
          Cancel
        </button>
      </div>
    ) : null}
  </li>
);

export const OrderSummary = (props: { total: number }) => (
  <p id="order-summary" class="muted small">
    {props.total === 0
      ? 'No orders yet.'
      : `${props.total} order${props.total === 1 ? '' : 's'}; the newest ${Math.min(props.total, ORDERS_SHOWN)} shown.`}
  </p>
);

export const OrderListView = (props: { orders: readonly OrderView[]; total: number }) => (
  <section id="orders">
    <OrderSummary total={props.total} />
    <ul id="order-items" class="orders" aria-label="Orders">
      {props.orders.map((order) => (
        <OrderRow order={order} />
      ))}
    </ul>
  </section>
);

export const OrdersPage = (props: {
  shell: PageShell;
  orders: readonly OrderView[];
  total: number;
}) => (
  <Layout title="Orders" shell={props.shell} path="/orders">
    <div id="app" data-signals={SIGNALS} data-on-datastar-sse={ON_ERROR}>
      <LiveFeed id="orders-feed" url={ORDERS_FEED_URL} />
      <h1>Orders</h1>
      <form
        id="new-order"
        class="new order-form"
        data-on-submit={`$_notice = ''; $type = 'create'; ${ITEM} $items = [{sku: $sku, quantity: $quantity, priceCents: $priceCents}]; ${post}`}
      >
        <input
          id="item-sku"
          type="text"
          placeholder="sku"
          aria-label="Item sku"
          required
          maxlength={ORDER_LIMITS.maxSkuLength}
          data-bind="_sku"
        />
        <input
          id="item-quantity"
          type="number"
          aria-label="Quantity"
          min="1"
          max={ORDER_LIMITS.maxQuantity}
          data-bind="_quantity"
        />
        <input
          id="item-price"
          type="number"
          aria-label="Price in cents"
          min="0"
          max={ORDER_LIMITS.maxPriceCents}
          data-bind="_price"
        />
        <button class="primary" type="submit">
          Create order
        </button>
      </form>
      <p class="muted small">
        The item above goes into a new order, or into a draft with “Add the item above”. Cancel
        reason:{' '}
        <input
          id="cancel-reason"
          type="text"
          aria-label="Cancel reason"
          maxlength={ORDER_LIMITS.maxReasonLength}
          data-bind="_reason"
        />
      </p>
      <p id="notice" class="notice" role="status" data-show="$_notice" data-text="$_notice" />
      <OrderListView orders={props.orders} total={props.total} />
    </div>
  </Layout>
);

/** `/orders/:id`: the order and its state machine, with the path its events took, live. */
export const OrderPage = (props: { shell: PageShell; order: OrderView }) => (
  <Layout title={`Order ${props.order.id.slice(0, 8)}`} shell={props.shell} path="/orders" wide>
    <div id="app" data-signals={SIGNALS} data-on-datastar-sse={ON_ERROR}>
      <p>
        <a href="/orders">← all orders</a>
      </p>
      <h1>
        Order <code>{props.order.id}</code>
      </h1>
      <AggregateMachine aggregateType="Order" aggregateId={props.order.id} />
    </div>
  </Layout>
);

export const ORDER_STYLES = `
ul.orders { list-style: none; padding: 0; margin: 0; }
ul.orders > li.order { border-bottom: 1px solid var(--line); padding: .6rem 0; margin: 0; }
.order-head { display: flex; gap: .75rem; align-items: baseline; flex-wrap: wrap; }
.order .status { font-size: .75rem; padding: .1rem .5rem; border-radius: 1rem; border: 1px solid var(--line); }
.order .status.submitted { color: #b7791f; border-color: #b7791f66; }
.order .status.validated { color: #2b6cb0; border-color: #2b6cb066; }
.order .status.fulfilled { color: #2f855a; border-color: #2f855a66; }
.order .status.cancelled { color: #c53030; border-color: #c5303066; }
.order ul.lines { margin: .25rem 0 .25rem 1rem; padding: 0; list-style: none; font-size: .9rem; }
.order .actions { display: flex; gap: .5rem; flex-wrap: wrap; }
.order .reason, .order .tracking { margin: .2rem 0; font-size: .9rem; }
button.link { background: none; border: none; color: var(--muted); cursor: pointer; }
form.order-form input[type=number] { width: 7rem; }
`;
