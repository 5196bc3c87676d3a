import { join } from 'node:path';
import { allEvents, buildCompiled, NO_USER_LIMITS, spawnServer } from '@ironstar/server/testing';
import { serverRun } from '../profile';
import { type Figure, figure } from '../results';
import { now, percentile, removeDb, sleep } from '../support';

const PAYMENT_LATENCY_MS = 300;
const SHIPPING_LATENCY_MS = 50;
/** Commands one fulfilment runs one after the other: request payment, authorize, validate
 * (with the shipment request beside it), dispatch, fulfil. */
const SEQUENTIAL_COMMANDS = 5;

const post = async (url: string, body: unknown) => {
  const res = await fetch(`${url}/api/commands/order`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
};

/**
 * Time from OrderSubmitted to OrderFulfilled (both stored times) of `count` orders submitted at
 * once, next to the sum of the steps' own latencies: the gateway's and the carrier's, plus the
 * sequential commands at the latency one command takes alone.
 */
export const fulfilmentScenario = async (
  dir: string,
  quick: boolean,
  nodeArgs: readonly string[],
): Promise<Figure[]> => {
  buildCompiled();
  const count = quick ? 20 : 100;
  const path = join(dir, 'fulfilment.db');
  removeDb(path);
  const server = await spawnServer(
    {
      DATABASE_URL: `file:${path}`,
      PORT: '0',
      LOG_LEVEL: 'info',
      // The bench's clients are all the local user: no per-user limits.
      ...NO_USER_LIMITS,
      PAYMENT_LATENCY_MS: String(PAYMENT_LATENCY_MS),
      SHIPPING_LATENCY_MS: String(SHIPPING_LATENCY_MS),
    },
    serverRun(nodeArgs),
  );
  try {
    const item = { sku: 'tea', quantity: 1, priceCents: 1250 };
    // One command alone: the median of sequential add-items to one draft.
    const probe = await post(server.url, { type: 'create', items: [] });
    const single: number[] = [];
    for (let i = 0; i < 50; i++) {
      const start = now();
      await post(server.url, { type: 'add-item', id: probe.id, ...item });
      single.push(now() - start);
    }
    const drafts = await Promise.all(
      Array.from({ length: count }, () => post(server.url, { type: 'create', items: [item] })),
    );
    await Promise.all(drafts.map(({ id }) => post(server.url, { type: 'submit', id })));
    const ids = new Set(drafts.map((d) => d.id));
    const deadline = now() + 120_000;
    let events = await allEvents(server.url);
    const fulfilled = () => events.filter((e) => e.eventType === 'OrderFulfilled').length;
    while (fulfilled() < count) {
      if (now() > deadline) throw new Error(`only ${fulfilled()} of ${count} orders fulfilled`);
      await sleep(200);
      events = await allEvents(server.url);
    }
    const at = (type: string) =>
      new Map(
        events
          .filter((e) => e.eventType === type && ids.has(e.aggregateId))
          .map((e) => [e.aggregateId, Date.parse(e.createdAt)]),
      );
    const submittedAt = at('OrderSubmitted');
    const fulfilledAt = at('OrderFulfilled');
    const times = [...ids].map((id) => (fulfilledAt.get(id) ?? NaN) - (submittedAt.get(id) ?? NaN));
    const steps =
      PAYMENT_LATENCY_MS + SHIPPING_LATENCY_MS + SEQUENTIAL_COMMANDS * percentile(single, 50);
    const base = {
      scenario: 'fulfilment',
      unit: 'ms',
      baseline: steps,
      baselineName: `gateway ${PAYMENT_LATENCY_MS} + carrier ${SHIPPING_LATENCY_MS} + ${SEQUENTIAL_COMMANDS} commands alone`,
    };
    return [
      figure({
        ...base,
        name: `OrderSubmitted → OrderFulfilled p50, ${count} at once`,
        ironstar: percentile(times, 50),
      }),
      figure({
        ...base,
        name: `OrderSubmitted → OrderFulfilled p99, ${count} at once`,
        ironstar: percentile(times, 99),
      }),
    ];
  } finally {
    await server.kill('SIGTERM');
    removeDb(path);
  }
};
