import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ironstar/application';
import { afterEach, describe, expect, it } from 'vitest';
import { Subscriber } from 'zeromq';
import { getZeroMqEventBus } from './zeromq-event-bus';

const event = (globalSequence: number, aggregateType = 'Todo', aggregateId = 'a'): StoredEvent => ({
  globalSequence,
  id: `e${globalSequence}`,
  aggregateType,
  aggregateId,
  aggregateSequence: globalSequence,
  eventType: 'TodoCreated',
  eventVersion: 1,
  payload: { text: `<b>${globalSequence}</b> ✓` },
  metadata: { correlationId: 'c' },
  createdAt: '2026-11-22T10:00:00.000Z',
});

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('ZeroMQ event bus', () => {
  it('delivers every event, in order, with its global sequence, over inproc', async () => {
    const bus = await getZeroMqEventBus({ endpoint: 'inproc://bus-test-order' });
    closers.push(() => bus.close());
    const seen: StoredEvent[] = [];
    bus.subscribe('events/', (e) => seen.push(e));
    const sent = Array.from({ length: 500 }, (_, i) => event(i + 1, 'Todo', `id-${i % 7}`));
    await bus.publish(sent);
    await until(() => seen.length === 500);
    expect(seen).toEqual(sent);
  });

  it('routes by topic prefix events/<AggregateType>/<aggregateId>', async () => {
    const bus = await getZeroMqEventBus({ endpoint: 'inproc://bus-test-prefix' });
    closers.push(() => bus.close());
    const todos: number[] = [];
    const one: number[] = [];
    const all: number[] = [];
    bus.subscribe('events/Todo/', (e) => todos.push(e.globalSequence));
    bus.subscribe('events/Todo/x', (e) => one.push(e.globalSequence));
    const stop = bus.subscribe('events/', (e) => all.push(e.globalSequence));
    await bus.publish([event(1, 'Todo', 'x'), event(2, 'Query', 'q'), event(3, 'Todo', 'y')]);
    await until(() => all.length === 3);
    expect(todos).toEqual([1, 3]);
    expect(one).toEqual([1]);
    stop();
    await bus.publish([event(4, 'Todo', 'x')]);
    await until(() => one.length === 2);
    expect(all).toEqual([1, 2, 3]);
  });

  it('lets another socket listen in over tcp on 127.0.0.1 and over ipc', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ironstar-bus-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    for (const endpoint of ['tcp://127.0.0.1:*', `ipc://${join(dir, 'bus.sock')}`]) {
      const bus = await getZeroMqEventBus({ endpoint });
      closers.unshift(() => bus.close());
      expect(bus.endpoint).toMatch(/^(tcp:\/\/127\.0\.0\.1:\d+|ipc:\/\/)/);
      // What another process would do: a plain SUB socket on the same endpoint.
      const outsider = new Subscriber();
      closers.unshift(async () => outsider.close());
      outsider.connect(bus.endpoint);
      outsider.subscribe('events/Todo/');
      const received = (async () => {
        const [topic, body] = await outsider.receive();
        return { topic: topic?.toString(), event: JSON.parse(String(body)) as StoredEvent };
      })();
      // PUB drops messages until the subscription has travelled: publish until one arrives.
      let arrived = false;
      void received.then(() => {
        arrived = true;
      });
      for (let i = 1; !arrived && i < 500; i++) {
        await bus.publish([event(i, 'Todo', 'far')]);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { topic, event: got } = await received;
      expect(topic).toBe('events/Todo/far');
      expect(got.aggregateId).toBe('far');
      expect(got.globalSequence).toBeGreaterThan(0);
    }
  });

  it('refuses to start when its subscription cannot be proven live', async () => {
    const started = await getZeroMqEventBus({
      proxy: { publishTo: 'inproc://nobody-forwards', subscribeTo: 'inproc://nobody-listens' },
      readyTimeoutMs: 200,
      requireReady: true,
    }).catch((error: Error) => error);
    expect(started).toBeInstanceOf(Error);
    expect(String(started)).toMatch(/not ready/);
  });
});
