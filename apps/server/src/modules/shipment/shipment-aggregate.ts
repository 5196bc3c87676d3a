import { defineAggregate, defineStateMachine } from '@ironstar/application';
import { SHIPMENT_AGGREGATE_TYPE, type ShipmentState, shipmentDecider } from './shipment-decider';

export const shipmentStateMachine = defineStateMachine<ShipmentState>({
  initial: 'none',
  states: ['none', 'requested', 'dispatched'],
  transitions: [
    { from: 'none', to: 'requested', on: 'RequestShipment' },
    { from: 'requested', to: 'dispatched', on: 'DispatchShipment' },
  ],
  stateOf: (state) => (state.status === 'missing' ? 'none' : state.status),
});

export const shipmentAggregate = defineAggregate({
  type: SHIPMENT_AGGREGATE_TYPE,
  decider: shipmentDecider,
  events: { ShipmentRequested: 1, ShipmentDispatched: 1 },
  stateMachine: shipmentStateMachine,
});
