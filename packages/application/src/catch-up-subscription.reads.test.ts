import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { subscribeFrom } from './catch-up-subscription';
import { type EventStore, type StoredEvent, storeUnavailable } from './event-store';
import type { HeadListener } from './head-watcher';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';

// When the subscription reads the store, and what it holds meanwhile: the work and memory
// it costs, which delivery-order tests alone cannot see.

afterEach(() => {
  vi.useRealTimers();
});

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true));

/** A store and bus, with every readAll counted and `write` appending + publishing one event. */
const setup = () => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  const reads: number[] = [];
  const counted: Pick<EventStore, 'readAll'> = {
    readAll: (options) => {
      reads.push(options.after);
      return store.readAll(options);
    },
  };
  let n = 0;
  const append = async (count: number) => {
    const events: StoredEvent[] = [];
    for (let i = 0; i < count; i++) {
      n++;
      const r = await store.append({
        aggregateType: 'Todo',
        aggregateId: `a${n}`,
        expectedVersion: 0,
        events: [{ id: `e${n}`, type: 'TodoCreated', data: { n } }],
      });
      events.push(...r._unsafeUnwrap().events);
    }
    return events;
  };
  const write = async (count: number) => bus.publish(await append(count));
  /** A handler that holds on `at` until released, as a slow client would. */
  const holdAt = (at: number) => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return { release, wait: (e: StoredEvent) => (e.globalSequence === at ? gate : undefined) };
  };
  return { store, bus, reads, counted, append, write, holdAt };
};

describe('catch-up subscription: store reads', () => {
  it('reads the store once to catch up, then delivers live events without reading', async () => {
    const { bus, reads, counted, write } = setup();
    await write(3);
    const seen: number[] = [];
    const caughtUp: number[] = [];
    const sub = subscribeFrom({
      store: counted,
      bus,
      after: 0,
      onCaughtUp: (p) => caughtUp.push(p),
      handle: (e) => void seen.push(e.globalSequence),
    });
    await until(() => caughtUp.length === 1);
    expect(reads).toEqual([0]);
    await write(3);
    await until(() => seen.length === 6);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reads).toEqual([0]);
    expect(caughtUp).toEqual([3]);
    sub.stop();
    await sub.done;
  });

  it('reads page by page until a short page, and says it caught up only at the end', async () => {
    const { bus, reads, counted, write } = setup();
    await write(5);
    const caughtUp: number[] = [];
    const seen: number[] = [];
    const sub = subscribeFrom({
      store: counted,
      bus,
      after: 0,
      pageSize: 2,
      onCaughtUp: (p) => caughtUp.push(p),
      handle: (e) => void seen.push(e.globalSequence),
    });
    await until(() => caughtUp.length > 0);
    expect(caughtUp).toEqual([5]);
    expect(reads).toEqual([0, 2, 4]);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    sub.stop();
    await sub.done;
  });

  it('lets timers and I/O run while it catches up from a store that answers at once', async () => {
    const { bus, counted, append } = setup();
    await append(200);
    let caughtUp = false;
    const seen: number[] = [];
    const sub = subscribeFrom({
      store: counted,
      bus,
      after: 0,
      pageSize: 2,
      onCaughtUp: () => {
        caughtUp = true;
      },
      handle: (e) => void seen.push(e.globalSequence),
    });
    // A callback queued behind the catch-up (as a server's `listen` or a request would be).
    const atTurn = await new Promise<number>((resolve) => setImmediate(() => resolve(seen.length)));
    expect(atTurn).toBeLessThan(200);
    await until(() => caughtUp);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    sub.stop();
    await sub.done;
  });

  it('takes a head report as news only when it is past its position and nothing is buffered', async () => {
    const { bus, reads, counted, write } = setup();
    await write(2);
    const heads = new Set<HeadListener>();
    const held = setup().holdAt(3);
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
      handle: async (e) => {
        await held.wait(e);
        seen.push(e.globalSequence);
      },
    });
    await until(() => seen.length === 2);
    const tell = (head: number) => {
      for (const listener of heads) listener(head);
    };
    tell(1);
    tell(2); // at its position: nothing missed
    await write(3); // the handler holds on 3; 4 and 5 wait in the buffer
    tell(5); // the buffer will bring them: no read
    held.release();
    await until(() => seen.length === 5);
    expect(reads).toEqual([0]);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    sub.stop();
    await sub.done;
  });

  it('holds exactly bufferSize live events for a busy handler; one more sends it to the store', async () => {
    /** The handler holds on event 1 while `live` more events arrive, with room for 3. */
    const busyWhile = async (live: number) => {
      const { bus, reads, counted, write, holdAt } = setup();
      const held = holdAt(1);
      let fellBehind = 0;
      const seen: number[] = [];
      const sub = subscribeFrom({
        store: counted,
        bus,
        after: 0,
        bufferSize: 3,
        onFellBehind: () => fellBehind++,
        handle: async (e) => {
          await held.wait(e);
          seen.push(e.globalSequence);
        },
      });
      await until(() => reads.length === 1);
      await write(1);
      await write(live);
      held.release();
      await until(() => seen.length === 1 + live);
      expect(seen).toEqual(Array.from({ length: 1 + live }, (_, i) => i + 1));
      sub.stop();
      await sub.done;
      return { fellBehind, reads };
    };
    expect(await busyWhile(3)).toEqual({ fellBehind: 0, reads: [0] });
    expect(await busyWhile(4)).toEqual({ fellBehind: 1, reads: [0, 1] });
  });

  it('keeps no buffer room for events it has already seen', async () => {
    const { store, bus, write } = setup();
    await write(3);
    const held = setup().holdAt(3);
    let fellBehind = 0;
    const seen: number[] = [];
    const sub = subscribeFrom({
      store,
      bus,
      after: 0,
      bufferSize: 2,
      onFellBehind: () => fellBehind++,
      handle: async (e) => {
        await held.wait(e);
        seen.push(e.globalSequence);
      },
    });
    await until(() => seen.length === 2);
    // While 3 is being handled, old events come again (a reconnecting bus): none is kept.
    const [e1, e2, e3] = store.events;
    if (!e1 || !e2 || !e3) throw new Error('setup wrote three events');
    await bus.publish([e1, e2, e3, e3, e3]);
    held.release();
    await write(1);
    await until(() => seen.length === 4);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(fellBehind).toBe(0);
    sub.stop();
    await sub.done;
  });

  it('survives overflowing without an onFellBehind callback', async () => {
    const { store, bus, write } = setup();
    const held = setup().holdAt(1);
    const seen: number[] = [];
    const sub = subscribeFrom({
      store,
      bus,
      after: 0,
      bufferSize: 1,
      handle: async (e) => {
        await held.wait(e);
        seen.push(e.globalSequence);
      },
    });
    await write(1);
    await write(5);
    held.release();
    await until(() => seen.length === 6);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    sub.stop();
    await sub.done;
  });

  it('stops in the middle of a page when told to', async () => {
    const { store, bus, write } = setup();
    await write(5);
    const seen: number[] = [];
    const sub = subscribeFrom({
      store,
      bus,
      after: 0,
      handle: (e) => {
        seen.push(e.globalSequence);
        if (e.globalSequence === 2) sub.stop();
      },
    });
    await sub.done;
    expect(seen).toEqual([1, 2]);
  });

  it('reports a failed store read and retries after 50 ms, doubling, until it succeeds', async () => {
    vi.useFakeTimers();
    const { store, bus, append } = setup();
    await append(2);
    let failures = 3;
    const attempts: number[] = [];
    const flaky: Pick<EventStore, 'readAll'> = {
      readAll: (options) => {
        attempts.push(Date.now());
        if (failures-- > 0) return errAsync(storeUnavailable('disk on fire'));
        return store.readAll(options);
      },
    };
    const errors: string[] = [];
    const seen: number[] = [];
    const start = Date.now();
    const sub = subscribeFrom({
      store: flaky,
      bus,
      after: 0,
      onStoreError: (error) => errors.push(error.message),
      handle: (e) => void seen.push(e.globalSequence),
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(attempts.map((t) => t - start)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1 + 100 + 200);
    expect(attempts.map((t) => t - start)).toEqual([0, 50, 150, 350]);
    expect(errors).toEqual(['disk on fire', 'disk on fire', 'disk on fire']);
    expect(seen).toEqual([1, 2]);
    sub.stop();
    await sub.done;
  });

  it('caps the retry wait at 5 s', async () => {
    vi.useFakeTimers();
    const { bus } = setup();
    const attempts: number[] = [];
    const down: Pick<EventStore, 'readAll'> = {
      readAll: () => {
        attempts.push(Date.now());
        return errAsync(storeUnavailable('down'));
      },
    };
    const start = Date.now();
    const sub = subscribeFrom({ store: down, bus, after: 0, handle: () => {} });
    await vi.advanceTimersByTimeAsync(50 + 100 + 200 + 400 + 800 + 1600 + 3200 + 5000 + 5000);
    const waits = attempts.slice(1).map((t, i) => t - (attempts[i] ?? start));
    expect(waits).toEqual([50, 100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    sub.stop();
    await vi.advanceTimersByTimeAsync(5000);
    await sub.done;
  });

  it('lets go of the bus and the heads when its handler throws', async () => {
    const { store, write } = setup();
    const bus = createInMemoryEventBus();
    let subscribed = 0;
    const countingBus = {
      subscribe: (prefix: string, listener: (e: StoredEvent) => void) => {
        subscribed++;
        const off = bus.subscribe(prefix, listener);
        return () => {
          subscribed--;
          off();
        };
      },
    };
    let heads = 0;
    await write(1);
    const sub = subscribeFrom({
      store,
      bus: countingBus,
      after: 0,
      heads: {
        subscribe: () => {
          heads++;
          return () => heads--;
        },
      },
      handle: () => {
        throw new Error('handler bug');
      },
    });
    await expect(sub.done).rejects.toThrow('handler bug');
    expect(subscribed).toBe(0);
    expect(heads).toBe(0);
  });
});
