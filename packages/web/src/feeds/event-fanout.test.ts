import type { StoredEvent } from '@ironstar/application';
import { createInMemoryEventBus, createInMemoryEventStore } from '@ironstar/application/testing';
import { describe, expect, it } from 'vitest';
import type { SseConnection } from '../sse/sse-hub';
import { createEventFanout } from './event-fanout';

/** A connection that records the ids it is sent, and can be made to stop taking bytes. */
const fakeConnection = () => {
  const ids: number[] = [];
  let writable = true;
  let closed = false;
  const drains: Array<() => void> = [];
  const closes: Array<() => void> = [];
  const connection: SseConnection = {
    feed: 'test',
    send: (chunk) => {
      ids.push(Number(/id: (\d+)/.exec(new TextDecoder().decode(chunk))?.[1]));
      return true;
    },
    writable: () => writable && !closed,
    drained: () => (writable ? Promise.resolve() : new Promise<void>((r) => drains.push(r))),
    onDrain: (l) => drains.push(l),
    onClose: (l) => closes.push(l),
    isClosed: () => closed,
  };
  return {
    connection,
    ids,
    stall: () => {
      writable = false;
    },
    resume: () => {
      writable = true;
      for (const d of drains.splice(0)) d();
    },
    close: () => {
      closed = true;
      for (const c of closes.splice(0)) c();
    },
  };
};

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

const setup = () => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  let encoded = 0;
  const frames = new WeakMap<StoredEvent, Uint8Array>();
  const frameOf = (event: StoredEvent) => {
    let frame = frames.get(event);
    if (!frame) {
      encoded++;
      frame = new TextEncoder().encode(`id: ${event.globalSequence}\n\n`);
      frames.set(event, frame);
    }
    return frame;
  };
  let n = 0;
  const write = async (count: number) => {
    for (let i = 0; i < count; i++) {
      n++;
      const r = await store.append({
        aggregateType: 'Todo',
        aggregateId: `a${n}`,
        expectedVersion: 0,
        events: [{ id: `e${n}`, type: 'TodoCreated', data: {} }],
      });
      await bus.publish(r._unsafeUnwrap().events);
    }
  };
  const fanout = createEventFanout({ store, bus, frameOf, bufferSize: 8 });
  return { fanout, write, encoded: () => encoded };
};

describe('event fan-out', () => {
  it('writes each live event, encoded once, to every caught-up connection', async () => {
    const { fanout, write, encoded } = setup();
    await write(3);
    const clients = Array.from({ length: 50 }, fakeConnection);
    for (const c of clients) await fanout.attach(c.connection, 3);
    expect(fanout.liveCount()).toBe(50);
    await write(4);
    await until(() => clients.every((c) => c.ids.length === 4));
    for (const c of clients) expect(c.ids).toEqual([4, 5, 6, 7]);
    expect(encoded()).toBe(4);
  });

  it('lets a connection that starts behind read the store, then join the shared writer', async () => {
    const { fanout, write } = setup();
    await write(5);
    const early = fakeConnection();
    await fanout.attach(early.connection, 5); // starts the shared writer at the head
    const late = fakeConnection();
    await fanout.attach(late.connection, 1);
    await until(() => late.ids.length === 4);
    await write(3);
    await until(() => late.ids.length === 7);
    expect(late.ids).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(fanout.liveCount()).toBe(2);
  });

  it('moves a stalled connection to its own reader and back, each event exactly once', async () => {
    const { fanout, write } = setup();
    const slow = fakeConnection();
    const fast = fakeConnection();
    await fanout.attach(slow.connection, 0);
    await fanout.attach(fast.connection, 0);
    await write(2);
    await until(() => slow.ids.length === 2);
    slow.stall();
    await write(30);
    await until(() => fast.ids.length === 32);
    expect(fanout.liveCount()).toBe(1); // the slow one left the shared writer
    slow.resume();
    await until(() => slow.ids.length === 32);
    await write(2);
    await until(() => slow.ids.length === 34 && fast.ids.length === 34);
    const all = Array.from({ length: 34 }, (_, i) => i + 1);
    expect(slow.ids).toEqual(all);
    expect(fast.ids).toEqual(all);
    expect(fanout.liveCount()).toBe(2);
  });

  it('stops its shared reader when the last connection closes', async () => {
    const { fanout, write } = setup();
    const client = fakeConnection();
    await fanout.attach(client.connection, 0);
    client.close();
    expect(fanout.liveCount()).toBe(0);
    await write(1);
    const next = fakeConnection();
    await fanout.attach(next.connection, 1);
    await write(1);
    await until(() => next.ids.length === 1);
    expect(next.ids).toEqual([2]);
  });
});
