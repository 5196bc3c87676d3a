import { describe, expect, it } from 'vitest';
import { type StateMachine, terminalStates } from '../state-machine';
import { cartStateMachine } from './cart-state-machine';
import { type CartCommand, type CartEvent, type CartState, cartDecider } from './shopping-cart';
import { checkStateMachine } from './state-machine-specification';

const cartMachine = cartStateMachine;

const id = 'c1';
const opened: CartEvent = { type: 'CartOpened', data: { id, owner: 'ann', openedAt: 'T' } };
const added: CartEvent = { type: 'ItemAdded', data: { id, item: 'tea', quantity: 1 } };
const checkedOut: CartEvent = { type: 'CartCheckedOut', data: { id, checkedOutAt: 'T' } };
const commands: CartCommand[] = [
  { type: 'OpenCart', data: { id, owner: 'ann', now: 'T' } },
  { type: 'AddItem', data: { id, item: 'tea', quantity: 1 } },
  { type: 'RemoveItem', data: { id, item: 'tea' } },
  { type: 'CheckOut', data: { id, now: 'T' } },
];
const histories = { none: [], open: [opened, added], checkedOut: [opened, added, checkedOut] };

const check = (machine: StateMachine<CartState>, given = histories) =>
  checkStateMachine(
    { decider: cartDecider, stateMachine: machine },
    { histories: given, commands },
  );

describe('checkStateMachine', () => {
  it('passes a declaration that matches decide', () => {
    expect(() => check(cartMachine)).not.toThrow();
    expect(terminalStates(cartMachine)).toEqual(['checkedOut']);
  });

  it('fails when a declared transition is refused by decide', () => {
    const extra = {
      ...cartMachine,
      transitions: [...cartMachine.transitions, { from: 'checkedOut', to: 'open', on: 'AddItem' }],
    };
    expect(() => check(extra)).toThrow(/checkedOut: AddItem is refused .* declared/);
  });

  it('fails when decide allows a command no transition declares', () => {
    const missing = {
      ...cartMachine,
      transitions: cartMachine.transitions.filter((t) => t.on !== 'RemoveItem'),
    };
    expect(() => check(missing)).toThrow(/open: RemoveItem is allowed, but no transition/);
  });

  it('fails when a transition lands elsewhere than declared', () => {
    const wrongTarget = {
      ...cartMachine,
      transitions: cartMachine.transitions.map((t) =>
        t.on === 'CheckOut' ? { ...t, to: 'none' } : t,
      ),
    };
    expect(() => check(wrongTarget)).toThrow(/open: CheckOut lands in checkedOut, declared none/);
  });

  it('fails on unknown states, histories that miss their state, and unsampled commands', () => {
    const unknown = {
      ...cartMachine,
      transitions: [...cartMachine.transitions, { from: 'open', to: 'lost', on: 'Lose' }],
    };
    expect(() => check(unknown)).toThrow(/unknown lost[\s\S]*no sample command of type Lose/);
    expect(() => check(cartMachine, { ...histories, open: [] })).toThrow(
      /the history for open reaches none/,
    );
    const { checkedOut: _, ...fewer } = histories;
    expect(() => check(cartMachine, fewer as typeof histories)).toThrow(
      /no history reaches checkedOut/,
    );
    expect(() => checkStateMachine({ decider: cartDecider }, { histories, commands })).toThrow(
      /declares no state machine/,
    );
  });
});
