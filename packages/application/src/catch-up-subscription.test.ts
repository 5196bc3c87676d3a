import { ResultAsync } from 'neverthrow';
import { describe, expect, it, vi } from 'vitest';
import { subscribeFrom } from './catch-up-subscription';
import type { EventStore, StoredEvent } from './event-store';
import type { HeadListener } from './head-watcher';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true));

const setup = () => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  let n = 0;
  const write = async (count: number, aggregateType = 'Todo') => {
    for (let i = 0; i < count; i++) {
      n++;
      const r = await store.append({
        aggregateType,
        aggregateId: `a${n}`,
        expectedVersion: 0,
        events: [{ id: `e${n}`, type: 'TodoCreated', data: { n } }],
      });
      await bus.publish(r._unsafeUnwrap().events);
    }
  };
  return { store, bus, write };
};

describe('catch-up subscription', () => {
  it('replays from the checkpoint, then goes live, each event exactly once in order', async () => {
    const { store, bus, write } = setup();
    await write(5);
    const seen: number[] = [];
    const sub = subscribeFrom({
      store,
      bus,
      after: 2,
      handle: (e) => void seen.push(e.globalSequence),
    });
    await write(3);
    await until(() => seen.length === 6);
    expect(seen).toEqual([3, 4, 5, 6, 7, 8]);
    sub.stop();
    await sub.done;
  });

  it('subscribes before it reads: what is published while the first read is in flight arrives', async () => {
    const { store, bus, write } = setup();
    await write(5);
    // The first read takes its rows when asked, then yields until the test lets it answer, as
    // a query whose rows are still on their way back does.
    let readBegan: () => void = () => {};
    const began = new Promise<void>((resolve) => {
      readBegan = resolve;
    });
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let reads = 0;
    const slowStore: Pick<EventStore, 'readAll'> = {
      readAll: (options) => {
        const page = store.readAll(options);
        if (++reads > 1) return page;
        readBegan();
        return new ResultAsync(answered.then(() => page));
      },
    };
    const seen: number[] = [];
    const sub = subscribeFrom({
      store: slowStore,
      bus,
      after: 0,
      handle: (e) => void seen.push(e.globalSequence),
    });
    await began;
    await write(3); // appended and published while the read holds rows 1-5 only
    answer();
    await until(() => seen.length >= 8);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    sub.stop();
    await sub.done;
  });

  it('fills a gap from the store when the bus loses a message', async () => {
    const { store, bus, write } = setup();
    const seen: number[] = [];
    const sub = subscribeFrom({
      store,
      bus,
      after: 0,
      handle: (e) => void seen.push(e.globalSequence),
    });
    await until(() => sub.position() === 0);
    bus.drop((e) => e.globalSequence === 2 || e.globalSequence === 3);
    await write(4);
    await until(() => seen.length === 4);
    expect(seen).toEqual([1, 2, 3, 4]);
    sub.stop();
  });

  it('ignores duplicates and out-of-order stragglers', async () => {
    const { store, bus, write } = setup();
    await write(3);
    const seen: number[] = [];
    const sub = subscribeFrom({
      store,
      bus,
      after: 0,
      handle: (e) => void seen.push(e.globalSequence),
    });
    await until(() => seen.length === 3);
    // Re-deliver old events, as a reconnecting bus or a second writer might.
    await bus.publish(store.events.slice(0, 3));
    await write(1);
    await until(() => seen.length === 4);
    expect(seen).toEqual([1, 2, 3, 4]);
    sub.stop();
  });

  it('switches a slow handler to the store when its buffer overflows, losing nothing', async () => {
    const { store, bus, write } = setup();
    const seen: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let fellBehind = 0;
    const sub = subscribeFrom({
      store,
      bus,
      after: 0,
      bufferSize: 8,
      onFellBehind: () => fellBehind++,
      handle: async (e: StoredEvent) => {
        if (e.globalSequence === 1) await gate;
        seen.push(e.globalSequence);
      },
    });
    await write(1);
    await write(100); // the handler is stuck on event 1 while these arrive
    release();
    await until(() => seen.length === 101);
    expect(seen).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(fellBehind).toBe(1);
    sub.stop();
  });

  it('delivers only what the filter selects but tracks every position', async () => {
    const { store, bus, write } = setup();
    await write(2, 'Other');
    await write(2);
    const seen: number[] = [];
    const sub = subscribeFrom({
      store,
      bus,
      after: 0,
      filter: (e) => e.aggregateType === 'Todo',
      handle: (e) => void seen.push(e.globalSequence),
    });
    await write(1, 'Other');
    await write(1);
    await until(() => seen.length === 3);
    expect(seen).toEqual([3, 4, 6]);
    expect(sub.position()).toBe(6);
    sub.stop();
  });
});

describe('catch-up subscription and store heads', () => {
  it('finds the last events the bus lost when the store head moves past it', async () => {
    const { store, bus, write } = setup();
    const heads = new Set<HeadListener>();
    let reads = 0;
    const counted: Pick<EventStore, 'readAll'> = {
      readAll: (options) => {
        reads++;
        return store.readAll(options);
      },
    };
    const seen: number[] = [];
    const sub = subscribeFrom({
      store: counted,
      bus,
      after: 0,
      heads: {
        subscribe: (listener) => {
          heads.add(listener);
          return () => heads.delete(listener);
        },
      },
      handle: (e) => void seen.push(e.globalSequence),
    });
    await write(2);
    await until(() => seen.length === 2);
    const readsBefore = reads;
    bus.drop(() => true); // the bus goes quiet: nothing after this arrives live
    await write(3);
    // Nothing reached the subscriber, so it has no gap to notice and no reason to read.
    expect(seen).toEqual([1, 2]);
    expect(reads).toBe(readsBefore);
    for (const tell of heads) tell(5);
    await until(() => seen.length === 5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    sub.stop();
    expect(heads.size).toBe(0);
  });
});
