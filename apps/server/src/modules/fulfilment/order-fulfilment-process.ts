import {
  defineProcessManager,
  deriveId,
  eventReader,
  type ProcessCommand,
  type ProcessDecision,
  type StoredEvent,
  SYSTEM_ACTOR,
} from '@ironstar/application';
import { assertNever, type Message } from '@ironstar/domain';
import { orderAggregate } from '../order/order-aggregate';
import { ORDER_AGGREGATE_TYPE, type OrderCommand } from '../order/order-decider';
import { paymentAggregate } from '../payment/payment-aggregate';
import { PAYMENT_AGGREGATE_TYPE, type PaymentCommand } from '../payment/payment-decider';
import { shipmentAggregate } from '../shipment/shipment-aggregate';
import { SHIPMENT_AGGREGATE_TYPE, type ShipmentCommand } from '../shipment/shipment-decider';

export const ORDER_FULFILMENT = 'order-fulfilment';
export const PAYMENT_TIMEOUT = 'payment-timeout';
export const PAYMENT_DECLINED = 'payment declined';
export const PAYMENT_TIMED_OUT = 'payment timed out';

/** Every input carries its event's stored time (`at`): the time of the commands it causes. */
export type FulfilmentInput =
  | Message<'OrderSubmitted', { orderId: string; totalCents: number; at: string }>
  | Message<'OrderCancelled', { orderId: string; reason: string; at: string }>
  | Message<'OrderFulfilled', { orderId: string; at: string }>
  | Message<'PaymentAuthorized', { orderId: string; paymentId: string; at: string }>
  | Message<'PaymentDeclined', { orderId: string; paymentId: string; at: string }>
  | Message<'ShipmentDispatched', { orderId: string; tracking: string; at: string }>;

/**
 * idle → awaitingPayment → shipping → closing → (done)
 * awaitingPayment → abandoned (timed out or cancelled by the user: the payment is voided if it
 * is authorized later) → (done); a declined payment → closing (the order is being cancelled).
 */
export type FulfilmentState =
  | { readonly status: 'idle' }
  | { readonly status: 'awaitingPayment'; readonly orderId: string }
  | { readonly status: 'abandoned'; readonly orderId: string; readonly reason: string }
  | { readonly status: 'shipping'; readonly orderId: string }
  /** The order is being fulfilled (paid) or cancelled (payment declined). */
  | { readonly status: 'closing'; readonly orderId: string; readonly paid: boolean }
  | { readonly status: 'done'; readonly orderId: string; readonly outcome: string };

/** The one payment and the one shipment of an order: derived, so a replay names the same. */
export const paymentIdOf = (orderId: string) => deriveId(orderId, 'payment');
export const shipmentIdOf = (orderId: string) => deriveId(orderId, 'shipment');

const toOrder = (key: string, orderId: string, command: OrderCommand): ProcessCommand => ({
  key,
  aggregateType: ORDER_AGGREGATE_TYPE,
  aggregateId: orderId,
  command,
});
const toPayment = (key: string, orderId: string, command: PaymentCommand): ProcessCommand => ({
  key,
  aggregateType: PAYMENT_AGGREGATE_TYPE,
  aggregateId: paymentIdOf(orderId),
  command,
});
const toShipment = (key: string, orderId: string, command: ShipmentCommand): ProcessCommand => ({
  key,
  aggregateType: SHIPMENT_AGGREGATE_TYPE,
  aggregateId: shipmentIdOf(orderId),
  command,
});

const voidPayment = (orderId: string, reason: string) =>
  toPayment('void-payment', orderId, {
    type: 'VoidPayment',
    data: { id: paymentIdOf(orderId), reason: `order cancelled: ${reason}` },
  });

const readOrder = eventReader(orderAggregate);
const readPayment = eventReader(paymentAggregate);
const readShipment = eventReader(shipmentAggregate);

/** The events the manager follows, as its inputs, keyed by order id. */
export const selectFulfilmentInput = (
  stored: StoredEvent,
): { readonly instanceId: string; readonly input: FulfilmentInput } | undefined => {
  const at = stored.createdAt;
  const input = ((): FulfilmentInput | undefined => {
    switch (stored.aggregateType) {
      case ORDER_AGGREGATE_TYPE: {
        const event = readOrder(stored);
        if (event.isErr()) return undefined;
        const e = event.value;
        if (e.type === 'OrderSubmitted') {
          return {
            type: 'OrderSubmitted',
            data: { orderId: e.data.id, totalCents: e.data.totalCents, at },
          };
        }
        if (e.type === 'OrderCancelled') {
          return {
            type: 'OrderCancelled',
            data: { orderId: e.data.id, reason: e.data.reason, at },
          };
        }
        if (e.type === 'OrderFulfilled') {
          return { type: 'OrderFulfilled', data: { orderId: e.data.id, at } };
        }
        return undefined;
      }
      case PAYMENT_AGGREGATE_TYPE: {
        const event = readPayment(stored);
        if (event.isErr()) return undefined;
        const e = event.value;
        if (e.type === 'PaymentAuthorized' || e.type === 'PaymentDeclined') {
          return { type: e.type, data: { orderId: e.data.orderId, paymentId: e.data.id, at } };
        }
        return undefined;
      }
      case SHIPMENT_AGGREGATE_TYPE: {
        const event = readShipment(stored);
        if (event.isErr() || event.value.type !== 'ShipmentDispatched') return undefined;
        const { orderId, tracking } = event.value.data;
        return { type: 'ShipmentDispatched', data: { orderId, tracking, at } };
      }
      default:
        return undefined;
    }
  })();
  return input ? { instanceId: input.data.orderId, input } : undefined;
};

export type FulfilmentOptions = {
  /** How long an order waits for its payment's answer (PAYMENT_TIMEOUT_MS). */
  readonly paymentTimeoutMs: number;
};

/**
 * The fulfilment workflow across Order, Payment and Shipment:
 *   OrderSubmitted     → request the payment; set the payment timer
 *   PaymentAuthorized  → validate the order, request its shipment
 *   ShipmentDispatched → fulfil the order
 *   PaymentDeclined    → cancel the order ("payment declined")
 *   payment timer      → cancel the order ("payment timed out"); void the payment if it is
 *                        authorized later
 * and, for an order its user cancels meanwhile, voids an authorized payment (compensation).
 */
export const orderFulfilmentProcess = (options: FulfilmentOptions) =>
  defineProcessManager<FulfilmentState, FulfilmentInput>({
    name: ORDER_FULFILMENT,
    select: selectFulfilmentInput,
    initialState: () => ({ status: 'idle' }),
    evolve(state, input): FulfilmentState {
      if (state.status === 'idle' && input.type !== 'OrderSubmitted') {
        return {
          status: 'done',
          orderId:
            input.type === 'TimerFired' || input.type === 'CommandFailed' ? '' : input.data.orderId,
          outcome: 'not submitted',
        };
      }
      switch (input.type) {
        case 'OrderSubmitted':
          return state.status === 'idle'
            ? { status: 'awaitingPayment', orderId: input.data.orderId }
            : state;
        case 'PaymentAuthorized':
          if (state.status === 'awaitingPayment')
            return { status: 'shipping', orderId: state.orderId };
          if (state.status === 'abandoned') {
            return { status: 'done', orderId: state.orderId, outcome: 'payment voided' };
          }
          return state;
        case 'PaymentDeclined':
          if (state.status === 'awaitingPayment') {
            return { status: 'closing', orderId: state.orderId, paid: false };
          }
          if (state.status === 'abandoned') {
            return { status: 'done', orderId: state.orderId, outcome: 'cancelled' };
          }
          return state;
        case 'TimerFired':
          return state.status === 'awaitingPayment' && input.data.timer === PAYMENT_TIMEOUT
            ? { status: 'abandoned', orderId: state.orderId, reason: PAYMENT_TIMED_OUT }
            : state;
        case 'ShipmentDispatched':
          return state.status === 'shipping'
            ? { status: 'closing', orderId: state.orderId, paid: true }
            : state;
        case 'OrderCancelled':
          if (state.status === 'awaitingPayment') {
            return { status: 'abandoned', orderId: state.orderId, reason: input.data.reason };
          }
          if (state.status === 'shipping' || state.status === 'closing') {
            return { status: 'done', orderId: state.orderId, outcome: 'cancelled' };
          }
          return state;
        case 'OrderFulfilled':
          return state.status === 'closing'
            ? { status: 'done', orderId: state.orderId, outcome: 'fulfilled' }
            : state;
        case 'CommandFailed':
          // The order could not be cancelled (it ended meanwhile): nothing is left to do.
          return state.status === 'closing' && input.data.key === 'cancel-order'
            ? { status: 'done', orderId: state.orderId, outcome: 'ended elsewhere' }
            : state;
        default:
          return assertNever(input);
      }
    },
    decide(input, state): ProcessDecision {
      // An instance opened by anything but a submission (a draft cancelled by its user) has
      // nothing to do: it ends at once rather than stay open for good.
      if (state.status === 'idle' && input.type !== 'OrderSubmitted') return { done: true };
      switch (input.type) {
        case 'OrderSubmitted': {
          if (state.status !== 'idle') return {};
          const { orderId, totalCents, at } = input.data;
          return {
            commands: [
              toPayment('request-payment', orderId, {
                type: 'RequestPayment',
                data: { id: paymentIdOf(orderId), orderId, amountCents: totalCents, now: at },
              }),
            ],
            setTimers: [{ name: PAYMENT_TIMEOUT, afterMs: options.paymentTimeoutMs }],
          };
        }
        case 'PaymentAuthorized': {
          const { orderId, paymentId, at } = input.data;
          if (state.status === 'awaitingPayment') {
            return {
              cancelTimers: [PAYMENT_TIMEOUT],
              commands: [
                toOrder('validate-order', orderId, {
                  type: 'ValidateOrder',
                  data: { id: orderId, paymentId },
                }),
                toShipment('request-shipment', orderId, {
                  type: 'RequestShipment',
                  data: { id: shipmentIdOf(orderId), orderId, now: at },
                }),
              ],
            };
          }
          // Authorized after the order was given up: give the money back.
          if (state.status === 'abandoned') {
            return { commands: [voidPayment(orderId, state.reason)], done: true };
          }
          return {};
        }
        case 'PaymentDeclined': {
          const { orderId } = input.data;
          if (state.status === 'awaitingPayment') {
            return {
              cancelTimers: [PAYMENT_TIMEOUT],
              commands: [
                toOrder('cancel-order', orderId, {
                  type: 'CancelOrder',
                  data: { id: orderId, reason: PAYMENT_DECLINED, actor: SYSTEM_ACTOR },
                }),
              ],
            };
          }
          return state.status === 'abandoned' ? { done: true } : {};
        }
        case 'TimerFired':
          if (state.status !== 'awaitingPayment' || input.data.timer !== PAYMENT_TIMEOUT) return {};
          return {
            commands: [
              toOrder('cancel-order', state.orderId, {
                type: 'CancelOrder',
                data: { id: state.orderId, reason: PAYMENT_TIMED_OUT, actor: SYSTEM_ACTOR },
              }),
            ],
          };
        case 'ShipmentDispatched': {
          if (state.status !== 'shipping') return {};
          const { orderId, tracking } = input.data;
          return {
            commands: [
              toOrder('fulfil-order', orderId, {
                type: 'FulfilOrder',
                data: { id: orderId, tracking },
              }),
            ],
          };
        }
        case 'OrderCancelled':
          // Cancelled by its user while the payment is pending: wait for the answer (a late
          // authorization is voided); once validated, the payment is authorized: void it now.
          if (state.status === 'awaitingPayment') return { cancelTimers: [PAYMENT_TIMEOUT] };
          if (state.status === 'shipping' || (state.status === 'closing' && state.paid)) {
            return { commands: [voidPayment(state.orderId, input.data.reason)], done: true };
          }
          return state.status === 'closing' ? { done: true } : {};
        case 'OrderFulfilled':
          return state.status === 'closing' ? { done: true } : {};
        case 'CommandFailed':
          return state.status === 'closing' && input.data.key === 'cancel-order'
            ? { done: true }
            : {};
        default:
          return assertNever(input);
      }
    },
  });
