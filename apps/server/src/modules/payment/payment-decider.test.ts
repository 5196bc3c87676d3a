import { checkStateMachine } from '@ironstar/application/testing';
import { fold } from '@ironstar/domain';
import { DeciderSpecification } from '@ironstar/domain/testing';
import { describe, expect, it } from 'vitest';
import { paymentAggregate } from './payment-aggregate';
import { type PaymentCommand, type PaymentEvent, paymentDecider } from './payment-decider';

const spec = DeciderSpecification.for(paymentDecider);
const id = 'p1';
const orderId = 'o1';
const now = '2026-12-01T10:00:00.000Z';

const request: PaymentCommand = {
  type: 'RequestPayment',
  data: { id, orderId, amountCents: 2500, now },
};
const authorize: PaymentCommand = { type: 'AuthorizePayment', data: { id, now } };
const decline: PaymentCommand = { type: 'DeclinePayment', data: { id, reason: 'over limit' } };
const voidIt: PaymentCommand = { type: 'VoidPayment', data: { id, reason: 'order cancelled' } };
const commands = [request, authorize, decline, voidIt];

const requested: PaymentEvent = {
  type: 'PaymentRequested',
  data: { id, orderId, amountCents: 2500, requestedAt: now },
};
const authorized: PaymentEvent = {
  type: 'PaymentAuthorized',
  data: { id, orderId, authorizedAt: now },
};
const declined: PaymentEvent = {
  type: 'PaymentDeclined',
  data: { id, orderId, reason: 'over limit' },
};
const voided: PaymentEvent = {
  type: 'PaymentVoided',
  data: { id, orderId, reason: 'order cancelled' },
};
const histories = {
  none: [],
  requested: [requested],
  authorized: [requested, authorized],
  declined: [requested, declined],
  voided: [requested, authorized, voided],
};

describe('Payment decider', () => {
  it('matches its declared state machine', () =>
    checkStateMachine(paymentAggregate, { histories, commands }));

  it('is requested once, with its order id on every event', () => {
    spec.given([]).when(request).then([requested]);
    spec.given([requested]).when(request).thenFails('PaymentAlreadyExists');
    spec.given([requested]).when(authorize).then([authorized]);
    spec.given([requested]).when(decline).then([declined]);
    spec.given([requested, authorized]).when(voidIt).then([voided]);
  });

  it('answers once: no second answer, no void of an unauthorized payment', () => {
    for (const command of [authorize, decline]) {
      spec.given(histories.authorized).when(command).thenFails('InvalidTransition');
      spec.given(histories.declined).when(command).thenFails('InvalidTransition');
      spec.given(histories.voided).when(command).thenFails('InvalidTransition');
    }
    spec.given(histories.requested).when(voidIt).thenFails('InvalidTransition');
    spec.given(histories.declined).when(voidIt).thenFails('InvalidTransition');
    spec.given(histories.voided).when(voidIt).thenFails('InvalidTransition');
    for (const command of [authorize, decline, voidIt]) {
      spec.given([]).when(command).thenFails('PaymentNotFound');
    }
  });

  it('ignores answers to a payment never requested', () => {
    expect(fold(paymentDecider, [authorized])).toEqual({ status: 'missing' });
    expect(fold(paymentDecider, [requested, declined])).toMatchObject({
      status: 'declined',
      orderId,
      amountCents: 2500,
    });
  });
});
