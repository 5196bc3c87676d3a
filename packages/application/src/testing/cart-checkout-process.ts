import { assertNever, type Message } from '@ironstar/domain';
import { defineProcessManager, deriveId } from '../process-manager';
import { CART_AGGREGATE_TYPE, type CartCommand } from './shopping-cart';

// The framework's own fixture manager, over the shopping cart (no Order code in the
// framework): every kind of decision a manager makes, so the runtime is proven on it.
//   CartOpened       → send a gift (AddItem) to the cart, set the 'checkout' timer
//   TimerFired       → check the cart out
//   CartCheckedOut   → cancel the timer; done
//   CommandFailed    → compensation: cancel the timer; done
// An owner named 'ghost' gets the gift sent to a cart that does not exist (a refusal).

export const CART_CHECKOUT_PROCESS = 'cart-checkout';

export type CartCheckoutInput =
  | Message<'CartOpened', { readonly cartId: string; readonly owner: string }>
  | Message<'CartCheckedOut', { readonly cartId: string }>;

export type CartCheckoutState =
  | { readonly status: 'idle' }
  | { readonly status: 'waiting'; readonly cartId: string }
  | { readonly status: 'checkingOut'; readonly cartId: string }
  | { readonly status: 'done'; readonly cartId: string; readonly outcome: string };

const command = (key: string, cartId: string, cart: CartCommand) => ({
  key,
  aggregateType: CART_AGGREGATE_TYPE,
  aggregateId: cartId,
  command: cart,
});

/** The gift's cart: the cart itself, or (for 'ghost') one that was never opened. */
export const giftCartOf = (cartId: string, owner: string) =>
  owner === 'ghost' ? deriveId(cartId, 'ghost') : cartId;

export const cartCheckoutProcess = (options: { readonly checkoutAfterMs?: number } = {}) =>
  defineProcessManager<CartCheckoutState, CartCheckoutInput>({
    name: CART_CHECKOUT_PROCESS,
    select(event) {
      if (event.aggregateType !== CART_AGGREGATE_TYPE) return undefined;
      const data = event.payload as { readonly owner?: unknown };
      const cartId = event.aggregateId;
      if (event.eventType === 'CartOpened') {
        const owner = typeof data.owner === 'string' ? data.owner : '';
        return { instanceId: cartId, input: { type: 'CartOpened', data: { cartId, owner } } };
      }
      if (event.eventType === 'CartCheckedOut') {
        return { instanceId: cartId, input: { type: 'CartCheckedOut', data: { cartId } } };
      }
      return undefined;
    },
    initialState: () => ({ status: 'idle' }),
    evolve(state, input) {
      switch (input.type) {
        case 'CartOpened':
          return { status: 'waiting', cartId: input.data.cartId };
        case 'TimerFired':
          return state.status === 'waiting'
            ? { status: 'checkingOut', cartId: state.cartId }
            : state;
        case 'CartCheckedOut':
          return { status: 'done', cartId: input.data.cartId, outcome: 'checked out' };
        case 'CommandFailed':
          return state.status === 'idle'
            ? state
            : { status: 'done', cartId: state.cartId, outcome: `gave up: ${input.data.error}` };
        default:
          return assertNever(input);
      }
    },
    decide(input, state) {
      switch (input.type) {
        case 'CartOpened': {
          const { cartId, owner } = input.data;
          const giftCart = giftCartOf(cartId, owner);
          return {
            commands: [
              command('gift', giftCart, {
                type: 'AddItem',
                data: { id: giftCart, item: 'gift', quantity: 1 },
              }),
            ],
            setTimers: [{ name: 'checkout', afterMs: options.checkoutAfterMs ?? 60_000 }],
          };
        }
        case 'TimerFired':
          if (state.status !== 'waiting' || input.data.timer !== 'checkout') return {};
          return {
            commands: [
              command('checkout', state.cartId, {
                type: 'CheckOut',
                data: { id: state.cartId, now: input.data.firedAt },
              }),
            ],
          };
        case 'CartCheckedOut':
          return { cancelTimers: ['checkout'], done: true };
        case 'CommandFailed':
          return { cancelTimers: ['checkout'], done: true };
        default:
          return assertNever(input);
      }
    },
  });
