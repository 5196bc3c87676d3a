import { assertNever, type Decider, type Message, type Upcaster } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';
import { defineAggregate } from '../aggregate';
import { type AggregateServiceDeps, createAggregateService } from '../aggregate-service';
import type { HandleOptions } from '../command-handler';
import { mapProjectionOf } from '../projection';

// The framework's own fixture domain (Emmett tests its command handling with a shopping
// cart too): small, but with every kind of outcome a module can have, an upcaster and a
// read model, so claims about "any aggregate" are proven on more than the reference app.

export const CART_AGGREGATE_TYPE = 'ShoppingCart';

export type OpenCart = Message<'OpenCart', { id: string; owner: string; now: string }>;
export type AddItem = Message<'AddItem', { id: string; item: string; quantity: number }>;
export type RemoveItem = Message<'RemoveItem', { id: string; item: string }>;
export type CheckOut = Message<'CheckOut', { id: string; now: string }>;
export type CartCommand = OpenCart | AddItem | RemoveItem | CheckOut;

export type CartOpened = Message<'CartOpened', { id: string; owner: string; openedAt: string }>;
/** Version 2 added `quantity`; version 1 added one of the item (see cartUpcasters). */
export type ItemAdded = Message<'ItemAdded', { id: string; item: string; quantity: number }>;
export type ItemRemoved = Message<'ItemRemoved', { id: string; item: string }>;
export type CartCheckedOut = Message<'CartCheckedOut', { id: string; checkedOutAt: string }>;
export type CartEvent = CartOpened | ItemAdded | ItemRemoved | CartCheckedOut;

export type CartState =
  | { readonly status: 'none' }
  | { readonly status: 'open'; readonly items: Readonly<Record<string, number>> }
  | { readonly status: 'checkedOut' };

export type CartError =
  | { readonly type: 'CartNotFound'; readonly id: string }
  | { readonly type: 'CartAlreadyOpen'; readonly id: string }
  | { readonly type: 'CartClosed'; readonly id: string }
  | { readonly type: 'CartEmpty'; readonly id: string };

const evolve = (state: CartState, event: CartEvent): CartState => {
  switch (event.type) {
    case 'CartOpened':
      return { status: 'open', items: {} };
    case 'ItemAdded': {
      if (state.status !== 'open') return state;
      const { item, quantity } = event.data;
      return {
        status: 'open',
        items: { ...state.items, [item]: (state.items[item] ?? 0) + quantity },
      };
    }
    case 'ItemRemoved': {
      if (state.status !== 'open') return state;
      const { [event.data.item]: _, ...items } = state.items;
      return { status: 'open', items };
    }
    case 'CartCheckedOut':
      return { status: 'checkedOut' };
    default:
      return assertNever(event);
  }
};

/** Only an open cart takes items or checks out. */
const open = (
  state: CartState,
  id: string,
): Result<Readonly<Record<string, number>>, CartError> => {
  if (state.status === 'none') return err({ type: 'CartNotFound', id });
  if (state.status === 'checkedOut') return err({ type: 'CartClosed', id });
  return ok(state.items);
};

const decide = (
  command: CartCommand,
  state: CartState,
): Result<readonly CartEvent[], CartError> => {
  const { id } = command.data;
  switch (command.type) {
    case 'OpenCart': {
      if (state.status !== 'none') return err({ type: 'CartAlreadyOpen', id });
      const { owner, now } = command.data;
      return ok([{ type: 'CartOpened', data: { id, owner, openedAt: now } }]);
    }
    case 'AddItem': {
      const { item, quantity } = command.data;
      return open(state, id).map(() => [{ type: 'ItemAdded', data: { id, item, quantity } }]);
    }
    case 'RemoveItem': {
      const { item } = command.data;
      // Removing what is not there changes nothing, so it records nothing.
      return open(state, id).map((items) =>
        Object.hasOwn(items, item) ? [{ type: 'ItemRemoved', data: { id, item } }] : [],
      );
    }
    case 'CheckOut':
      return open(state, id).andThen(
        (items): Result<readonly CartEvent[], CartError> =>
          Object.keys(items).length === 0
            ? err({ type: 'CartEmpty', id })
            : ok([{ type: 'CartCheckedOut', data: { id, checkedOutAt: command.data.now } }]),
      );
    default:
      return assertNever(command);
  }
};

export const cartDecider: Decider<CartCommand, CartEvent, CartState, CartError> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};

/** ItemAdded v1 had no quantity: each one added a single item. */
export const cartUpcasters: readonly Upcaster[] = [
  {
    eventType: 'ItemAdded',
    fromVersion: 1,
    upcast: (payload) => ({ quantity: 1, ...(payload as Record<string, unknown>) }),
  },
];

export const cartAggregate = defineAggregate({
  type: CART_AGGREGATE_TYPE,
  decider: cartDecider,
  events: { CartOpened: 1, ItemAdded: 2, ItemRemoved: 1, CartCheckedOut: 1 },
  upcasters: cartUpcasters,
  snapshots: { every: 3, stateVersion: 1 },
});

/** Carts in opening order; the runner owns the map (see Projection). */
export type Carts = Map<string, CartView>;

/** One cart as the cart list shows it. */
export type CartView = {
  readonly id: string;
  readonly owner: string;
  readonly items: Readonly<Record<string, number>>;
  readonly checkedOut: boolean;
  /** Version of the cart's stream after its last event. */
  readonly version: number;
  readonly updatedSequence: number;
};

export const cartsProjection = mapProjectionOf(cartAggregate, {
  name: 'carts',
  version: 1,
  evolve(carts: Carts, event, stored) {
    const at = { version: stored.aggregateSequence, updatedSequence: stored.globalSequence };
    if (event.type === 'CartOpened') {
      const { id, owner } = event.data;
      return carts.set(id, { id, owner, items: {}, checkedOut: false, ...at });
    }
    const cart = carts.get(event.data.id);
    if (!cart) return carts;
    switch (event.type) {
      case 'ItemAdded': {
        const { item, quantity } = event.data;
        const items = { ...cart.items, [item]: (cart.items[item] ?? 0) + quantity };
        return carts.set(cart.id, { ...cart, items, ...at });
      }
      case 'ItemRemoved': {
        const { [event.data.item]: _, ...items } = cart.items;
        return carts.set(cart.id, { ...cart, items, ...at });
      }
      case 'CartCheckedOut':
        return carts.set(cart.id, { ...cart, checkedOut: true, ...at });
      default:
        return assertNever(event);
    }
  },
});

/**
 * The cart's use cases over the aggregate service, for the core's tests: each a command
 * with the ids and time filled in.
 */
export const createCartService = (
  deps: AggregateServiceDeps,
  /** Overrides the cart's own snapshot policy. */
  snapshots?: { readonly every: number; readonly stateVersion: number },
) => {
  const service = createAggregateService(
    snapshots ? { ...cartAggregate, snapshots } : cartAggregate,
    deps,
  );
  const on = (id: string, command: (now: string) => CartCommand, options?: HandleOptions) =>
    service.send({ aggregateId: id, command: ({ now }) => command(now) }, options);
  return {
    open: (owner = 'ada', options?: HandleOptions) =>
      service.send(
        {
          command: ({ aggregateId, now }) => ({
            type: 'OpenCart',
            data: { id: aggregateId, owner, now },
          }),
        },
        options,
      ),
    add: (id: string, item = 'tea', options?: HandleOptions) =>
      on(id, () => ({ type: 'AddItem', data: { id, item, quantity: 1 } }), options),
    remove: (id: string, item: string, options?: HandleOptions) =>
      on(id, () => ({ type: 'RemoveItem', data: { id, item } }), options),
    checkOut: (id: string, options?: HandleOptions) =>
      on(id, (now) => ({ type: 'CheckOut', data: { id, now } }), options),
    load: service.load,
  };
};

export type CartService = ReturnType<typeof createCartService>;
