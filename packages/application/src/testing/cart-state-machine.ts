import { defineStateMachine } from '../state-machine';
import type { CartState } from './shopping-cart';

/** The shopping cart's state machine: the fixture for drawing and checking machines. */
export const cartStateMachine = defineStateMachine<CartState>({
  initial: 'none',
  states: ['none', 'open', 'checkedOut'],
  transitions: [
    { from: 'none', to: 'open', on: 'OpenCart' },
    { from: 'open', to: 'open', on: 'AddItem' },
    { from: 'open', to: 'open', on: 'RemoveItem' },
    { from: 'open', to: 'checkedOut', on: 'CheckOut' },
  ],
  stateOf: (state) => state.status,
});
