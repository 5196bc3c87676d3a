import type { StoredEvent } from '@ironstar/application';
import { getZeroMqEventBus } from '@ironstar/infrastructure';
import { Publisher, Subscriber } from 'zeromq';
import { type Figure, figure } from '../results';
import { now, percentile, sleep } from '../support';

const event = (n: number): StoredEvent => ({
  globalSequence: n,
  id: `e${n}`,
  aggregateType: 'Todo',
  aggregateId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  aggregateSequence: 1,
  eventType: 'TodoCreated',
  eventVersion: 2,
  payload: {
    id: 'x',
    text: 'bench text',
    priority: 'normal',
    createdAt: '2026-11-22T10:00:00.000Z',
  },
  metadata: { correlationId: 'c', requestId: 'r', commandId: 'k', causationId: 'k' },
  createdAt: '2026-11-22T10:00:00.000Z',
});

const until = async (check: () => boolean) => {
  const end = now() + 30_000;
  while (!check() && now() < end) await sleep(1);
};

/** Events/s through our bus: publish in batches of 100 → an in-process subscriber. */
const throughBus = async (events: readonly StoredEvent[], round: number) => {
  const bus = await getZeroMqEventBus({ endpoint: `inproc://bench-bus-${round}` });
  let received = 0;
  bus.subscribe('events/', () => {
    received++;
  });
  const start = now();
  for (let i = 0; i < events.length; i += 100) await bus.publish(events.slice(i, i + 100));
  await until(() => received >= events.length);
  const rate = received / ((now() - start) / 1000);
  await bus.close();
  return rate;
};

/** Raw zeromq pub/sub of the same frames (encoded beforehand), each parsed on receipt. */
const rawPubSub = async (events: readonly StoredEvent[], round: number) => {
  const pub = new Publisher({ sendHighWaterMark: 100_000 });
  const sub = new Subscriber({ receiveHighWaterMark: 100_000 });
  await pub.bind(`inproc://bench-raw-${round}`);
  sub.connect(`inproc://bench-raw-${round}`);
  sub.subscribe('events/');
  await sleep(50);
  const frames = events.map((e) => [`events/Todo/${e.aggregateId}`, JSON.stringify(e)] as const);
  let received = 0;
  const receiving = (async () => {
    for await (const [, body] of sub) {
      JSON.parse(String(body));
      if (++received >= events.length) return;
    }
  })();
  const start = now();
  for (const frame of frames) await pub.send([...frame]);
  await Promise.race([receiving, until(() => received >= events.length)]);
  const rate = received / ((now() - start) / 1000);
  pub.close();
  sub.close();
  return rate;
};

const median = (values: readonly number[]) => percentile(values, 50);

/**
 * Events/s through our bus vs raw zeromq pub/sub, alternating rounds so neither side always
 * runs first (JIT and GC state differ between the first and later runs); medians reported.
 */
export const busScenario = async (quick: boolean): Promise<Figure[]> => {
  const count = quick ? 20_000 : 200_000;
  const rounds = quick ? 1 : 3;
  const events = Array.from({ length: count }, (_, i) => event(i + 1));
  const ours: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(await throughBus(events, round));
    raw.push(await rawPubSub(events, round));
  }
  return [
    figure({
      scenario: 'bus',
      name: `events/s through the bus (median of ${rounds})`,
      unit: '/s',
      ironstar: median(ours),
      baseline: median(raw),
      baselineName: 'raw zeromq pub/sub (send + JSON.parse)',
    }),
  ];
};
