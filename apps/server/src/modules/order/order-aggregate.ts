import { defineAggregate, defineStateMachine } from '@ironstar/application';
import { ORDER_AGGREGATE_TYPE, type OrderState, orderDecider } from './order-decider';
import { orderUpcasters } from './order-upcasters';

/** Draft → Submitted → Validated → Fulfilled; cancelled from any but the last. */
export const orderStateMachine = defineStateMachine<OrderState>({
  initial: 'none',
  states: ['none', 'draft', 'submitted', 'validated', 'fulfilled', 'cancelled'],
  transitions: [
    { from: 'none', to: 'draft', on: 'CreateOrder' },
    { from: 'draft', to: 'draft', on: 'AddOrderItem' },
    { from: 'draft', to: 'draft', on: 'RemoveOrderItem' },
    { from: 'draft', to: 'submitted', on: 'SubmitOrder' },
    { from: 'submitted', to: 'validated', on: 'ValidateOrder' },
    { from: 'validated', to: 'fulfilled', on: 'FulfilOrder' },
    { from: 'draft', to: 'cancelled', on: 'CancelOrder' },
    { from: 'submitted', to: 'cancelled', on: 'CancelOrder' },
    { from: 'validated', to: 'cancelled', on: 'CancelOrder' },
  ],
  stateOf: (state) => (state.status === 'missing' ? 'none' : state.status),
});

/** OrderCreated is at version 2 (its owner), lifted from 1 by its upcaster. */
export const orderAggregate = defineAggregate({
  type: ORDER_AGGREGATE_TYPE,
  decider: orderDecider,
  events: {
    OrderCreated: 2,
    OrderItemAdded: 1,
    OrderItemRemoved: 1,
    OrderSubmitted: 1,
    OrderValidated: 1,
    OrderFulfilled: 1,
    OrderCancelled: 1,
  },
  upcasters: orderUpcasters,
  stateMachine: orderStateMachine,
});
