import { SYSTEM_ACTOR } from '@ironstar/application';
import { assertNever, type Decider, type Message } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

export const ORDER_AGGREGATE_TYPE = 'Order';

/** Bounds every order keeps (the HTTP parser checks the same on input). */
export const ORDER_LIMITS = {
  maxLines: 100,
  maxQuantity: 10_000,
  maxPriceCents: 10_000_000,
  maxSkuLength: 64,
  maxReasonLength: 200,
} as const;

/** One line of an order; a sku appears on one line at most. */
export type OrderItem = {
  readonly sku: string;
  readonly quantity: number;
  readonly priceCents: number;
};

// Commands: users create, change, submit and cancel their own orders (`actor`: who sends it);
// the fulfilment manager validates, fulfils and cancels (its ids and time chosen from the
// event that triggered it; it cancels as the system).
export type CreateOrder = Message<
  'CreateOrder',
  { id: string; items: readonly OrderItem[]; now: string; actor: string }
>;
export type AddOrderItem = Message<'AddOrderItem', { id: string; item: OrderItem; actor: string }>;
export type RemoveOrderItem = Message<
  'RemoveOrderItem',
  { id: string; sku: string; actor: string }
>;
export type SubmitOrder = Message<'SubmitOrder', { id: string; now: string; actor: string }>;
/** Only the fulfilment manager's (no client can send it): no actor. */
export type ValidateOrder = Message<'ValidateOrder', { id: string; paymentId: string }>;
/** Only the fulfilment manager's (no client can send it): no actor. */
export type FulfilOrder = Message<'FulfilOrder', { id: string; tracking: string }>;
export type CancelOrder = Message<'CancelOrder', { id: string; reason: string; actor: string }>;
export type OrderCommand =
  | CreateOrder
  | AddOrderItem
  | RemoveOrderItem
  | SubmitOrder
  | ValidateOrder
  | FulfilOrder
  | CancelOrder;

/** Version 2 added `owner` (see order-upcasters.ts). */
export type OrderCreated = Message<
  'OrderCreated',
  { id: string; items: readonly OrderItem[]; createdAt: string; owner: string }
>;
export type OrderItemAdded = Message<'OrderItemAdded', { id: string; item: OrderItem }>;
export type OrderItemRemoved = Message<'OrderItemRemoved', { id: string; sku: string }>;
/** Carries the total: the fulfilment manager asks for exactly this amount. */
export type OrderSubmitted = Message<
  'OrderSubmitted',
  { id: string; totalCents: number; submittedAt: string }
>;
export type OrderValidated = Message<'OrderValidated', { id: string; paymentId: string }>;
export type OrderFulfilled = Message<'OrderFulfilled', { id: string; tracking: string }>;
export type OrderCancelled = Message<'OrderCancelled', { id: string; reason: string }>;
export type OrderEvent =
  | OrderCreated
  | OrderItemAdded
  | OrderItemRemoved
  | OrderSubmitted
  | OrderValidated
  | OrderFulfilled
  | OrderCancelled;

export type OrderStatus = 'draft' | 'submitted' | 'validated' | 'fulfilled' | 'cancelled';

export type OrderState =
  | { readonly status: 'missing' }
  | {
      readonly status: OrderStatus;
      readonly id: string;
      /** Who placed it: the only user it exists for. */
      readonly owner: string;
      readonly items: readonly OrderItem[];
    };

export type OrderError =
  | { readonly type: 'OrderNotFound'; readonly id: string }
  | { readonly type: 'OrderAlreadyExists'; readonly id: string }
  | {
      readonly type: 'InvalidTransition';
      readonly id: string;
      readonly status: OrderStatus;
      readonly command: OrderCommand['type'];
    }
  | { readonly type: 'EmptyOrder'; readonly id: string }
  | { readonly type: 'ItemNotInOrder'; readonly id: string; readonly sku: string }
  | { readonly type: 'OrderTooLarge'; readonly id: string; readonly message: string };

export const totalOf = (items: readonly OrderItem[]) =>
  items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0);

/** Adds a line, or adds to the quantity of the sku's line (at the newer price). */
const withItem = (items: readonly OrderItem[], item: OrderItem): readonly OrderItem[] => {
  const line = items.find((each) => each.sku === item.sku);
  if (!line) return [...items, item];
  const merged = { ...item, quantity: line.quantity + item.quantity };
  return items.map((each) => (each.sku === item.sku ? merged : each));
};

export const initialState = (): OrderState => ({ status: 'missing' });

export const evolve = (state: OrderState, event: OrderEvent): OrderState => {
  if (event.type === 'OrderCreated') {
    return { status: 'draft', id: event.data.id, owner: event.data.owner, items: event.data.items };
  }
  // A stored event that does not apply (never decided by this code) changes nothing.
  if (state.status === 'missing') return state;
  switch (event.type) {
    case 'OrderItemAdded':
      return state.status === 'draft'
        ? { ...state, items: withItem(state.items, event.data.item) }
        : state;
    case 'OrderItemRemoved':
      return state.status === 'draft'
        ? { ...state, items: state.items.filter((each) => each.sku !== event.data.sku) }
        : state;
    case 'OrderSubmitted':
      return { ...state, status: 'submitted' };
    case 'OrderValidated':
      return { ...state, status: 'validated' };
    case 'OrderFulfilled':
      return { ...state, status: 'fulfilled' };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled' };
    default:
      return assertNever(event);
  }
};

/** Which state each command is allowed in (besides create, allowed only when missing). */
const ALLOWED: Readonly<
  Record<Exclude<OrderCommand['type'], 'CreateOrder'>, readonly OrderStatus[]>
> = {
  AddOrderItem: ['draft'],
  RemoveOrderItem: ['draft'],
  SubmitOrder: ['draft'],
  ValidateOrder: ['submitted'],
  FulfilOrder: ['validated'],
  CancelOrder: ['draft', 'submitted', 'validated'],
};

/**
 * Its owner sends a user's commands; the system (the fulfilment manager) may cancel any order,
 * and validating and fulfilling are its alone (no client can send those).
 */
const mayAct = (command: Exclude<OrderCommand, CreateOrder>, owner: string) => {
  switch (command.type) {
    case 'ValidateOrder':
    case 'FulfilOrder':
      return true;
    case 'CancelOrder': {
      // Absent only in a cancel the manager queued before commands carried their actor.
      const actor = command.data.actor ?? SYSTEM_ACTOR;
      return actor === owner || actor === SYSTEM_ACTOR;
    }
    default:
      return command.data.actor === owner;
  }
};

export const decide = (
  command: OrderCommand,
  state: OrderState,
): Result<readonly OrderEvent[], OrderError> => {
  const { id } = command.data;
  if (command.type === 'CreateOrder') {
    if (state.status !== 'missing') return err({ type: 'OrderAlreadyExists', id });
    const { items, now, actor } = command.data;
    return ok([{ type: 'OrderCreated', data: { id, items, createdAt: now, owner: actor } }]);
  }
  if (state.status === 'missing') return err({ type: 'OrderNotFound', id });
  // Another user's order does not exist for this one: the answer a missing order gets.
  if (!mayAct(command, state.owner)) return err({ type: 'OrderNotFound', id });
  if (!ALLOWED[command.type].includes(state.status)) {
    return err({ type: 'InvalidTransition', id, status: state.status, command: command.type });
  }
  switch (command.type) {
    case 'AddOrderItem': {
      const { item } = command.data;
      const items = withItem(state.items, item);
      if (items.length > ORDER_LIMITS.maxLines) {
        return err({
          type: 'OrderTooLarge',
          id,
          message: `an order has at most ${ORDER_LIMITS.maxLines} lines`,
        });
      }
      if (items.some((each) => each.quantity > ORDER_LIMITS.maxQuantity)) {
        return err({
          type: 'OrderTooLarge',
          id,
          message: `a line has at most ${ORDER_LIMITS.maxQuantity} units`,
        });
      }
      return ok([{ type: 'OrderItemAdded', data: { id, item } }]);
    }
    case 'RemoveOrderItem': {
      const { sku } = command.data;
      if (!state.items.some((each) => each.sku === sku)) {
        return err({ type: 'ItemNotInOrder', id, sku });
      }
      return ok([{ type: 'OrderItemRemoved', data: { id, sku } }]);
    }
    case 'SubmitOrder':
      if (state.items.length === 0) return err({ type: 'EmptyOrder', id });
      return ok([
        {
          type: 'OrderSubmitted',
          data: { id, totalCents: totalOf(state.items), submittedAt: command.data.now },
        },
      ]);
    case 'ValidateOrder':
      return ok([{ type: 'OrderValidated', data: { id, paymentId: command.data.paymentId } }]);
    case 'FulfilOrder':
      return ok([{ type: 'OrderFulfilled', data: { id, tracking: command.data.tracking } }]);
    case 'CancelOrder':
      return ok([{ type: 'OrderCancelled', data: { id, reason: command.data.reason } }]);
    default:
      return assertNever(command);
  }
};

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState, OrderError> = {
  initialState,
  evolve,
  decide,
};
