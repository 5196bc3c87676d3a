import { describe, expect, it, vi } from 'vitest';
import { subscribeToHead } from './catch-up-subscription';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';

// subscribeToHead: "caught up" means read up to the head the rebuild began with, said once.

const setup = async (count: number) => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  let n = 0;
  /** Appends k events; publishes them unless `lost` (then only the last, as a bus that lost some). */
  const write = async (k: number, lost = false) => {
    for (let i = 0; i < k; i++) {
      n++;
      const r = await store.append({
        aggregateType: 'Thing',
        aggregateId: `t${n}`,
        expectedVersion: 0,
        events: [{ id: `e${n}`, type: 'Happened', data: { n } }],
      });
      if (!lost || i === k - 1) await bus.publish(r._unsafeUnwrap().events);
    }
  };
  await write(count);
  return { store, bus, write };
};

describe('a subscription to the head', () => {
  it('says it reached the head once, only when it has read up to it', async () => {
    const { store, bus, write } = await setup(3);
    const reached: number[] = [];
    const caughtUp: number[] = [];
    // The head it must reach is 5; the store holds 3 so far. The rest arrive later, the bus
    // losing one of them, so the subscription reads the store again and is caught up again.
    const sub = subscribeToHead({
      store,
      bus,
      after: 0,
      head: 5,
      handle: () => {},
      onCaughtUp: (position) => void caughtUp.push(position),
      onReached: (position) => void reached.push(position),
    });
    await vi.waitFor(() => expect(caughtUp).toEqual([3]));
    expect(reached).toEqual([]);
    await write(2, true);
    await sub.caughtUp;
    expect(reached).toEqual([5]);
    await write(2, true);
    await vi.waitFor(() => expect(caughtUp).toEqual([3, 5, 7]));
    expect(reached).toEqual([5]);
    sub.stop();
    await sub.done;
  });

  it('waits for what onReached returns, and reports it failing without hanging', async () => {
    const { store, bus } = await setup(2);
    const errors: unknown[] = [];
    let finish: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let settled = false;
    const waiting = subscribeToHead({
      store,
      bus,
      after: 0,
      head: 2,
      handle: () => {},
      onReached: () => slow,
    });
    void waiting.caughtUp.then(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(waiting.position()).toBe(2));
    await Promise.resolve();
    expect(settled).toBe(false);
    finish();
    await waiting.caughtUp;
    waiting.stop();

    const failing = subscribeToHead({
      store,
      bus,
      after: 0,
      head: 2,
      handle: () => {},
      onReached: () => Promise.reject(new Error('saving failed')),
      onError: (error) => void errors.push(error),
    });
    await failing.caughtUp;
    expect(errors).toMatchObject([{ message: 'saving failed' }]);
    failing.stop();
    await Promise.all([waiting.done, failing.done]);
  });

  it('settles when onReached fails and nobody listens for errors', async () => {
    const { store, bus } = await setup(1);
    const sub = subscribeToHead({
      store,
      bus,
      after: 0,
      head: 1,
      handle: () => {},
      onReached: () => Promise.reject(new Error('saving failed')),
    });
    await sub.caughtUp;
    expect(sub.position()).toBe(1);
    sub.stop();
    await sub.done;
  });

  it('settles without an onReached', async () => {
    const { store, bus } = await setup(1);
    const sub = subscribeToHead({ store, bus, after: 0, head: 1, handle: () => {} });
    await sub.caughtUp;
    expect(sub.position()).toBe(1);
    sub.stop();
    await sub.done;
  });
});
