import { describe, expect, it, vi } from 'vitest';
import {
  type ApiOrder,
  countByOrder,
  orderIdOf,
  placeOrder,
  readOrder,
  TERMINAL,
} from './testing/orders-client';
import {
  type ApiEvent,
  allEvents,
  freePort,
  freeStablePort,
  type ServerProcess,
  STORES,
  spawnBusProxy,
  usePostgresCluster,
  useServers,
} from './testing/spawn-server';

const servers = useServers({ postgres: usePostgresCluster() });

const LIMIT = 100_000;
/** Order n: every fifth one over the payment limit. */
const itemOf = (n: number) =>
  n % 5 === 0
    ? { sku: `big-${n}`, quantity: 10, priceCents: 12_000 } // 120_000 > LIMIT
    : { sku: `tea-${n}`, quantity: 2, priceCents: 1250 + n };

const waitTerminal = async (url: string, ids: readonly string[], timeout = 60_000) => {
  const orders = new Map<string, ApiOrder>();
  await vi.waitFor(
    async () => {
      for (const id of ids) {
        if (orders.has(id)) continue;
        const order = await readOrder(url, id);
        if (order && TERMINAL.has(order.status)) orders.set(id, order);
      }
      expect(orders.size).toBe(ids.length);
    },
    { timeout, interval: 200 },
  );
  return orders;
};

const expectGapFree = (events: readonly ApiEvent[]) =>
  expect(events.map((e) => e.globalSequence)).toEqual(events.map((_, i) => i + 1));

/** Per order: how many events of each of its types, over every aggregate of the workflow. */
const expectOncePerOrder = (events: readonly ApiEvent[], ids: readonly string[]) => {
  const requested = countByOrder(events, 'PaymentRequested');
  const terminal = new Map<string, number>();
  for (const type of ['OrderFulfilled', 'OrderCancelled']) {
    for (const [id, n] of countByOrder(events, type)) terminal.set(id, (terminal.get(id) ?? 0) + n);
  }
  for (const id of ids) {
    expect(requested.get(id), `PaymentRequested of ${id}`).toBe(1);
    expect(terminal.get(id), `terminal events of ${id}`).toBe(1);
  }
  // No command applied twice: at most one of each step per order.
  for (const type of [
    'OrderSubmitted',
    'OrderValidated',
    'PaymentAuthorized',
    'PaymentDeclined',
    'PaymentVoided',
    'ShipmentRequested',
    'ShipmentDispatched',
  ]) {
    for (const [id, n] of countByOrder(events, type)) expect(n, `${type} of ${id}`).toBe(1);
  }
};

// The process managers' store (leases, outbox, timers) on each store.
describe.each(STORES)('order fulfilment in a real server process, on %s', (store) => {
  it('takes 50 concurrent orders to a terminal state, declining those over the limit', async () => {
    const { env } = await servers.database('orders.db', store);
    const server = await servers.start({
      ...env,
      PAYMENT_LATENCY_MS: '150',
      PAYMENT_LIMIT_CENTS: String(LIMIT),
      SHIPPING_LATENCY_MS: '20',
    });
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, n) => placeOrder(server.url, itemOf(n), `submit-${n}`)),
    );
    const orders = await waitTerminal(server.url, ids);
    ids.forEach((id, n) => {
      const order = orders.get(id);
      if (n % 5 === 0) {
        expect(order, `order ${n}`).toMatchObject({
          status: 'cancelled',
          reason: 'payment declined',
        });
      } else {
        expect(order?.status, `order ${n}`).toBe('fulfilled');
        expect(order?.paymentId).toMatch(/^[0-9a-f-]{36}$/);
        expect(order?.tracking).toMatch(/^TRK-[0-9A-F]{12}$/);
      }
    });
    const events = await allEvents(server.url);
    expectGapFree(events);
    expectOncePerOrder(events, ids);
    // Every event caused by a submission carries that submission's correlation id.
    ids.forEach((id, n) => {
      const caused = events.filter(
        (e) =>
          orderIdOf(e) === id &&
          e.eventType !== 'OrderCreated' &&
          (e.aggregateType !== 'Order' || e.eventType !== 'OrderItemAdded'),
      );
      expect(caused.length).toBeGreaterThanOrEqual(n % 5 === 0 ? 4 : 7);
      for (const event of caused) {
        expect(event.metadata?.correlationId, `${event.eventType} of order ${n}`).toBe(
          `submit-${n}`,
        );
      }
    });
    const processEvents = events.filter((e) => e.aggregateType.startsWith('Process:'));
    expect(processEvents.length).toBeGreaterThan(0);
    for (const event of processEvents)
      expect(event.metadata?.correlationId).toMatch(/^submit-\d+$/);
  });

  it('survives three SIGKILLs with orders in flight: one terminal state each, timers fire after', async () => {
    const { env } = await servers.database('crash.db', store);
    // Round 1 and 2: the gateway answers after the payment timeout, so timers set before a
    // kill fire after it (and the late authorizations are voided); round 3 answers in time.
    const rounds = [
      { PAYMENT_LATENCY_MS: '6000', PAYMENT_TIMEOUT_MS: '3000' },
      { PAYMENT_LATENCY_MS: '6000', PAYMENT_TIMEOUT_MS: '3000' },
      { PAYMENT_LATENCY_MS: '100', PAYMENT_TIMEOUT_MS: '20000' },
    ];
    const ids: string[] = [];
    const killedAt: string[] = [];
    let server: ServerProcess | undefined;
    for (const [round, settings] of rounds.entries()) {
      server = await servers.start({ ...env, ...settings, SHIPPING_LATENCY_MS: '20' });
      const url = server.url;
      const batch = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          placeOrder(url, itemOf(round * 12 + n), `crash-${round}-${n}`),
        ),
      );
      ids.push(...batch);
      // In flight: every payment of this batch requested (its timer set), none answered yet
      // in the slow rounds.
      await vi.waitFor(
        async () => {
          const requested = countByOrder(await allEvents(url), 'PaymentRequested');
          expect(batch.every((id) => requested.get(id) === 1)).toBe(true);
        },
        { timeout: 20_000, interval: 100 },
      );
      killedAt.push(new Date().toISOString());
      await server.kill('SIGKILL');
    }
    // The last restart, on the slow settings: every timer left fires now.
    server = await servers.start({ ...env, ...rounds[0], SHIPPING_LATENCY_MS: '20' });
    const orders = await waitTerminal(server.url, ids, 90_000);
    const events = await allEvents(server.url);
    expectGapFree(events);
    expectOncePerOrder(events, ids);
    // Slow rounds: their orders timed out after a kill; a late authorization was voided.
    const slow = ids.slice(0, 24);
    // The gateway (6 s, asked again after each restart) never answers within the timeout (3 s).
    for (const id of slow) {
      expect(orders.get(id)).toMatchObject({ status: 'cancelled', reason: 'payment timed out' });
    }
    const timedOut = slow;
    const cancelledAt = new Map(
      events
        .filter((e) => e.eventType === 'OrderCancelled')
        .map((e) => [String(e.payload.id), e.createdAt]),
    );
    // Their timers were set before the kill that followed their round, and fired after it.
    for (const [n, id] of slow.entries()) {
      const kill = killedAt[Math.floor(n / 12)] ?? '';
      expect(String(cancelledAt.get(id)) > kill, `order ${n} timed out after its kill`).toBe(true);
    }
    await vi.waitFor(
      async () => {
        const voided = countByOrder(await allEvents(server.url), 'PaymentVoided');
        const authorized = countByOrder(await allEvents(server.url), 'PaymentAuthorized');
        for (const id of timedOut) {
          if (authorized.get(id) === 1) expect(voided.get(id)).toBe(1);
        }
        expect([...authorized.keys()].filter((id) => timedOut.includes(id)).length).toBe(
          timedOut.filter((id) => itemOf(ids.indexOf(id)).priceCents !== 12_000).length,
        );
      },
      { timeout: 20_000, interval: 200 },
    );
    // The fast round: fulfilled (or declined over the limit).
    for (const [n, id] of ids.slice(24).entries()) {
      expect(orders.get(id)?.status).toBe((24 + n) % 5 === 0 ? 'cancelled' : 'fulfilled');
    }
  });

  it('two processes on one store and the bus proxy request each payment once', async () => {
    const proxyEnv = {
      BUS_PROXY_PUBLISH: `tcp://127.0.0.1:${await freeStablePort()}`,
      BUS_PROXY_SUBSCRIBE: `tcp://127.0.0.1:${await freeStablePort()}`,
    };
    const proxy = await spawnBusProxy(proxyEnv);
    servers.defer(() => proxy.kill('SIGKILL'));
    const { env } = await servers.database('shared.db', store);
    const settings = { ...env, ...proxyEnv, PAYMENT_LATENCY_MS: '100', STORE_POLL_MS: '250' };
    const a = await servers.start({ ...settings, PORT: String(await freePort()) });
    const b = await servers.start({ ...settings, PORT: String(await freePort()) });
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        placeOrder(n % 2 === 0 ? a.url : b.url, itemOf(n), `two-${n}`),
      ),
    );
    await waitTerminal(a.url, ids);
    await waitTerminal(b.url, ids);
    const events = await allEvents(a.url);
    expectGapFree(events);
    expectOncePerOrder(events, ids);
  });
});
