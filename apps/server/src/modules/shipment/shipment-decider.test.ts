import { checkStateMachine } from '@ironstar/application/testing';
import { fold } from '@ironstar/domain';
import { DeciderSpecification } from '@ironstar/domain/testing';
import { describe, expect, it } from 'vitest';
import { shipmentAggregate } from './shipment-aggregate';
import { type ShipmentCommand, type ShipmentEvent, shipmentDecider } from './shipment-decider';

const spec = DeciderSpecification.for(shipmentDecider);
const id = 's1';
const orderId = 'o1';
const now = '2026-12-01T10:00:00.000Z';
const request: ShipmentCommand = { type: 'RequestShipment', data: { id, orderId, now } };
const dispatch: ShipmentCommand = {
  type: 'DispatchShipment',
  data: { id, tracking: 'TRK-1', now },
};
const requested: ShipmentEvent = {
  type: 'ShipmentRequested',
  data: { id, orderId, requestedAt: now },
};
const dispatched: ShipmentEvent = {
  type: 'ShipmentDispatched',
  data: { id, orderId, tracking: 'TRK-1', dispatchedAt: now },
};

describe('Shipment decider', () => {
  it('matches its declared state machine', () =>
    checkStateMachine(shipmentAggregate, {
      histories: { none: [], requested: [requested], dispatched: [requested, dispatched] },
      commands: [request, dispatch],
    }));

  it('is requested once, dispatched once, with its order id', () => {
    spec.given([]).when(request).then([requested]);
    spec.given([requested]).when(request).thenFails('ShipmentAlreadyExists');
    spec.given([requested]).when(dispatch).then([dispatched]);
    spec.given([requested, dispatched]).when(dispatch).thenFails('ShipmentAlreadyDispatched');
    spec.given([]).when(dispatch).thenFails('ShipmentNotFound');
  });

  it('ignores a dispatch of a shipment never requested', () => {
    expect(fold(shipmentDecider, [dispatched])).toEqual({ status: 'missing' });
  });
});
