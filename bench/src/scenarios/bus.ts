import type { EventBus, StoredEvent } from '@ironstar/application';
import { getZeroMqEventBus, startZeroMqBusProxy } from '@ironstar/infrastructure';
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

/** An XSUB/XPUB proxy on 127.0.0.1, as several processes share one. */
const proxy = () =>
  startZeroMqBusProxy({
    publishEndpoint: 'tcp://127.0.0.1:*',
    subscribeEndpoint: 'tcp://127.0.0.1:*',
  });

/** Events/s from `from`'s publish (batches of 100) to `to`'s listener having them all. */
const rateBetween = async (from: EventBus, to: EventBus, events: readonly StoredEvent[]) => {
  let received = 0;
  to.subscribe('events/', () => {
    received++;
  });
  const start = now();
  for (let i = 0; i < events.length; i += 100) await from.publish(events.slice(i, i + 100));
  await until(() => received >= events.length);
  return received / ((now() - start) / 1000);
};

/**
 * Events/s from one bus to another through a proxy (what travels between processes; a bus's
 * own events reach its own listeners without the socket).
 */
const throughBus = async (events: readonly StoredEvent[]) => {
  const relay = await proxy();
  const endpoints = { publishTo: relay.publishEndpoint, subscribeTo: relay.subscribeEndpoint };
  const from = await getZeroMqEventBus({ proxy: endpoints, requireReady: true });
  const to = await getZeroMqEventBus({ proxy: endpoints, requireReady: true });
  const rate = await rateBetween(from, to, events);
  await from.close();
  await to.close();
  await relay.close();
  return rate;
};

/** Events/s to the publishing process's own listeners (embedded bus). */
const toOwnListeners = async (events: readonly StoredEvent[], round: number) => {
  const bus = await getZeroMqEventBus({ endpoint: `inproc://bench-bus-${round}` });
  const rate = await rateBetween(bus, bus, events);
  await bus.close();
  return rate;
};

/**
 * Events/s from a raw zeromq PUB to a SUB already connected to where it publishes: the same
 * frames, encoded beforehand, each parsed on receipt. Probes first, until the subscription has
 * arrived (PUB/SUB joins are asynchronous, through a proxy too).
 */
const rawRate = async (pub: Publisher, sub: Subscriber, events: readonly StoredEvent[]) => {
  sub.subscribe('events/', 'probe');
  const frames = events.map((e) => [`events/Todo/${e.aggregateId}`, JSON.stringify(e)] as const);
  let received = 0;
  let joined = false;
  const receiving = (async () => {
    for await (const [topic, body] of sub) {
      if (String(topic) === 'probe') {
        joined = true;
        continue;
      }
      JSON.parse(String(body));
      if (++received >= events.length) return;
    }
  })();
  while (!joined) {
    await pub.send(['probe', '']);
    await sleep(10);
  }
  const start = now();
  for (const frame of frames) await pub.send([...frame]);
  await Promise.race([receiving, until(() => received >= events.length)]);
  return received / ((now() - start) / 1000);
};

/** Raw zeromq pub/sub in one process over inproc. */
const rawInproc = async (events: readonly StoredEvent[], round: number) => {
  const pub = new Publisher({ sendHighWaterMark: 100_000 });
  const sub = new Subscriber({ receiveHighWaterMark: 100_000 });
  await pub.bind(`inproc://bench-raw-${round}`);
  sub.connect(`inproc://bench-raw-${round}`);
  const rate = await rawRate(pub, sub, events);
  pub.close();
  sub.close();
  return rate;
};

/** Raw zeromq pub → the same kind of proxy → sub. */
const rawPubSub = async (events: readonly StoredEvent[]) => {
  const relay = await proxy();
  const pub = new Publisher({ sendHighWaterMark: 100_000 });
  const sub = new Subscriber({ receiveHighWaterMark: 100_000 });
  pub.connect(relay.publishEndpoint);
  sub.connect(relay.subscribeEndpoint);
  const rate = await rawRate(pub, sub, events);
  pub.close();
  sub.close();
  await relay.close();
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
  const own: number[] = [];
  const rawLocal: number[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(await throughBus(events));
    raw.push(await rawPubSub(events));
    own.push(await toOwnListeners(events, round));
    rawLocal.push(await rawInproc(events, round));
  }
  return [
    figure({
      scenario: 'bus',
      name: `events/s bus to bus through a proxy (median of ${rounds})`,
      unit: '/s',
      ironstar: median(ours),
      baseline: median(raw),
      baselineName: 'raw zeromq pub → proxy → sub (send + JSON.parse)',
    }),
    figure({
      scenario: 'bus',
      name: `events/s to the publisher's own listeners (median of ${rounds})`,
      unit: '/s',
      ironstar: median(own),
      baseline: median(rawLocal),
      baselineName: 'raw zeromq pub/sub over inproc (send + JSON.parse)',
    }),
  ];
};
