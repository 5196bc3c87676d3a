import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAggregateService,
  createProcessRunner,
  type ProcessRunner,
  type ProcessRunnerEvent,
  type ProcessStore,
  type ProcessTarget,
  processStreamType,
  processTargetOf,
  type StoredEvent,
  storeUnavailable,
} from '@ironstar/application';
import {
  CART_AGGREGATE_TYPE,
  CART_CHECKOUT_PROCESS,
  cartAggregate,
  cartCheckoutProcess,
  createInMemoryEventBus,
} from '@ironstar/application/testing';
import { errAsync, ResultAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getLibsqlEventStore } from './libsql-event-store';

// The process runner on real libSQL files: what survives a stop or a reopen, and what two
// runners on one file do. The bus is in memory: the store is what is being proven here.

const stream = processStreamType(CART_CHECKOUT_PROCESS);
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

const newFile = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-pm-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return `file:${join(dir, 'events.db')}`;
};

type Options = {
  checkoutAfterMs?: number;
  owner?: string;
  wrapTarget?: (target: ProcessTarget) => ProcessTarget;
  leaseMs?: number;
  /** Shared by "processes" on one file, as the bus proxy would be. */
  bus?: ReturnType<typeof createInMemoryEventBus>;
  /**
   * Two stores on one file in ONE process: a long busy wait would block the event loop the
   * other store needs to finish its transaction (NOTES-libsql), so they wait briefly and retry.
   */
  busyTimeoutMs?: number;
  /** Stands between the runner and its process store (a test may cut it off). */
  wrapProcesses?: (processes: ProcessStore) => ProcessStore;
};

/** One "process": a store on the file, a cart service, and a runner of the fixture manager. */
const open = async (url: string, options: Options = {}) => {
  const store = await getLibsqlEventStore({
    url,
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
  });
  const bus = options.bus ?? createInMemoryEventBus();
  const carts = createAggregateService(cartAggregate, {
    store,
    bus,
    clock: () => new Date().toISOString(),
    newId: () => crypto.randomUUID(),
  });
  const target = processTargetOf(carts);
  const reports: ProcessRunnerEvent[] = [];
  const runner: ProcessRunner = createProcessRunner({
    manager: cartCheckoutProcess({ checkoutAfterMs: options.checkoutAfterMs ?? 60_000 }),
    store,
    bus,
    processes: options.wrapProcesses?.(store.processes) ?? store.processes,
    targets: (type) =>
      type === CART_AGGREGATE_TYPE ? (options.wrapTarget?.(target) ?? target) : undefined,
    clock: () => new Date().toISOString(),
    owner: options.owner ?? 'one',
    leaseMs: options.leaseMs ?? 600,
    pollMs: 10,
    retryMax: 3,
    retryBaseMs: 1,
    onEvent: (event) => reports.push(event),
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await runner.stop();
    await store.close();
  };
  cleanups.push(close);
  const openCart = async (owner = 'ada') =>
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
  const all = async (): Promise<StoredEvent[]> => [
    ...(await store.readAll({ after: 0, limit: 10_000 }))._unsafeUnwrap(),
  ];
  const typesOf = async (type: string, id: string) =>
    (await store.readStream(type, id))._unsafeUnwrap().map((e) => e.eventType);
  return { store, carts, runner, reports, close, openCart, all, typesOf };
};

describe('a process runner on a libSQL file', () => {
  it('resumes after a crash between steps without sending any command twice', async () => {
    const url = await newFile();
    // The process dies right after its send was applied: the command is appended, but the
    // answer never comes back, the outbox row is never cleared, and it writes nothing more.
    let applied = 0;
    let dead = false;
    let release: () => void = () => {};
    const never = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = await open(url, {
      wrapTarget: (target) => ({
        ...target,
        send: (...args) =>
          target.send(...args).andThen(() => {
            applied++;
            return ResultAsync.fromSafePromise(never).andThen(() =>
              errAsync({ type: 'StoreUnavailable' as const, message: 'gone' }),
            );
          }),
      }),
      // Once dead, the process writes nothing more: not even its lease renewal.
      wrapProcesses: (processes) =>
        new Proxy(processes, {
          get: (target, key) =>
            dead ? () => errAsync(storeUnavailable('dead')) : target[key as keyof ProcessStore],
        }),
    });
    cleanups.push(async () => release()); // runs before `first` is closed
    await first.runner.start();
    const cart = await first.openCart();
    await vi.waitFor(() => expect(applied).toBe(1));
    dead = true; // the crash: its lease is left to expire

    // Meanwhile (no runner alive) another cart opens.
    const between = await open(url);
    const later = await between.openCart('bob');
    await between.close();

    const second = await open(url, { owner: 'two' });
    await second.runner.start();
    // Once the dead holder's lease (600 ms) has expired.
    await vi.waitFor(
      async () =>
        expect(await second.typesOf(CART_AGGREGATE_TYPE, later)).toEqual([
          'CartOpened',
          'ItemAdded',
        ]),
      3000,
    );
    await vi.waitFor(async () =>
      expect(
        (await second.store.processes.overview(CART_CHECKOUT_PROCESS, 10))._unsafeUnwrap().outbox,
      ).toEqual([]),
    );
    // The resend of the first cart's gift was answered from the recorded command: one ItemAdded.
    expect(await second.typesOf(CART_AGGREGATE_TYPE, cart)).toEqual(['CartOpened', 'ItemAdded']);
    expect(await second.typesOf(stream, cart)).toEqual([
      'InputReceived',
      'CommandScheduled',
      'TimerSet',
    ]);
    const sequences = (await second.all()).map((e) => e.globalSequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
  });

  it('fires a timer set before a reopen, after it', async () => {
    const url = await newFile();
    const first = await open(url, { checkoutAfterMs: 300 });
    await first.runner.start();
    const cart = await first.openCart();
    await vi.waitFor(async () => expect(await first.typesOf(stream, cart)).toContain('TimerSet'));
    await first.close(); // before the timer is due

    const second = await open(url, { checkoutAfterMs: 300, owner: 'two' });
    expect(await second.typesOf(stream, cart)).not.toContain('TimerFired');
    await second.runner.start();
    await vi.waitFor(
      async () => expect(await second.typesOf(stream, cart)).toContain('ProcessDone'),
      5000,
    );
    expect(await second.typesOf(CART_AGGREGATE_TYPE, cart)).toEqual([
      'CartOpened',
      'ItemAdded',
      'CartCheckedOut',
    ]);
    expect(second.reports.filter((r) => r.type === 'timerFired')).toHaveLength(1);
  });

  it('lets only one of two runners on one file consume and send; the other takes over when it stops', async () => {
    const url = await newFile();
    const bus = createInMemoryEventBus();
    const one = await open(url, { owner: 'one', leaseMs: 600, bus, busyTimeoutMs: 20 });
    const two = await open(url, { owner: 'two', leaseMs: 600, bus, busyTimeoutMs: 20 });
    await one.runner.start();
    await two.runner.start(); // one holds the lease by now: two must stand by
    expect([one.runner.isActive(), two.runner.isActive()]).toEqual([true, false]);
    const [active, idle] = [one, two];
    const carts = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((owner) => idle.openCart(owner)));
    for (const cart of carts) {
      await vi.waitFor(async () =>
        expect(await active.typesOf(CART_AGGREGATE_TYPE, cart)).toEqual([
          'CartOpened',
          'ItemAdded',
        ]),
      );
    }
    // Several lease renewals later, the idle one still never consumed or sent anything.
    await vi.waitFor(() => expect(active.reports.filter((r) => r.type === 'sent').length).toBe(5));
    expect(idle.reports.filter((r) => ['input', 'sent', 'leaseAcquired'].includes(r.type))).toEqual(
      [],
    );

    await active.close();
    await vi.waitFor(() => expect(idle.runner.isActive()).toBe(true), 3000);
    const f = await idle.openCart('f');
    await vi.waitFor(async () =>
      expect(await idle.typesOf(CART_AGGREGATE_TYPE, f)).toEqual(['CartOpened', 'ItemAdded']),
    );
    for (const cart of carts) {
      expect(await idle.typesOf(CART_AGGREGATE_TYPE, cart)).toEqual(['CartOpened', 'ItemAdded']);
      expect(await idle.typesOf(stream, cart)).toEqual([
        'InputReceived',
        'CommandScheduled',
        'TimerSet',
      ]);
    }
  });

  it('parks a command after its last try, keeps it across a reopen, and sends it on retry', async () => {
    const url = await newFile();
    const first = await open(url, {
      wrapTarget: (target) => ({
        ...target,
        send: () => errAsync({ type: 'StoreUnavailable' as const, message: 'disk full' }),
      }),
    });
    await first.runner.start();
    const cart = await first.openCart();
    const outbox = async (runner: ProcessRunner) =>
      (await runner.overview(10))._unsafeUnwrap().outbox;
    await vi.waitFor(async () => expect((await outbox(first.runner))[0]?.status).toBe('parked'));
    expect(first.reports.filter((r) => r.type === 'retried')).toHaveLength(2);
    expect(first.reports.filter((r) => r.type === 'parked')).toEqual([
      expect.objectContaining({ error: 'disk full' }),
    ]);
    await first.close();

    const second = await open(url, { owner: 'two' });
    await second.runner.start();
    const [parked] = await outbox(second.runner);
    expect(parked).toMatchObject({ status: 'parked', attempts: 3, lastError: 'disk full' });
    expect(await second.typesOf(CART_AGGREGATE_TYPE, cart)).toEqual(['CartOpened']);
    expect((await second.runner.retry(parked?.id ?? ''))._unsafeUnwrap()).toBe(true);
    await vi.waitFor(async () =>
      expect(await second.typesOf(CART_AGGREGATE_TYPE, cart)).toEqual(['CartOpened', 'ItemAdded']),
    );
    await vi.waitFor(async () => expect(await outbox(second.runner)).toEqual([]));
  });
});
