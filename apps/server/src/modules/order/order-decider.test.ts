import { checkStateMachine } from '@ironstar/application/testing';
import { fold } from '@ironstar/domain';
import { DeciderSpecification } from '@ironstar/domain/testing';
import { describe, expect, it } from 'vitest';
import { orderAggregate } from './order-aggregate';
import { ORDER_LIMITS, type OrderCommand, type OrderEvent, orderDecider } from './order-decider';
import { orderUpcasters } from './order-upcasters';

const spec = DeciderSpecification.for(orderDecider);
const id = 'o1';
const now = '2026-12-01T10:00:00.000Z';
const tea = { sku: 'tea', quantity: 2, priceCents: 1250 };
const cup = { sku: 'cup', quantity: 1, priceCents: 900 };

// Every user command is alice's unless a test sends it as someone else.
const actor = 'alice';
const create: OrderCommand = { type: 'CreateOrder', data: { id, items: [tea], now, actor } };
const addCup: OrderCommand = { type: 'AddOrderItem', data: { id, item: cup, actor } };
const removeTea: OrderCommand = { type: 'RemoveOrderItem', data: { id, sku: 'tea', actor } };
const submit: OrderCommand = { type: 'SubmitOrder', data: { id, now, actor } };
const validate: OrderCommand = { type: 'ValidateOrder', data: { id, paymentId: 'p1' } };
const fulfil: OrderCommand = { type: 'FulfilOrder', data: { id, tracking: 'TRK-1' } };
const cancel: OrderCommand = {
  type: 'CancelOrder',
  data: { id, reason: 'changed my mind', actor },
};
const commands = [create, addCup, removeTea, submit, validate, fulfil, cancel];

const created: OrderEvent = {
  type: 'OrderCreated',
  data: { id, items: [tea], createdAt: now, owner: 'alice' },
};
const cupAdded: OrderEvent = { type: 'OrderItemAdded', data: { id, item: cup } };
const teaRemoved: OrderEvent = { type: 'OrderItemRemoved', data: { id, sku: 'tea' } };
const submitted: OrderEvent = {
  type: 'OrderSubmitted',
  data: { id, totalCents: 2500, submittedAt: now },
};
const validated: OrderEvent = { type: 'OrderValidated', data: { id, paymentId: 'p1' } };
const fulfilled: OrderEvent = { type: 'OrderFulfilled', data: { id, tracking: 'TRK-1' } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { id, reason: 'changed my mind' } };

const histories = {
  none: [],
  draft: [created],
  submitted: [created, submitted],
  validated: [created, submitted, validated],
  fulfilled: [created, submitted, validated, fulfilled],
  cancelled: [created, cancelled],
};

describe('Order decider', () => {
  it('matches its declared state machine in every state, for every command', () =>
    checkStateMachine(orderAggregate, { histories, commands }));

  it('creates an order with its items, once', () => {
    spec.given([]).when(create).then([created]);
    spec.given([created]).when(create).thenFails('OrderAlreadyExists');
  });

  it('adds and removes lines in draft; the same sku adds to its line', () => {
    spec.given([created]).when(addCup).then([cupAdded]);
    spec.given([created]).when(removeTea).then([teaRemoved]);
    spec.given([created, teaRemoved]).when(removeTea).thenFails('ItemNotInOrder');
    const more: OrderEvent = {
      type: 'OrderItemAdded',
      data: { id, item: { ...tea, quantity: 3 } },
    };
    expect(fold(orderDecider, [created, more])).toMatchObject({
      items: [{ sku: 'tea', quantity: 5, priceCents: 1250 }],
    });
    expect(fold(orderDecider, [created, cupAdded, teaRemoved])).toMatchObject({ items: [cup] });
  });

  it('refuses a line over the quantity bound, or a line past the line bound', () => {
    const big = { sku: 'tea', quantity: ORDER_LIMITS.maxQuantity - 1, priceCents: 1 };
    spec
      .given([created])
      .when({ type: 'AddOrderItem', data: { id, item: big, actor } })
      .thenFails('OrderTooLarge');
    const lines = Array.from({ length: ORDER_LIMITS.maxLines }, (_, n) => ({
      sku: `s${n}`,
      quantity: 1,
      priceCents: 1,
    }));
    const full: OrderEvent = {
      type: 'OrderCreated',
      data: { id, items: lines, createdAt: now, owner: 'alice' },
    };
    spec.given([full]).when(addCup).thenFails('OrderTooLarge');
    // Adding to an existing line of a full order is fine.
    spec
      .given([full])
      .when({
        type: 'AddOrderItem',
        data: { id, item: { sku: 's0', quantity: 1, priceCents: 1 }, actor },
      })
      .then([
        { type: 'OrderItemAdded', data: { id, item: { sku: 's0', quantity: 1, priceCents: 1 } } },
      ]);
  });

  it('submits a non-empty draft with its total', () => {
    spec.given([created]).when(submit).then([submitted]);
    spec.given([created, teaRemoved]).when(submit).thenFails('EmptyOrder');
    spec
      .given([created, cupAdded])
      .when(submit)
      .then([{ type: 'OrderSubmitted', data: { id, totalCents: 3400, submittedAt: now } }]);
  });

  it('is validated once submitted, fulfilled once validated', () => {
    spec.given([created, submitted]).when(validate).then([validated]);
    spec.given([created, submitted, validated]).when(fulfil).then([fulfilled]);
    spec.given([created]).when(validate).thenFails('InvalidTransition');
    spec.given([created, submitted]).when(fulfil).thenFails('InvalidTransition');
  });

  it('is cancelled from draft, submitted or validated, never after', () => {
    for (const history of [histories.draft, histories.submitted, histories.validated]) {
      spec.given(history).when(cancel).then([cancelled]);
    }
    spec.given(histories.fulfilled).when(cancel).thenFails('InvalidTransition');
    spec.given(histories.cancelled).when(cancel).thenFails('InvalidTransition');
  });

  it('refuses every change once submitted, and every command on a missing order', () => {
    for (const command of [addCup, removeTea, submit]) {
      spec.given(histories.submitted).when(command).thenFails('InvalidTransition');
    }
    for (const command of commands.slice(1))
      spec.given([]).when(command).thenFails('OrderNotFound');
  });

  it('records who placed it as its owner', () => {
    const bobs: OrderCommand = {
      type: 'CreateOrder',
      data: { id, items: [tea], now, actor: 'bob' },
    };
    spec
      .given([])
      .when(bobs)
      .then([{ type: 'OrderCreated', data: { id, items: [tea], createdAt: now, owner: 'bob' } }]);
  });

  it("refuses another user's commands as if the order were missing, in every state", () => {
    const asBob = (command: OrderCommand): OrderCommand =>
      ({ ...command, data: { ...command.data, actor: 'bob' } }) as OrderCommand;
    for (const history of Object.values(histories).slice(1)) {
      for (const command of [addCup, removeTea, submit, cancel]) {
        spec.given(history).when(asBob(command)).thenFails('OrderNotFound');
      }
    }
  });

  it('lets the system (the fulfilment manager) cancel any order, and validate and fulfil', () => {
    const bySystem: OrderCommand = {
      type: 'CancelOrder',
      data: { id, reason: 'changed my mind', actor: 'system' },
    };
    spec.given(histories.submitted).when(bySystem).then([cancelled]);
    spec.given(histories.submitted).when(validate).then([validated]);
    // A cancel the manager queued before commands carried their actor is the system's.
    const queuedBefore = {
      type: 'CancelOrder',
      data: { id, reason: 'changed my mind' },
    } as unknown as OrderCommand;
    spec.given(histories.submitted).when(queuedBefore).then([cancelled]);
    // The system is no owner: it cannot change or submit a user's draft.
    spec
      .given(histories.draft)
      .when({ ...addCup, data: { ...addCup.data, actor: 'system' } } as OrderCommand)
      .thenFails('OrderNotFound');
  });

  it('ignores stray events on a missing order and throws on unknown types (bugs)', () => {
    expect(fold(orderDecider, [submitted])).toEqual({ status: 'missing' });
    expect(fold(orderDecider, [created, submitted, cupAdded])).toMatchObject({ items: [tea] });
    const stray = { type: 'OrderLost', data: { id } } as unknown as OrderEvent;
    expect(() => fold(orderDecider, [created, stray])).toThrow('unhandled case');
  });
});

describe('Order upcasters', () => {
  it("give orders placed before owners to the local user, so they stay that user's", () => {
    const [up] = orderUpcasters;
    const v1 = { id, items: [tea], createdAt: now };
    expect(up).toMatchObject({ eventType: 'OrderCreated', fromVersion: 1 });
    expect(up?.upcast(v1)).toEqual({ ...v1, owner: 'local' });
    expect(orderAggregate.events.OrderCreated).toBe(2);
  });
});
