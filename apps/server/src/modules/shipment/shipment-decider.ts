import { assertNever, type Decider, type Message } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

export const SHIPMENT_AGGREGATE_TYPE = 'Shipment';

// Commands come from the fulfilment manager (request) and the shipping reactor (dispatch).
export type RequestShipment = Message<
  'RequestShipment',
  { id: string; orderId: string; now: string }
>;
export type DispatchShipment = Message<
  'DispatchShipment',
  { id: string; tracking: string; now: string }
>;
export type ShipmentCommand = RequestShipment | DispatchShipment;

export type ShipmentRequested = Message<
  'ShipmentRequested',
  { id: string; orderId: string; requestedAt: string }
>;
export type ShipmentDispatched = Message<
  'ShipmentDispatched',
  { id: string; orderId: string; tracking: string; dispatchedAt: string }
>;
export type ShipmentEvent = ShipmentRequested | ShipmentDispatched;

export type ShipmentState =
  | { readonly status: 'missing' }
  | { readonly status: 'requested'; readonly id: string; readonly orderId: string }
  | {
      readonly status: 'dispatched';
      readonly id: string;
      readonly orderId: string;
      readonly tracking: string;
    };

export type ShipmentError =
  | { readonly type: 'ShipmentNotFound'; readonly id: string }
  | { readonly type: 'ShipmentAlreadyExists'; readonly id: string }
  | { readonly type: 'ShipmentAlreadyDispatched'; readonly id: string };

export const initialState = (): ShipmentState => ({ status: 'missing' });

export const evolve = (state: ShipmentState, event: ShipmentEvent): ShipmentState => {
  switch (event.type) {
    case 'ShipmentRequested':
      return { status: 'requested', id: event.data.id, orderId: event.data.orderId };
    case 'ShipmentDispatched':
      return state.status === 'requested'
        ? { ...state, status: 'dispatched', tracking: event.data.tracking }
        : state;
    default:
      return assertNever(event);
  }
};

export const decide = (
  command: ShipmentCommand,
  state: ShipmentState,
): Result<readonly ShipmentEvent[], ShipmentError> => {
  const { id } = command.data;
  switch (command.type) {
    case 'RequestShipment': {
      if (state.status !== 'missing') return err({ type: 'ShipmentAlreadyExists', id });
      const { orderId, now } = command.data;
      return ok([{ type: 'ShipmentRequested', data: { id, orderId, requestedAt: now } }]);
    }
    case 'DispatchShipment': {
      if (state.status === 'missing') return err({ type: 'ShipmentNotFound', id });
      if (state.status === 'dispatched') return err({ type: 'ShipmentAlreadyDispatched', id });
      const { tracking, now } = command.data;
      return ok([
        {
          type: 'ShipmentDispatched',
          data: { id, orderId: state.orderId, tracking, dispatchedAt: now },
        },
      ]);
    }
    default:
      return assertNever(command);
  }
};

export const shipmentDecider: Decider<
  ShipmentCommand,
  ShipmentEvent,
  ShipmentState,
  ShipmentError
> = { initialState, evolve, decide };
