import { errAsync } from 'neverthrow';
import { describe, expect, it, vi } from 'vitest';
import { type EventStore, type StoredEvent, storeUnavailable } from './event-store';
import type { HeadListener } from './head-watcher';
import {
  createProjectionGroup,
  createProjectionRunner,
  createProjectionRunners,
  type Projection,
  type ProjectionSnapshot,
  type ProjectionSnapshotStore,
} from './projection';
import { createInMemoryEventBus } from './testing/in-memory-event-bus';
import { createInMemoryEventStore } from './testing/in-memory-event-store';
import { createInMemoryProjectionSnapshots } from './testing/in-memory-projection-snapshots';

// The generic runner, on a fixture projection of its own: the global sequences it folded in.

type Seen = readonly number[];

const seen = (name: string, filter?: (e: StoredEvent) => boolean): Projection<Seen> => ({
  name,
  initialState: () => [],
  evolve: (state, event) => [...state, event.globalSequence],
  ...(filter ? { filter } : {}),
  snapshot: { version: 1, serialize: (s) => s, deserialize: (d) => d as Seen },
});

const setup = async (count: number, aggregateType = (n: number) => (n % 2 ? 'A' : 'B')) => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  let n = 0;
  const write = async (k: number) => {
    const events: StoredEvent[] = [];
    for (let i = 0; i < k; i++) {
      n++;
      const r = await store.append({
        aggregateType: aggregateType(n),
        aggregateId: `s${n}`,
        expectedVersion: 0,
        events: [{ id: `e${n}`, type: 'Happened', data: { n } }],
      });
      events.push(...r._unsafeUnwrap().events);
    }
    await bus.publish(events);
  };
  await write(count);
  return { store, bus, write };
};

/** Snapshots in memory, every save recorded. */
const recordedSnapshots = () => {
  const inner = createInMemoryProjectionSnapshots();
  const saves: Array<Pick<ProjectionSnapshot, 'name' | 'position'>> = [];
  const store: ProjectionSnapshotStore = {
    load: inner.load,
    save: (snapshot) => {
      saves.push({ name: snapshot.name, position: snapshot.position });
      return inner.save(snapshot);
    },
  };
  return { store, saves, inner };
};

describe('projection runners', () => {
  it('feeds several projections from one read, each skipping what its snapshot holds', async () => {
    const { store, bus } = await setup(5);
    const snapshots = recordedSnapshots();
    await snapshots.inner.save({ name: 'ahead', version: 1, position: 3, data: [1, 2, 3] });
    const [ahead, behind] = createProjectionRunners(
      { store, bus, snapshots: { store: snapshots.store, every: 1000 } },
      [seen('ahead'), seen('behind')] as const,
    );
    await ahead.start();
    expect(ahead.state()).toEqual([1, 2, 3, 4, 5]);
    expect(behind.state()).toEqual([1, 2, 3, 4, 5]);
    expect([ahead.position(), behind.position()]).toEqual([5, 5]);
    await ahead.stop();
  });

  it('skips what the filter leaves out, while its position still moves', async () => {
    const { store, bus, write } = await setup(4);
    const runner = createProjectionRunner({
      store,
      bus,
      projection: seen('odd', (e) => e.aggregateType === 'A'),
    });
    await runner.start();
    expect(runner.state()).toEqual([1, 3]);
    await write(2);
    await vi.waitFor(() => expect(runner.position()).toBe(6));
    expect(runner.state()).toEqual([1, 3, 5]);
    await runner.stop();
  });

  it('saves a snapshot once caught up when enough events were folded, then every N live events', async () => {
    const { store, bus, write } = await setup(4);
    const snapshots = recordedSnapshots();
    const runner = createProjectionRunner({
      store,
      bus,
      projection: seen('p'),
      snapshots: { store: snapshots.store, every: 2 },
    });
    await runner.start();
    // Rebuilding saves once at the end, not once per N events.
    expect(snapshots.saves).toEqual([{ name: 'p', position: 4 }]);
    await write(1);
    await vi.waitFor(() => expect(runner.position()).toBe(5));
    expect(snapshots.saves).toHaveLength(1);
    await write(1);
    await vi.waitFor(() => expect(snapshots.saves).toHaveLength(2));
    expect(snapshots.saves[1]).toEqual({ name: 'p', position: 6 });
    // Stopping saves only what is not saved yet: nothing here.
    await runner.stop();
    expect(snapshots.saves).toHaveLength(2);
  });

  it('saves at start when exactly N events were folded', async () => {
    const { store, bus } = await setup(3);
    const snapshots = recordedSnapshots();
    const runner = createProjectionRunner({
      store,
      bus,
      projection: seen('p'),
      snapshots: { store: snapshots.store, every: 3 },
    });
    await runner.start();
    expect(snapshots.saves).toEqual([{ name: 'p', position: 3 }]);
    await runner.stop();
  });

  it('does not save at start when fewer than N events came after the snapshot', async () => {
    const { store, bus } = await setup(7);
    const snapshots = recordedSnapshots();
    await snapshots.inner.save({ name: 'p', version: 1, position: 5, data: [1, 2, 3, 4, 5] });
    const runner = createProjectionRunner({
      store,
      bus,
      projection: seen('p'),
      snapshots: { store: snapshots.store, every: 3 },
    });
    await runner.start();
    expect(runner.state()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(snapshots.saves).toEqual([]);
    await runner.stop();
    expect(snapshots.saves).toEqual([{ name: 'p', position: 7 }]);
  });

  it('reports snapshots it cannot load or save, and runs from the events', async () => {
    const { store, bus } = await setup(3);
    const errors: string[] = [];
    const runner = createProjectionRunner({
      store,
      bus,
      projection: seen('p'),
      snapshots: {
        store: {
          load: () => errAsync(storeUnavailable('cannot load')),
          save: () => errAsync(storeUnavailable('cannot save')),
        },
        every: 1,
      },
      onError: (error) => errors.push((error as { message: string }).message),
    });
    await runner.start();
    expect(runner.state()).toEqual([1, 2, 3]);
    await runner.stop();
    expect(errors).toEqual(['cannot load', 'cannot save']);
  });

  it('refuses to start when the store head cannot be read', async () => {
    const { store, bus } = await setup(1);
    const down: Pick<EventStore, 'readAll' | 'head'> = {
      ...store,
      head: () => errAsync(storeUnavailable('disk on fire')),
    };
    const runner = createProjectionRunner({ store: down, bus, projection: seen('p') });
    await expect(runner.start()).rejects.toThrow('cannot start projections: disk on fire');
  });

  it('stops listeners that unsubscribed, and can be stopped before it started', async () => {
    const { store, bus, write } = await setup(1);
    const runner = createProjectionRunner({ store, bus, projection: seen('p') });
    await runner.stop();
    const other = createProjectionRunner({ store, bus, projection: seen('q') });
    await other.start();
    const heard: number[] = [];
    const off = other.onChange((_, e) => heard.push(e.globalSequence));
    await write(1);
    await vi.waitFor(() => expect(heard).toEqual([2]));
    off();
    await write(1);
    await vi.waitFor(() => expect(other.position()).toBe(3));
    expect(heard).toEqual([2]);
    await other.stop();
  });

  it('passes store heads on, so it finds events the bus lost', async () => {
    const { store, bus, write } = await setup(1);
    const heads = new Set<HeadListener>();
    const runner = createProjectionRunner({
      store,
      bus,
      projection: seen('p'),
      heads: {
        subscribe: (listener) => {
          heads.add(listener);
          return () => heads.delete(listener);
        },
      },
    });
    await runner.start();
    bus.drop(() => true);
    await write(2);
    for (const tell of heads) tell(3);
    await vi.waitFor(() => expect(runner.state()).toEqual([1, 2, 3]));
    await runner.stop();
  });

  it('says when it fell behind live delivery', async () => {
    const { store, bus, write } = await setup(0);
    let fellBehind = 0;
    const runner = createProjectionRunner({
      store,
      bus,
      projection: seen('p'),
      onFellBehind: () => fellBehind++,
    });
    await runner.start();
    await write(300); // one publish of 300: more than the live buffer holds at once
    await vi.waitFor(() => expect(runner.position()).toBe(300));
    expect(fellBehind).toBe(1);
    await runner.stop();
  });

  it('reports store failures while running, and a projection that throws', async () => {
    const { store, bus, write } = await setup(1);
    let failNext = false;
    const flaky: Pick<EventStore, 'readAll' | 'head'> = {
      head: store.head,
      readAll: (options) => {
        if (!failNext) return store.readAll(options);
        failNext = false;
        return errAsync(storeUnavailable('read failed'));
      },
    };
    const errors: string[] = [];
    const throwing: Projection<Seen> = {
      ...seen('p'),
      evolve: (state, event) => {
        if (event.globalSequence === 4) throw new Error('evolve bug');
        return [...state, event.globalSequence];
      },
    };
    const runner = createProjectionRunner({
      store: flaky,
      bus,
      projection: throwing,
      onError: (error) => errors.push((error as { message: string }).message),
    });
    await runner.start();
    // A gap (2 lost, 3 arrives) sends it to the store, whose first read fails.
    bus.drop((e) => e.globalSequence === 2);
    failNext = true;
    await write(2);
    await vi.waitFor(() => expect(runner.state()).toEqual([1, 2, 3]));
    await write(1);
    await vi.waitFor(() => expect(errors).toEqual(['read failed', 'evolve bug']));
    await runner.stop();
  });

  it('runs without an onError: failing snapshots and a failed read are survived quietly', async () => {
    const { store, bus, write } = await setup(2);
    let failNext = false;
    const flaky: Pick<EventStore, 'readAll' | 'head'> = {
      head: store.head,
      readAll: (options) => {
        if (!failNext) return store.readAll(options);
        failNext = false;
        return errAsync(storeUnavailable('read failed'));
      },
    };
    const runner = createProjectionRunner({
      store: flaky,
      bus,
      projection: seen('p'),
      snapshots: {
        store: {
          load: () => errAsync(storeUnavailable('cannot load')),
          save: () => errAsync(storeUnavailable('cannot save')),
        },
        every: 1000,
      },
    });
    await runner.start();
    bus.drop((e) => e.globalSequence === 3);
    failNext = true;
    await write(2);
    await vi.waitFor(() => expect(runner.state()).toEqual([1, 2, 3, 4]));
    await expect(runner.stop()).resolves.toBeUndefined();
  });

  it('stops quietly without an onError when its projection throws', async () => {
    const { store, bus } = await setup(2);
    const runner = createProjectionRunner({
      store,
      bus,
      projection: {
        ...seen('p'),
        evolve: () => {
          throw new Error('evolve bug');
        },
      },
    });
    // It never catches up: the first event throws. Stopping it still settles.
    void runner.start();
    await vi.waitFor(() => expect(runner.position()).toBe(1));
    await expect(runner.stop()).resolves.toBeUndefined();
  });
});

describe('a projection group', () => {
  it('lists its members, and refuses one added after the start', async () => {
    const { store, bus } = await setup(2);
    const group = createProjectionGroup({ store, bus });
    const a = group.add(seen('a'));
    group.add(seen('b'));
    expect(group.members().map((m) => [m.name, m.position()])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    await a.start();
    expect(group.members().map((m) => m.position())).toEqual([2, 2]);
    expect(() => group.add(seen('late'))).toThrow('projection late added after the start');
    await group.stop();
  });

  it('never folds again what a snapshot ahead of the others already holds', async () => {
    const { store, bus, write } = await setup(5);
    const snapshots = recordedSnapshots();
    // Saved at 7 by an earlier run; the store has been read only up to 5 by the other member.
    await snapshots.inner.save({
      name: 'ahead',
      version: 1,
      position: 7,
      data: [1, 2, 3, 4, 5, 6, 7],
    });
    const [ahead, fresh] = createProjectionRunners(
      { store, bus, snapshots: { store: snapshots.store, every: 1000 } },
      [seen('ahead'), seen('fresh')] as const,
    );
    await ahead.start();
    expect([ahead.position(), fresh.position()]).toEqual([7, 5]);
    await write(3);
    await vi.waitFor(() => expect(fresh.position()).toBe(8));
    expect(ahead.state()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await ahead.stop();
  });
});
