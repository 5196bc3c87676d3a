/** @jsxImportSource hono/jsx */
import {
  AggregateMachine,
  Badge,
  Button,
  COMMANDS_BLOCKED,
  commandAction,
  EmptyState,
  Layout,
  LiveFeed,
  type PageShell,
  Panel,
  RowCommandButton,
  type Tone,
} from '@ironstar/web';
import type { Child } from 'hono/jsx';
import { ORDER_LIMITS } from './order-decider';
import type { OrderView } from './order-list-projection';

export const ORDER_COMMAND_URL = '/api/commands/order';
export const ORDERS_FEED_URL = '/orders/feed';
/** Orders the page shows: the newest, newest first. */
export const ORDERS_SHOWN = 50;

// The sent signals are exactly what a command body holds; `_` ones stay in the page (the form's
// item fields are copied, as numbers, into the sent ones when a command is sent; `_noticeAt`:
// where the last refusal is shown, 'new' or an order's id).
const SIGNALS = JSON.stringify({
  type: '',
  id: '',
  sku: '',
  quantity: 1,
  priceCents: 0,
  reason: '',
  items: [],
  _sku: '',
  _quantity: 1,
  _price: 1250,
  _reason: 'changed my mind',
  _noticeAt: '',
});
const ITEM = ['$sku = $_sku', '$quantity = Number($_quantity)', '$priceCents = Number($_price)'];

const createOrder = commandAction(ORDER_COMMAND_URL, {
  prepare: [
    "$_noticeAt = 'new'",
    "$type = 'create'",
    ...ITEM,
    '$items = [{sku: $sku, quantity: $quantity, priceCents: $priceCents}]',
  ],
});

// Only validated UUIDs and our own words go into these expressions, never user text. A row's
// buttons hand their command to one handler on #app (a bubbling 'order-command' event naming
// it), which reads the order's id from the row and a line's sku from the button's data-sku
// (escaped by JSX): each row carries a few short expressions, not the command machinery.
type RowCommand = 'add-item' | 'remove-item' | 'submit' | 'cancel';
const ORDER_COMMAND_EVENT = 'order-command';
const RowButton = (
  props: { command: RowCommand; id: string; children?: Child } & Record<string, unknown>,
) => <RowCommandButton event={ORDER_COMMAND_EVENT} {...props} />;
const ROW_COMMAND = commandAction(ORDER_COMMAND_URL, {
  target: 'evt.target.id',
  prepare: [
    "$_noticeAt = evt.target.closest('li.order').dataset.id",
    '$type = evt.detail',
    '$id = $_noticeAt',
    `evt.detail === 'add-item' && (${ITEM.join(', ')})`,
    "evt.detail === 'remove-item' && ($sku = evt.target.dataset.sku)",
    "evt.detail === 'cancel' && ($reason = $_reason)",
  ],
});
// The item fields are cleared once the server has taken the item (202), never before.
const CLEAR_ON_ACCEPT =
  "evt.detail.accepted && (evt.detail.elId === 'new-order' || evt.detail.elId.startsWith('add-item-')) && ($_sku = '')";

const TONES: Readonly<Record<OrderView['status'], Tone>> = {
  draft: 'plain',
  submitted: 'warn',
  validated: 'info',
  fulfilled: 'ok',
  cancelled: 'bad',
};

export const money = (cents: number) =>
  (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });

/** One order; its id is the target of the feed's patches. */
export const OrderRow = ({ order }: { order: OrderView }) => {
  const open = order.status === 'draft';
  const cancellable = open || order.status === 'submitted' || order.status === 'validated';
  return (
    <li
      id={`order-${order.id}`}
      class={`order ${order.status}`}
      data-id={order.id}
      data-status={order.status}
    >
      <div class="order-head">
        <a class="mono" href={`/orders/${order.id}`} title="Its state machine">
          {order.id.slice(0, 8)}
        </a>
        <Badge tone={TONES[order.status]}>{order.status}</Badge>
        <span class="total">{money(order.totalCents)}</span>
        {/* The states it went through; a draft has been nowhere else yet. */}
        {order.path.length > 2 ? (
          <span class="path muted small">{order.path.slice(1).join(' → ')}</span>
        ) : null}
      </div>
      <ul class="lines">
        {order.items.map((item, i) => (
          <li>
            <span class="sku" dir="auto">
              {item.sku}
            </span>
            <span class="amount muted">
              × {item.quantity} @ {money(item.priceCents)}
            </span>
            {open ? (
              <RowButton
                command="remove-item"
                id={`remove-item-${order.id}-${i}`}
                class="quiet icon danger"
                aria-label={`Remove ${item.sku}`}
                title="Remove"
                data-sku={item.sku}
              >
                ✕
              </RowButton>
            ) : null}
          </li>
        ))}
      </ul>
      {order.reason === null ? null : <p class="reason">cancelled: {order.reason}</p>}
      {order.tracking === null ? null : <p class="tracking">tracking {order.tracking}</p>}
      {cancellable ? (
        <div class="actions">
          {open ? (
            <>
              <RowButton command="add-item" id={`add-item-${order.id}`}>
                Add the item above
              </RowButton>
              <RowButton command="submit" id={`submit-${order.id}`} kind="primary">
                Submit
              </RowButton>
            </>
          ) : null}
          <RowButton command="cancel" id={`cancel-${order.id}`} kind="danger">
            Cancel
          </RowButton>
        </div>
      ) : null}
      <p
        class="problem row-problem"
        role="alert"
        data-text={`$_noticeAt === '${order.id}' ? $_notice : ''`}
      />
    </li>
  );
};

export const OrderSummary = (props: { total: number }) =>
  props.total === 0 ? (
    <EmptyState id="order-summary">No orders yet. Create the first one above.</EmptyState>
  ) : (
    <p id="order-summary" class="muted small">
      {`${props.total} order${props.total === 1 ? '' : 's'}; the newest ${Math.min(props.total, ORDERS_SHOWN)} shown.`}
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
    <div
      id="app"
      data-class-blocked={COMMANDS_BLOCKED}
      data-signals={SIGNALS}
      {...{ [`data-on-${ORDER_COMMAND_EVENT}`]: ROW_COMMAND }}
      data-on-ironstar-command={CLEAR_ON_ACCEPT}
    >
      <LiveFeed id="orders-feed" url={ORDERS_FEED_URL} />
      <h1>Orders</h1>
      <Panel class="order-panel" aria-label="New order">
        <form id="new-order" class="order-form" data-on-submit={createOrder}>
          <label class="field sku-field">
            Item sku
            <input
              id="item-sku"
              type="text"
              dir="auto"
              autocomplete="off"
              required
              maxlength={ORDER_LIMITS.maxSkuLength}
              data-bind="_sku"
            />
          </label>
          <label class="field">
            Quantity
            <input
              id="item-quantity"
              type="number"
              min="1"
              max={ORDER_LIMITS.maxQuantity}
              data-bind="_quantity"
            />
          </label>
          <label class="field">
            Price in cents
            <input
              id="item-price"
              type="number"
              min="0"
              max={ORDER_LIMITS.maxPriceCents}
              data-bind="_price"
            />
          </label>
          <Button kind="primary" type="submit" data-attr-disabled={COMMANDS_BLOCKED}>
            Create order
          </Button>
        </form>
        <label class="field cancel-reason">
          Cancel reason
          <input
            id="cancel-reason"
            type="text"
            dir="auto"
            maxlength={ORDER_LIMITS.maxReasonLength}
            data-bind="_reason"
          />
        </label>
        <p class="muted small hint">
          The item above goes into a new order, or into a draft with “Add the item above”.
        </p>
        <p id="order-status" class="status" role="status">
          <span class="spinner" style="display: none" data-show="$_pending !== '' && !$_queued">
            saving…
          </span>
          <span class="notice" id="queued" style="display: none" data-show="$_queued">
            The server is unreachable: your change is kept and sent again as soon as it is back.
          </span>
          <span
            class="problem"
            id="notice"
            role="alert"
            style="display: none"
            data-show="$_notice && $_noticeAt === 'new'"
            data-text="$_notice"
          />
        </p>
      </Panel>
      <OrderListView orders={props.orders} total={props.total} />
    </div>
  </Layout>
);

/** `/orders/:id`: the order and its state machine, with the path its events took, live. */
export const OrderPage = (props: { shell: PageShell; order: OrderView }) => (
  <Layout title={`Order ${props.order.id.slice(0, 8)}`} shell={props.shell} path="/orders" wide>
    <p class="small">
      <a href="/orders">← all orders</a>
    </p>
    <h1>
      Order <code>{props.order.id}</code>
    </h1>
    <AggregateMachine aggregateType="Order" aggregateId={props.order.id} />
  </Layout>
);

// The orders page's own rules, on top of the one stylesheet: its colours are its variables.
export const ORDER_STYLES = `
.order-panel { margin-bottom: 1rem; }
form.order-form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: flex-end; }
.order-panel label.field { display: flex; flex-direction: column; gap: .15rem; font-size: .8rem; color: var(--muted); flex: 1 1 6rem; min-width: 0; }
.order-panel label.field input { font-size: 1rem; color: var(--fg); width: 100%; }
.order-panel label.sku-field { flex: 3 1 12rem; }
.order-panel label.cancel-reason { margin-top: .6rem; }
.order-panel .hint { margin: .5rem 0 0; }
.order-panel .status { margin: .15rem 0 0; min-height: 0; }
ul.orders { list-style: none; padding: 0; margin: 0; }
ul.orders > li.order { border-bottom: 1px solid var(--line); padding: .6rem .25rem; }
.order-head { display: flex; gap: .35rem .75rem; align-items: center; flex-wrap: wrap; }
.order .total { font-weight: 600; font-variant-numeric: tabular-nums; }
.order ul.lines { margin: .3rem 0; padding: 0 0 0 1rem; list-style: none; font-size: .9rem; max-width: 36rem; }
.order ul.lines .sku { text-align: left; }
.order ul.lines > li { display: grid; grid-template-columns: minmax(0, 1fr) auto 2rem; gap: .5rem; align-items: center; min-height: 1.9rem; }
.order ul.lines .amount { white-space: nowrap; font-variant-numeric: tabular-nums; }
.order ul.lines button.icon { min-height: 1.75rem; padding: .05rem .45rem; }
.order .actions { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: .35rem; }
.order .reason, .order .tracking { margin: .2rem 0; font-size: .9rem; }
.order .row-problem { margin: .3rem 0 0; font-size: .85rem; }
.order .row-problem:empty { display: none; }
`;
