import type { StoredEvent } from '@ironstar/application';
import { afterEach, describe, expect, it } from 'vitest';
import { startZeroMqBusProxy } from './zeromq-bus-proxy';
import { getZeroMqEventBus } from './zeromq-event-bus';

const event = (globalSequence: number): StoredEvent => ({
  globalSequence,
  id: `e${globalSequence}`,
  aggregateType: 'Todo',
  aggregateId: 'a',
  aggregateSequence: globalSequence,
  eventType: 'TodoCreated',
  eventVersion: 2,
  payload: {},
  metadata: null,
  createdAt: 'T',
});

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A proxy on 127.0.0.1 and two buses through it (two processes'), each listener's sequences kept. */
const twoBusesThroughAProxy = async () => {
  const proxy = await startZeroMqBusProxy({
    publishEndpoint: 'tcp://127.0.0.1:*',
    subscribeEndpoint: 'tcp://127.0.0.1:*',
  });
  const endpoints = { publishTo: proxy.publishEndpoint, subscribeTo: proxy.subscribeEndpoint };
  const a = await getZeroMqEventBus({ proxy: endpoints });
  const b = await getZeroMqEventBus({ proxy: endpoints });
  closers.push(
    () => a.close(),
    () => b.close(),
  );
  const atA: number[] = [];
  const atB: number[] = [];
  a.subscribe('events/', (e) => atA.push(e.globalSequence));
  b.subscribe('events/', (e) => atB.push(e.globalSequence));
  return { proxy, endpoints, a, b, atA, atB };
};

describe('ZeroMQ bus through an XSUB/XPUB proxy', () => {
  it('carries events between processes’ buses, and again after the proxy restarts', async () => {
    const two = await twoBusesThroughAProxy();
    const { endpoints, a, atA, atB } = two;
    let proxy = two.proxy;
    await a.publish([event(1), event(2)]);
    await until(() => atB.length === 2 && atA.length === 2);
    expect(atB).toEqual([1, 2]);

    await proxy.close();
    proxy = await startZeroMqBusProxy({
      publishEndpoint: endpoints.publishTo,
      subscribeEndpoint: endpoints.subscribeTo,
    });
    closers.push(() => proxy.close());
    // The sockets reconnect and resubscribe by themselves; publish until traffic flows again.
    for (let n = 3; !atB.includes(n - 1) || n === 3; n++) {
      await a.publish([event(n)]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (n > 500) throw new Error('no traffic after the proxy restart');
    }
    expect(atB.at(-1)).toBeGreaterThan(2);
  });

  it('gives each bus its own events once, straight away, and the other bus’s once', async () => {
    const { proxy, a, b, atA, atB } = await twoBusesThroughAProxy();
    closers.push(() => proxy.close());
    const published = [event(1), event(2)];
    await a.publish(published);
    // Its own, on the next turn of the loop: no trip through the proxy, no copy.
    await new Promise((resolve) => setImmediate(resolve));
    expect(atA).toEqual([1, 2]);
    await until(() => atB.length === 2);
    await b.publish([event(3)]);
    await until(() => atB.length === 3 && atA.length === 3);
    // Wait out anything still on its way back through the proxy: nothing arrives twice.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(atA).toEqual([1, 2, 3]);
    expect(atB).toEqual([1, 2, 3]);
  });

  it('starts without a proxy when told not to insist, and refuses when told to', async () => {
    const lenient = await getZeroMqEventBus({
      proxy: { publishTo: 'tcp://127.0.0.1:1', subscribeTo: 'tcp://127.0.0.1:2' },
      readyTimeoutMs: 100,
    });
    closers.push(() => lenient.close());
    const strict = await getZeroMqEventBus({
      proxy: { publishTo: 'tcp://127.0.0.1:1', subscribeTo: 'tcp://127.0.0.1:2' },
      readyTimeoutMs: 100,
      requireReady: true,
    }).catch((error: Error) => error);
    expect(strict).toBeInstanceOf(Error);
  });
});
