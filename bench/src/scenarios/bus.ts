import type { StoredEvent } from '@ironstar/application';
import { getZeroMqEventBus } from '@ironstar/infrastructure';
import { Publisher, Subscriber } from 'zeromq';
import { type Figure, figure } from '../results';
import { now, sleep } from '../support';

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

/** Events/s through our bus (publish → in-process subscriber) vs raw zeromq pub/sub. */
export const busScenario = async (quick: boolean): Promise<Figure[]> => {
  const count = quick ? 20_000 : 200_000;
  const events = Array.from({ length: count }, (_, i) => event(i + 1));

  const bus = await getZeroMqEventBus({ endpoint: 'inproc://bench-bus' });
  let received = 0;
  bus.subscribe('events/', () => {
    received++;
  });
  let start = now();
  for (let i = 0; i < count; i += 100) await bus.publish(events.slice(i, i + 100));
  await until(() => received >= count);
  const ours = received / ((now() - start) / 1000);
  await bus.close();

  const pub = new Publisher({ sendHighWaterMark: 100_000 });
  const sub = new Subscriber({ receiveHighWaterMark: 100_000 });
  await pub.bind('inproc://bench-raw');
  sub.connect('inproc://bench-raw');
  sub.subscribe('events/');
  await sleep(50);
  const frames = events.map((e) => [`events/Todo/${e.aggregateId}`, JSON.stringify(e)] as const);
  let raw = 0;
  const receiving = (async () => {
    for await (const [, body] of sub) {
      JSON.parse(String(body));
      if (++raw >= count) return;
    }
  })();
  start = now();
  for (const frame of frames) await pub.send([...frame]);
  await Promise.race([receiving, until(() => raw >= count)]);
  const rawRate = raw / ((now() - start) / 1000);
  pub.close();
  sub.close();
  return [
    figure({
      scenario: 'bus',
      name: 'events/s through the bus',
      unit: '/s',
      ironstar: ours,
      baseline: rawRate,
      baselineName: 'raw zeromq pub/sub (send + JSON.parse)',
    }),
  ];
};
