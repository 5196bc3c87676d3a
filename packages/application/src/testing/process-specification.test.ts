import { describe, expect, it } from 'vitest';
import type { CommandFailed, TimerFired } from '../process-manager';
import { type CartCheckoutInput, cartCheckoutProcess, giftCartOf } from './cart-checkout-process';
import { ProcessSpecification } from './process-specification';

const manager = cartCheckoutProcess({ checkoutAfterMs: 500 });
const spec = ProcessSpecification.for(manager);
const cartId = 'c1';
const opened: CartCheckoutInput = { type: 'CartOpened', data: { cartId, owner: 'ada' } };
const checkedOut: CartCheckoutInput = { type: 'CartCheckedOut', data: { cartId } };
const fired: TimerFired = { type: 'TimerFired', data: { timer: 'checkout', firedAt: 'T1' } };
const failed: CommandFailed = {
  type: 'CommandFailed',
  data: {
    key: 'gift',
    aggregateType: 'ShoppingCart',
    aggregateId: cartId,
    error: 'CartClosed',
    message: 'closed',
  },
};
const gift = {
  key: 'gift',
  aggregateType: 'ShoppingCart',
  aggregateId: cartId,
  command: { type: 'AddItem', data: { id: cartId, item: 'gift', quantity: 1 } },
};
const checkout = {
  key: 'checkout',
  aggregateType: 'ShoppingCart',
  aggregateId: cartId,
  command: { type: 'CheckOut', data: { id: cartId, now: 'T1' } },
};

describe('the process specification, on the cart-checkout fixture', () => {
  it('passes what the manager decides', () => {
    spec
      .given([])
      .when(opened)
      .then({ commands: [gift], setTimers: [{ name: 'checkout', afterMs: 500 }] });
    spec
      .given([opened])
      .when(fired)
      .then({ commands: [checkout] });
    spec
      .given([opened])
      .when(checkedOut)
      .then({ cancelTimers: ['checkout'], done: true });
    spec
      .given([opened])
      .when(failed)
      .then({ cancelTimers: ['checkout'], done: true });
    spec.given([opened, checkedOut]).when(fired).thenNothing();
    spec.given([opened, fired]).when(fired).thenNothing();
    spec.given([opened]).when(failed).thenState({
      status: 'done',
      cartId,
      outcome: 'gave up: CartClosed',
    });
  });

  it('treats a missing list as empty and a missing done as false', () => {
    spec.given([opened, checkedOut]).when(fired).then({});
    spec.given([opened, checkedOut]).when(fired).then({ commands: [], done: false });
  });

  it('fails, saying why, for every wrong expectation', () => {
    expect(() =>
      spec
        .given([])
        .when(opened)
        .then({ commands: [gift] }),
    ).toThrow(/expected decision .*\n +got .*"setTimers":\[\{"name":"checkout"/);
    expect(() =>
      spec
        .given([opened])
        .when(checkedOut)
        .then({ cancelTimers: ['checkout'] }),
    ).toThrow(/"done":false.*\n +got .*"done":true/);
    expect(() => spec.given([]).when(opened).thenNothing()).toThrow(/expected no decision, got/);
    expect(() => spec.given([opened]).when(fired).thenState({ status: 'idle' })).toThrow(
      /expected state \{"status":"idle"\}\n +got \{"status":"checkingOut"/,
    );
    const thrown = (() => {
      try {
        spec.given([]).when(opened).thenNothing();
      } catch (error) {
        return error;
      }
    })();
    expect((thrown as Error | undefined)?.name).toBe('AssertionError');
  });

  it('reads only cart events, and sends the ghost gift to a cart never opened', () => {
    const stored = {
      globalSequence: 1,
      id: 'e1',
      aggregateType: 'ShoppingCart',
      aggregateId: cartId,
      aggregateSequence: 1,
      eventType: 'CartOpened',
      eventVersion: 1,
      payload: { id: cartId, owner: 'ada', openedAt: 'T0' },
      metadata: null,
      createdAt: 'T0',
    };
    expect(manager.select(stored)).toEqual({ instanceId: cartId, input: opened });
    expect(manager.select({ ...stored, aggregateType: 'Other' })).toBeUndefined();
    expect(manager.select({ ...stored, eventType: 'ItemAdded' })).toBeUndefined();
    expect(giftCartOf(cartId, 'ghost')).not.toBe(cartId);
  });
});
