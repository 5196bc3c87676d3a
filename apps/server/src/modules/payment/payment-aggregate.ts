import { defineAggregate, defineStateMachine } from '@ironstar/application';
import { PAYMENT_AGGREGATE_TYPE, type PaymentState, paymentDecider } from './payment-decider';

/** Requested → Authorized | Declined; an authorized payment may be voided (compensation). */
export const paymentStateMachine = defineStateMachine<PaymentState>({
  initial: 'none',
  states: ['none', 'requested', 'authorized', 'declined', 'voided'],
  transitions: [
    { from: 'none', to: 'requested', on: 'RequestPayment' },
    { from: 'requested', to: 'authorized', on: 'AuthorizePayment' },
    { from: 'requested', to: 'declined', on: 'DeclinePayment' },
    { from: 'authorized', to: 'voided', on: 'VoidPayment' },
  ],
  stateOf: (state) => (state.status === 'missing' ? 'none' : state.status),
});

export const paymentAggregate = defineAggregate({
  type: PAYMENT_AGGREGATE_TYPE,
  decider: paymentDecider,
  events: { PaymentRequested: 1, PaymentAuthorized: 1, PaymentDeclined: 1, PaymentVoided: 1 },
  stateMachine: paymentStateMachine,
});
