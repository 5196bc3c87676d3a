import { assertNever, type Decider, type Message } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

export const PAYMENT_AGGREGATE_TYPE = 'Payment';

// Every command comes from the fulfilment manager or the gateway reactor, never from HTTP.
export type RequestPayment = Message<
  'RequestPayment',
  { id: string; orderId: string; amountCents: number; now: string }
>;
export type AuthorizePayment = Message<'AuthorizePayment', { id: string; now: string }>;
export type DeclinePayment = Message<'DeclinePayment', { id: string; reason: string }>;
/** Compensation: an authorized payment whose order is gone is given back. */
export type VoidPayment = Message<'VoidPayment', { id: string; reason: string }>;
export type PaymentCommand = RequestPayment | AuthorizePayment | DeclinePayment | VoidPayment;

// Every event carries its order's id, so readers need not join.
export type PaymentRequested = Message<
  'PaymentRequested',
  { id: string; orderId: string; amountCents: number; requestedAt: string }
>;
export type PaymentAuthorized = Message<
  'PaymentAuthorized',
  { id: string; orderId: string; authorizedAt: string }
>;
export type PaymentDeclined = Message<
  'PaymentDeclined',
  { id: string; orderId: string; reason: string }
>;
export type PaymentVoided = Message<
  'PaymentVoided',
  { id: string; orderId: string; reason: string }
>;
export type PaymentEvent = PaymentRequested | PaymentAuthorized | PaymentDeclined | PaymentVoided;

export type PaymentStatus = 'requested' | 'authorized' | 'declined' | 'voided';
export type PaymentState =
  | { readonly status: 'missing' }
  | {
      readonly status: PaymentStatus;
      readonly id: string;
      readonly orderId: string;
      readonly amountCents: number;
    };

export type PaymentError =
  | { readonly type: 'PaymentNotFound'; readonly id: string }
  | { readonly type: 'PaymentAlreadyExists'; readonly id: string }
  | {
      readonly type: 'InvalidTransition';
      readonly id: string;
      readonly status: PaymentStatus;
      readonly command: PaymentCommand['type'];
    };

const ALLOWED: Readonly<Record<Exclude<PaymentCommand['type'], 'RequestPayment'>, PaymentStatus>> =
  {
    AuthorizePayment: 'requested',
    DeclinePayment: 'requested',
    VoidPayment: 'authorized',
  };

export const initialState = (): PaymentState => ({ status: 'missing' });

export const evolve = (state: PaymentState, event: PaymentEvent): PaymentState => {
  if (event.type === 'PaymentRequested') {
    const { id, orderId, amountCents } = event.data;
    return { status: 'requested', id, orderId, amountCents };
  }
  if (state.status === 'missing') return state;
  switch (event.type) {
    case 'PaymentAuthorized':
      return { ...state, status: 'authorized' };
    case 'PaymentDeclined':
      return { ...state, status: 'declined' };
    case 'PaymentVoided':
      return { ...state, status: 'voided' };
    default:
      return assertNever(event);
  }
};

export const decide = (
  command: PaymentCommand,
  state: PaymentState,
): Result<readonly PaymentEvent[], PaymentError> => {
  const { id } = command.data;
  if (command.type === 'RequestPayment') {
    if (state.status !== 'missing') return err({ type: 'PaymentAlreadyExists', id });
    const { orderId, amountCents, now } = command.data;
    return ok([{ type: 'PaymentRequested', data: { id, orderId, amountCents, requestedAt: now } }]);
  }
  if (state.status === 'missing') return err({ type: 'PaymentNotFound', id });
  if (ALLOWED[command.type] !== state.status) {
    return err({ type: 'InvalidTransition', id, status: state.status, command: command.type });
  }
  const { orderId } = state;
  switch (command.type) {
    case 'AuthorizePayment':
      return ok([
        { type: 'PaymentAuthorized', data: { id, orderId, authorizedAt: command.data.now } },
      ]);
    case 'DeclinePayment':
      return ok([{ type: 'PaymentDeclined', data: { id, orderId, reason: command.data.reason } }]);
    case 'VoidPayment':
      return ok([{ type: 'PaymentVoided', data: { id, orderId, reason: command.data.reason } }]);
    default:
      return assertNever(command);
  }
};

export const paymentDecider: Decider<PaymentCommand, PaymentEvent, PaymentState, PaymentError> = {
  initialState,
  evolve,
  decide,
};
