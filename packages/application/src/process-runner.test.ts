import { randomUUID } from 'node:crypto';
import type { Message } from '@ironstar/domain';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAggregateService } from './aggregate-service';
import type { StoredEvent } from './event-store';
import { storeUnavailable } from './event-store';
import { type AnyProcessManager, defineProcessManager, processStreamType } from './process-manager';
import { createProcessRunner, type ProcessRunner, type ProcessRunnerEvent } from './process-runner';
import type { ProcessStore } from './process-store';
import { type ProcessTarget, processTargetOf } from './process-target';
import {
  CART_CHECKOUT_PROCESS,
  cartCheckoutProcess,
  giftCartOf,
} from './testing/cart-checkout-process';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createInMemoryProcessStore } from './testing/in-memory-process-store';
import { CART_AGGREGATE_TYPE, cartAggregate } from './testing/shopping-cart';

const stream = processStreamType(CART_CHECKOUT_PROCESS);

const setup = (options: { checkoutAfterMs?: number } = {}) => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  const processes = createInMemoryProcessStore(store);
  const carts = createAggregateService(cartAggregate, {
    store,
    bus,
    clock: () => new Date().toISOString(),
    newId: randomUUID,
  });
  const cartTarget = processTargetOf(carts);
  const reports: ProcessRunnerEvent[] = [];
  const runners: ProcessRunner[] = [];
  const runner = (
    overrides: {
      target?: ProcessTarget;
      owner?: string;
      processes?: ProcessStore;
      manager?: AnyProcessManager;
    } = {},
  ) => {
    const made = createProcessRunner({
      manager:
        overrides.manager ??
        cartCheckoutProcess({ checkoutAfterMs: options.checkoutAfterMs ?? 60_000 }),
      store,
      bus,
      processes: overrides.processes ?? processes,
      targets: (type) =>
        type === CART_AGGREGATE_TYPE ? (overrides.target ?? cartTarget) : undefined,
      clock: () => new Date().toISOString(),
      owner: overrides.owner ?? 'one',
      leaseMs: 300,
      pollMs: 10,
      retryMax: 3,
      retryBaseMs: 1,
      onEvent: (event) => reports.push(event),
    });
    runners.push(made);
    return made;
  };
  const open = async (owner = 'ada') =>
    (
      await carts.send(
        {
          command: ({ aggregateId, now }) => ({
            type: 'OpenCart',
            data: { id: aggregateId, owner, now },
          }),
        },
        { metadata: { correlationId: `corr-${owner}` } },
      )
    )._unsafeUnwrap().aggregateId;
  const eventsOf = (type: string, id: string) =>
    store.events.filter((e) => e.aggregateType === type && e.aggregateId === id);
  const typesOf = (type: string, id: string) => eventsOf(type, id).map((e) => e.eventType);
  return { store, bus, processes, carts, runner, runners, reports, open, eventsOf, typesOf };
};

let stopAll: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopAll?.();
  stopAll = undefined;
});
const track = (t: ReturnType<typeof setup>) => {
  stopAll = async () => {
    for (const r of t.runners) await r.stop();
  };
  return t;
};

describe('a process runner (in memory)', () => {
  it('sends the decided command through the target aggregate, carrying correlation and causation', async () => {
    const t = track(setup());
    await t.runner().start();
    const cartId = await t.open();
    await vi.waitFor(() =>
      expect(t.typesOf(CART_AGGREGATE_TYPE, cartId)).toEqual(['CartOpened', 'ItemAdded']),
    );
    const [opened, gift] = t.eventsOf(CART_AGGREGATE_TYPE, cartId) as [StoredEvent, StoredEvent];
    expect(gift.payload).toMatchObject({ item: 'gift', quantity: 1 });
    expect(gift.metadata).toMatchObject({
      correlationId: 'corr-ada',
      causationId: opened.id,
      commandId: `${CART_CHECKOUT_PROCESS}:${opened.id}:gift`,
    });
    expect(t.typesOf(stream, cartId)).toEqual(['InputReceived', 'CommandScheduled', 'TimerSet']);
    const overview = (await t.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap();
    expect(overview.checkpoint).toBeGreaterThanOrEqual(opened.globalSequence);
    expect(overview.timers.map((timer) => timer.name)).toEqual(['checkout']);
    await vi.waitFor(async () =>
      expect(
        (await t.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap().outbox,
      ).toEqual([]),
    );
  });

  it('fires a due timer, whose command leads to the end of the instance', async () => {
    const t = track(setup({ checkoutAfterMs: 20 }));
    await t.runner().start();
    const cartId = await t.open();
    await vi.waitFor(() =>
      expect(t.typesOf(stream, cartId)).toEqual([
        'InputReceived',
        'CommandScheduled',
        'TimerSet',
        'TimerFired',
        'CommandScheduled',
        'InputReceived',
        'ProcessDone',
      ]),
    );
    expect(t.typesOf(CART_AGGREGATE_TYPE, cartId)).toEqual([
      'CartOpened',
      'ItemAdded',
      'CartCheckedOut',
    ]);
    const overview = (await t.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap();
    expect(overview.timers).toEqual([]);
    expect(overview.instances[0]).toMatchObject({
      instanceId: cartId,
      done: true,
      state: { status: 'done', outcome: 'checked out' },
    });
  });

  it('never fires a cancelled timer', async () => {
    const t = track(setup({ checkoutAfterMs: 300 }));
    await t.runner().start();
    const cartId = await t.open();
    await vi.waitFor(() => expect(t.typesOf(CART_AGGREGATE_TYPE, cartId)).toContain('ItemAdded'));
    const checkedOut = await t.carts.send({
      aggregateId: cartId,
      command: ({ now }) => ({ type: 'CheckOut', data: { id: cartId, now } }),
    });
    expect(checkedOut.isOk()).toBe(true);
    await vi.waitFor(() => expect(t.typesOf(stream, cartId)).toContain('ProcessDone'));
    expect(t.typesOf(stream, cartId)).toContain('TimerCancelled');
    // A later cart's timer firing means the poller went past the cancelled one's due time
    // (due timers are taken earliest first).
    const later = await t.open();
    await vi.waitFor(() => expect(t.typesOf(stream, later)).toContain('TimerFired'), 2000);
    expect(t.typesOf(stream, cartId)).not.toContain('TimerFired');
    expect(t.reports.filter((r) => r.type === 'timerFired')).toHaveLength(1);
  });

  it('hands a refusal back to the manager as CommandFailed, which compensates', async () => {
    const t = track(setup());
    await t.runner().start();
    const cartId = await t.open('ghost');
    await vi.waitFor(() => expect(t.typesOf(stream, cartId)).toContain('ProcessDone'));
    const failed = t.eventsOf(stream, cartId).find((e) => e.eventType === 'CommandFailed');
    expect(failed?.payload).toMatchObject({
      key: 'gift',
      aggregateId: giftCartOf(cartId, 'ghost'),
      error: 'NotFound',
    });
    expect(failed?.metadata?.correlationId).toBe('corr-ghost');
    expect(t.typesOf(stream, cartId)).toEqual([
      'InputReceived',
      'CommandScheduled',
      'TimerSet',
      'CommandFailed',
      'TimerCancelled',
      'ProcessDone',
    ]);
    const overview = (await t.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap();
    expect(overview.timers).toEqual([]);
    expect(overview.outbox).toEqual([]);
    expect(t.reports).toContainEqual(
      expect.objectContaining({ type: 'refused', error: 'NotFound' }),
    );
  });

  it('retries a transient failure with backoff, parks it after the last try, and sends it on retry', async () => {
    const t = track(setup());
    let down = true;
    const real = processTargetOf(t.carts);
    const flaky: ProcessTarget = {
      send: (...args) =>
        down ? errAsync({ type: 'StoreUnavailable', message: 'disk on fire' }) : real.send(...args),
      exists: real.exists,
    };
    const runner = t.runner({ target: flaky });
    await runner.start();
    const cartId = await t.open();
    const parked = async () =>
      (await t.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap().outbox;
    await vi.waitFor(async () => expect((await parked())[0]?.status).toBe('parked'));
    const [row] = await parked();
    expect(row).toMatchObject({ attempts: 3, lastError: 'disk on fire', key: 'gift' });
    expect(t.reports.filter((r) => r.type === 'retried')).toHaveLength(2);
    expect(t.typesOf(CART_AGGREGATE_TYPE, cartId)).toEqual(['CartOpened']);
    down = false;
    expect((await runner.retry(row?.id ?? ''))._unsafeUnwrap()).toBe(true);
    expect((await runner.retry('no-such-id'))._unsafeUnwrap()).toBe(false);
    await vi.waitFor(() =>
      expect(t.typesOf(CART_AGGREGATE_TYPE, cartId)).toEqual(['CartOpened', 'ItemAdded']),
    );
    await vi.waitFor(async () => expect(await parked()).toEqual([]));
  });

  it('resumes after a stop from its checkpoint, sending nothing twice', async () => {
    const t = track(setup());
    const first = t.runner();
    await first.start();
    const a = await t.open();
    await vi.waitFor(() =>
      expect(t.typesOf(CART_AGGREGATE_TYPE, a)).toEqual(['CartOpened', 'ItemAdded']),
    );
    await first.stop();
    const b = await t.open(); // while no runner runs
    await t.runner({ owner: 'two' }).start();
    await vi.waitFor(() =>
      expect(t.typesOf(CART_AGGREGATE_TYPE, b)).toEqual(['CartOpened', 'ItemAdded']),
    );
    expect(t.typesOf(CART_AGGREGATE_TYPE, a)).toEqual(['CartOpened', 'ItemAdded']);
    expect(t.typesOf(stream, a)).toEqual(['InputReceived', 'CommandScheduled', 'TimerSet']);
  });

  it('lets only the lease holder consume; the other takes over when it stops', async () => {
    const t = track(setup());
    const one = t.runner({ owner: 'one' });
    const two = t.runner({ owner: 'two' });
    await one.start();
    await two.start();
    expect([one.isActive(), two.isActive()]).toEqual([true, false]);
    const a = await t.open();
    await vi.waitFor(() =>
      expect(t.typesOf(CART_AGGREGATE_TYPE, a)).toEqual(['CartOpened', 'ItemAdded']),
    );
    expect(t.reports.filter((r) => r.type === 'leaseAcquired')).toHaveLength(1);
    await one.stop();
    await vi.waitFor(() => expect(two.isActive()).toBe(true));
    const b = await t.open();
    await vi.waitFor(() =>
      expect(t.typesOf(CART_AGGREGATE_TYPE, b)).toEqual(['CartOpened', 'ItemAdded']),
    );
    expect(t.typesOf(stream, a)).toEqual(['InputReceived', 'CommandScheduled', 'TimerSet']);
  });

  it('stops at a bug in the manager (decide threw on a timer), says so, and lets the lease go', async () => {
    const t = track(setup());
    const base = cartCheckoutProcess({ checkoutAfterMs: 5 });
    const buggy: AnyProcessManager = {
      ...base,
      decide: (input, state) => {
        if (input.type === 'TimerFired') throw new Error('bug in decide');
        return base.decide(input, state);
      },
    };
    const runner = t.runner({ manager: buggy });
    await runner.start();
    const cartId = await t.open();
    await vi.waitFor(() => expect(runner.failure()).toBeInstanceOf(Error));
    expect(runner.isActive()).toBe(false);
    expect(t.reports).toContainEqual(expect.objectContaining({ type: 'failed' }));
    // The timer is still pending (nothing half-recorded), for a fixed manager to fire.
    const overview = (await t.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap();
    expect(overview.timers.map((timer) => timer.instanceId)).toEqual([cartId]);
    await vi.waitFor(async () =>
      expect(
        (await t.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap().lease,
      ).toBeNull(),
    );
  });

  it('cancels what is pending when an instance is done, and routes nothing more to it', async () => {
    const t = track(setup());
    // Gifts once, then is done at the first item added (without cancelling its timer itself).
    const once = defineProcessManager<
      { items: number },
      Message<'Added' | 'Opened', { cart: string }>
    >({
      name: 'gift-once',
      select: (event) =>
        event.eventType === 'CartOpened' || event.eventType === 'ItemAdded'
          ? {
              instanceId: event.aggregateId,
              input: {
                type: event.eventType === 'CartOpened' ? 'Opened' : 'Added',
                data: { cart: event.aggregateId },
              },
            }
          : undefined,
      initialState: () => ({ items: 0 }),
      evolve: (state, input) => (input.type === 'Added' ? { items: state.items + 1 } : state),
      decide: (input) =>
        input.type === 'Opened'
          ? {
              commands: [
                {
                  key: 'gift',
                  aggregateType: CART_AGGREGATE_TYPE,
                  aggregateId: input.data.cart,
                  command: {
                    type: 'AddItem',
                    data: { id: input.data.cart, item: 'gift', quantity: 1 },
                  },
                },
              ],
              setTimers: [{ name: 'reminder', afterMs: 60_000 }],
            }
          : input.type === 'Added'
            ? { done: true, commands: [] }
            : {},
    });
    await t.runner({ manager: once }).start();
    const cartId = await t.open();
    const onceStream = processStreamType('gift-once');
    await vi.waitFor(() =>
      expect(t.typesOf(onceStream, cartId)).toEqual([
        'InputReceived',
        'CommandScheduled',
        'TimerSet',
        'InputReceived',
        'TimerCancelled',
        'ProcessDone',
      ]),
    );
    expect((await t.processes.overview('gift-once', 10))._unsafeUnwrap().timers).toEqual([]);
    // Another item: selected, but the instance is finished, so nothing is recorded or sent.
    await t.carts.send({
      aggregateId: cartId,
      command: () => ({ type: 'AddItem', data: { id: cartId, item: 'tea', quantity: 1 } }),
    });
    const later = await t.open('bob'); // handled after the item: a signal the item was passed
    await vi.waitFor(() => expect(t.typesOf(onceStream, later)).toContain('ProcessDone'));
    expect(t.typesOf(onceStream, cartId)).toHaveLength(6);
    const [instance] = (await t.processes.overview('gift-once', 10))
      ._unsafeUnwrap()
      .instances.filter((row) => row.instanceId === cartId);
    expect(instance).toMatchObject({ done: true, state: { items: 1 } });
  });

  it('records a burst of inputs in few transactions, each exactly once; a refused batch falls back to one by one', async () => {
    const t = track(setup());
    const carts = await Promise.all(Array.from({ length: 20 }, (_, i) => t.open(`owner-${i}`)));
    const sizes: number[] = [];
    let refuseNextBatch = true;
    const counting: ProcessStore = {
      ...t.processes,
      record: (steps) => {
        sizes.push(steps.length);
        if (steps.length > 1 && refuseNextBatch) {
          refuseNextBatch = false;
          return errAsync(storeUnavailable('refused once'));
        }
        return t.processes.record(steps);
      },
    };
    await t.runner({ processes: counting }).start(); // catches up on the 20 opened carts
    for (const cart of carts) {
      await vi.waitFor(() =>
        expect(t.typesOf(CART_AGGREGATE_TYPE, cart)).toEqual(['CartOpened', 'ItemAdded']),
      );
      expect(t.typesOf(stream, cart)).toEqual(['InputReceived', 'CommandScheduled', 'TimerSet']);
    }
    expect(refuseNextBatch).toBe(false); // a batch was refused, and its inputs still went in
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(sizes.filter((size) => size > 1).length).toBeGreaterThan(1);
    const seen = (await t.processes.overview(CART_CHECKOUT_PROCESS, 50))._unsafeUnwrap();
    expect(seen.instances).toHaveLength(20);
    expect(seen.timers).toHaveLength(20);
  });
});
