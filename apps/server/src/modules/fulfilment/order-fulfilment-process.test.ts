import type { StoredEvent } from '@ironstar/application';
import { ProcessSpecification } from '@ironstar/application/testing';
import { describe, expect, it } from 'vitest';
import {
  type FulfilmentInput,
  orderFulfilmentProcess,
  PAYMENT_TIMEOUT,
  paymentIdOf,
  selectFulfilmentInput,
  shipmentIdOf,
} from './order-fulfilment-process';

const manager = orderFulfilmentProcess({ paymentTimeoutMs: 10_000 });
const spec = ProcessSpecification.for(manager);
const orderId = '0b3c8a52-7f51-4d0e-9c1a-2f6f1d9b8e11';
const paymentId = paymentIdOf(orderId);
const shipmentId = shipmentIdOf(orderId);
const at = '2026-12-01T10:00:00.000Z';

const submitted: FulfilmentInput = {
  type: 'OrderSubmitted',
  data: { orderId, totalCents: 2500, at },
};
const authorized: FulfilmentInput = { type: 'PaymentAuthorized', data: { orderId, paymentId, at } };
const declined: FulfilmentInput = { type: 'PaymentDeclined', data: { orderId, paymentId, at } };
const dispatched: FulfilmentInput = {
  type: 'ShipmentDispatched',
  data: { orderId, tracking: 'TRK-1', at },
};
const fulfilled: FulfilmentInput = { type: 'OrderFulfilled', data: { orderId, at } };
const cancelledBy = (reason: string): FulfilmentInput => ({
  type: 'OrderCancelled',
  data: { orderId, reason, at },
});
const timeout = {
  type: 'TimerFired',
  data: { timer: PAYMENT_TIMEOUT, firedAt: '2026-12-01T10:00:10.000Z' },
} as const;

const requestPayment = {
  key: 'request-payment',
  aggregateType: 'Payment',
  aggregateId: paymentId,
  command: {
    type: 'RequestPayment',
    data: { id: paymentId, orderId, amountCents: 2500, now: at },
  },
};
const cancelOrder = (reason: string) => ({
  key: 'cancel-order',
  aggregateType: 'Order',
  aggregateId: orderId,
  command: { type: 'CancelOrder', data: { id: orderId, reason, actor: 'system' } },
});
const voidPayment = (reason: string) => ({
  key: 'void-payment',
  aggregateType: 'Payment',
  aggregateId: paymentId,
  command: { type: 'VoidPayment', data: { id: paymentId, reason: `order cancelled: ${reason}` } },
});

describe('the order-fulfilment manager', () => {
  it('OrderSubmitted: requests the payment of the total and sets the payment timer', () => {
    spec
      .given([])
      .when(submitted)
      .then({
        commands: [requestPayment],
        setTimers: [{ name: PAYMENT_TIMEOUT, afterMs: 10_000 }],
      });
    // A second submission of the same instance (a replayed input) requests nothing more.
    spec.given([submitted]).when(submitted).thenNothing();
  });

  it('PaymentAuthorized: validates the order and requests its shipment', () =>
    spec
      .given([submitted])
      .when(authorized)
      .then({
        cancelTimers: [PAYMENT_TIMEOUT],
        commands: [
          {
            key: 'validate-order',
            aggregateType: 'Order',
            aggregateId: orderId,
            command: { type: 'ValidateOrder', data: { id: orderId, paymentId } },
          },
          {
            key: 'request-shipment',
            aggregateType: 'Shipment',
            aggregateId: shipmentId,
            command: { type: 'RequestShipment', data: { id: shipmentId, orderId, now: at } },
          },
        ],
      }));

  it('ShipmentDispatched: fulfils the order with its tracking number, then is done', () => {
    spec
      .given([submitted, authorized])
      .when(dispatched)
      .then({
        commands: [
          {
            key: 'fulfil-order',
            aggregateType: 'Order',
            aggregateId: orderId,
            command: { type: 'FulfilOrder', data: { id: orderId, tracking: 'TRK-1' } },
          },
        ],
      });
    spec.given([submitted, authorized, dispatched]).when(fulfilled).then({ done: true });
  });

  it('PaymentDeclined: cancels the order "payment declined", done once cancelled', () => {
    spec
      .given([submitted])
      .when(declined)
      .then({ cancelTimers: [PAYMENT_TIMEOUT], commands: [cancelOrder('payment declined')] });
    spec.given([submitted, declined]).when(cancelledBy('payment declined')).then({ done: true });
  });

  it('no payment answer in time: cancels "payment timed out", and voids a late authorization', () => {
    spec
      .given([submitted])
      .when(timeout)
      .then({ commands: [cancelOrder('payment timed out')] });
    spec
      .given([submitted, timeout])
      .when(authorized)
      .then({ commands: [voidPayment('payment timed out')], done: true });
    // Its own cancellation arriving changes nothing; a late decline just ends it.
    spec.given([submitted, timeout]).when(cancelledBy('payment timed out')).thenNothing();
    spec.given([submitted, timeout]).when(declined).then({ done: true });
  });

  it('a timer that fires after the answer does nothing', () => {
    spec.given([submitted, authorized]).when(timeout).thenNothing();
    spec.given([submitted, declined]).when(timeout).thenNothing();
    spec
      .given([submitted])
      .when({ type: 'TimerFired', data: { timer: 'other', firedAt: at } })
      .thenNothing();
  });

  it('compensates an order its user cancels: voids a payment authorized before or after', () => {
    spec
      .given([submitted])
      .when(cancelledBy('changed my mind'))
      .then({ cancelTimers: [PAYMENT_TIMEOUT] });
    spec
      .given([submitted, cancelledBy('changed my mind')])
      .when(authorized)
      .then({ commands: [voidPayment('changed my mind')], done: true });
    spec
      .given([submitted, authorized])
      .when(cancelledBy('changed my mind'))
      .then({ commands: [voidPayment('changed my mind')], done: true });
    // Cancelled between dispatch and fulfilment: the fulfil is refused; the payment voided.
    spec
      .given([submitted, authorized, dispatched])
      .when(cancelledBy('too late'))
      .then({ commands: [voidPayment('too late')], done: true });
  });

  it('ends at once an instance opened by a draft its user cancelled', () => {
    spec.given([]).when(cancelledBy('changed my mind')).then({ done: true });
    spec
      .given([])
      .when(cancelledBy('changed my mind'))
      .thenState({ status: 'done', orderId, outcome: 'not submitted' });
  });

  it('a refused cancellation of a declined order ends the instance', () => {
    const refused = {
      type: 'CommandFailed',
      data: {
        key: 'cancel-order',
        aggregateType: 'Order',
        aggregateId: orderId,
        error: 'InvalidTransition',
        message: 'already cancelled',
      },
    } as const;
    spec.given([submitted, declined]).when(refused).then({ done: true });
    spec.given([submitted, timeout]).when(refused).thenNothing();
  });

  it('keeps state that a restart rebuilds the same way', () => {
    spec
      .given([submitted, timeout])
      .when(authorized)
      .thenState({ status: 'done', orderId, outcome: 'payment voided' });
    spec
      .given([submitted, authorized])
      .when(dispatched)
      .thenState({ status: 'closing', orderId, paid: true });
  });

  it('selects only its events, keyed by order id, with the stored time', () => {
    const stored = (aggregateType: string, eventType: string, payload: object): StoredEvent => ({
      globalSequence: 7,
      id: 'e7',
      aggregateType,
      aggregateId: 'x',
      aggregateSequence: 2,
      eventType,
      eventVersion: 1,
      payload,
      metadata: null,
      createdAt: at,
    });
    expect(
      selectFulfilmentInput(
        stored('Order', 'OrderSubmitted', { id: orderId, totalCents: 5, submittedAt: 'T' }),
      ),
    ).toEqual({
      instanceId: orderId,
      input: { type: 'OrderSubmitted', data: { orderId, totalCents: 5, at } },
    });
    expect(
      selectFulfilmentInput(
        stored('Payment', 'PaymentDeclined', { id: paymentId, orderId, reason: 'over' }),
      ),
    ).toEqual({ instanceId: orderId, input: declined });
    expect(
      selectFulfilmentInput(
        stored('Shipment', 'ShipmentDispatched', {
          id: shipmentId,
          orderId,
          tracking: 'TRK-1',
          dispatchedAt: 'T',
        }),
      ),
    ).toEqual({ instanceId: orderId, input: dispatched });
    expect(selectFulfilmentInput(stored('Order', 'OrderCreated', { id: orderId }))).toBeUndefined();
    expect(selectFulfilmentInput(stored('Todo', 'TodoCreated', { id: orderId }))).toBeUndefined();
    expect(
      selectFulfilmentInput(stored('Payment', 'PaymentRequested', { id: paymentId, orderId })),
    ).toBeUndefined();
  });

  it('derives one payment and one shipment id per order', () => {
    expect(paymentIdOf(orderId)).toBe(paymentId);
    expect(paymentId).not.toBe(shipmentId);
    expect(paymentIdOf('another')).not.toBe(paymentId);
  });
});
