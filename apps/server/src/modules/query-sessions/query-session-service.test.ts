import { randomUUID } from 'node:crypto';
import {
  createAggregateService,
  createProjectionRunner,
  type EventBus,
  type EventStore,
  storeUnavailable,
} from '@ironstar/application';
import {
  createInMemoryEventBus,
  createInMemoryEventStore,
  createScriptedAnalyticsEngine,
} from '@ironstar/application/testing';
import { errAsync } from 'neverthrow';
import { describe, expect, it, vi } from 'vitest';
import { TODO_SAVED_QUERIES } from '../todo/todo-saved-queries';
import { createQueryCache } from './query-cache';
import { querySessionAggregate } from './query-session-aggregate';
import { createQuerySessionService } from './query-session-service';
import { querySessionsProjection } from './query-sessions-projection';
import { EVENT_LOG_QUERIES } from './saved-queries';

const SAVED_QUERIES = [...EVENT_LOG_QUERIES, ...TODO_SAVED_QUERIES];

/** The QuerySession aggregate's commands over `store` and `bus`, as the runtime gives them. */
const commandsOn = (store: EventStore, bus: EventBus, clock: () => string) =>
  createAggregateService(querySessionAggregate, { store, bus, clock, newId: randomUUID });

const LIMITS = { timeoutMs: 1000, maxRows: 10, maxBytes: 4096 };

const setup = (options: { maxInFlight?: number; maxPerClient?: number } = {}) => {
  const store = createInMemoryEventStore();
  const bus = createInMemoryEventBus();
  const engine = createScriptedAnalyticsEngine();
  const cache = createQueryCache({ ttlMs: 60_000 });
  engine.onApplied((types) => cache.invalidate(types));
  // The scripted engine "applies" every stored event, as the real projection would.
  bus.subscribe('events/', (e) => engine.apply(e.aggregateType, e.globalSequence));
  const clock = () => '2026-11-22T10:00:00.000Z';
  const service = createQuerySessionService({
    commands: commandsOn(store, bus, clock),
    engine,
    cache,
    limits: LIMITS,
    savedQueries: SAVED_QUERIES,
    clock,
    ...options,
  });
  return { store, bus, engine, cache, service };
};

describe('query session service', () => {
  it('stores QueryStarted, runs the query, then stores QueryCompleted caused by it', async () => {
    const { store, service } = setup();
    const started = (
      await service.start({ sql: 'select 1' }, { correlationId: 'c1' })
    )._unsafeUnwrap();
    await started.finished;
    expect(store.events.map((e) => e.eventType)).toEqual(['QueryStarted', 'QueryCompleted']);
    const [start, done] = store.events;
    expect(start?.aggregateId).toBe(started.id);
    expect(done?.payload).toMatchObject({ rowCount: 1, truncated: false, cached: false });
    expect(done?.metadata).toMatchObject({ correlationId: 'c1', causationId: start?.id });
    expect(service.result(started.id)?.rows).toEqual([[1]]);
  });

  it('refuses what the engine will not run, storing nothing', async () => {
    const { store, service } = setup();
    const refused = await service.start({ sql: 'drop table events' });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ type: 'SqlRefused' });
    expect((await service.start({ sql: '  ' }))._unsafeUnwrapErr()).toMatchObject({
      type: 'ValidationError',
    });
    expect((await service.start({ saved: 'nope' }))._unsafeUnwrapErr()).toMatchObject({
      type: 'ValidationError',
      field: 'saved',
    });
    expect(store.events).toEqual([]);
  });

  it('records QueryFailed with the engine message when the query fails', async () => {
    const { store, service } = setup();
    const started = (await service.start({ sql: 'select sleep(600)' }))._unsafeUnwrap();
    await started.finished;
    expect(store.events.map((e) => e.eventType)).toEqual(['QueryStarted', 'QueryFailed']);
    expect(store.events[1]?.payload).toMatchObject({ error: 'stopped at the time limit' });
  });

  it('answers a saved query from the cache until an event it depends on arrives', async () => {
    const { store, bus, engine, service } = setup();
    const saved = SAVED_QUERIES.find((q) => q.dependsOn !== 'all');
    if (!saved) throw new Error('expected a saved query with narrow dependencies');
    const run = async () => {
      const s = (await service.start({ saved: saved.name }))._unsafeUnwrap();
      await s.finished;
      return store.events.at(-1)?.payload as { cached: boolean };
    };
    expect((await run()).cached).toBe(false);
    expect((await run()).cached).toBe(true); // its own QuerySession events do not invalidate it
    expect(engine.executions()).toBe(1);
    const appended = await store.append({
      aggregateType: 'Todo',
      aggregateId: 't1',
      expectedVersion: 0,
      events: [{ id: randomUUID(), type: 'TodoCreated', data: { id: 't1' } }],
    });
    await bus.publish(appended._unsafeUnwrap().events);
    expect((await run()).cached).toBe(false);
    expect(engine.executions()).toBe(2);
  });

  it('refuses with Busy beyond the in-flight limit', async () => {
    const { service, engine } = setup({ maxInFlight: 1 });
    const first = (await service.start({ sql: 'select hold' }))._unsafeUnwrap();
    expect((await service.start({ sql: 'select 2' }))._unsafeUnwrapErr()).toMatchObject({
      type: 'Busy',
    });
    engine.releaseHeld();
    await first.finished;
    expect((await service.start({ sql: 'select 3' })).isOk()).toBe(true);
    await service.drain();
  });

  it('holds the caps exactly when many starts race, and per client', async () => {
    const { store, service, engine } = setup({ maxInFlight: 4, maxPerClient: 2 });
    // Twelve at once from six clients: planning awaits, so only a synchronous slot holds the cap.
    const starts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        service.start({ sql: `select hold ${i}` }, {}, `client-${i % 6}`),
      ),
    );
    expect(starts.filter((s) => s.isOk())).toHaveLength(4);
    expect(starts.filter((s) => s.isErr()).map((s) => s._unsafeUnwrapErr().type)).toEqual(
      Array(8).fill('Busy'),
    );
    expect(service.inFlight()).toBe(4);
    expect(store.events.filter((e) => e.eventType === 'QueryStarted')).toHaveLength(4);
    engine.releaseHeld();
    await service.drain();
    expect(service.inFlight()).toBe(0);

    // One client cannot take every slot.
    const mine = await Promise.all(
      Array.from({ length: 4 }, () => service.start({ sql: 'select hold' }, {}, '10.0.0.1')),
    );
    expect(mine.filter((s) => s.isOk())).toHaveLength(2);
    expect(mine.find((s) => s.isErr())?._unsafeUnwrapErr()).toEqual({
      type: 'Busy',
      message: 'you already run 2 queries; wait for one to finish',
    });
    expect((await service.start({ sql: 'select 1' }, {}, '10.0.0.2')).isOk()).toBe(true);
    engine.releaseHeld();
    await service.drain();
  });

  it('gives the slot and the plan back when a start is refused or cannot be stored', async () => {
    const failing = createInMemoryEventStore();
    const { service, engine } = setup({ maxInFlight: 1 });
    expect((await service.start({ sql: 'drop table events' })).isErr()).toBe(true);
    expect((await service.start({ sql: 'select 1' })).isOk()).toBe(true);
    await service.drain();
    expect(service.inFlight()).toBe(0);
    expect(engine.open()).toBe(0);
    // A store that refuses the append: the plan is released and the slot freed.
    const clock = () => '2026-11-22T10:00:00.000Z';
    const broken = createQuerySessionService({
      commands: commandsOn(
        { ...failing, append: () => errAsync(storeUnavailable('disk on fire')) },
        createInMemoryEventBus(),
        clock,
      ),
      engine,
      cache: createQueryCache({ ttlMs: 1000 }),
      limits: LIMITS,
      savedQueries: SAVED_QUERIES,
      clock,
      maxInFlight: 1,
    });
    const refused = await broken.start({ sql: 'select 1' });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ type: 'StoreUnavailable' });
    expect(broken.inFlight()).toBe(0);
    expect(engine.open()).toBe(0);
  });

  it('fails sessions abandoned by a dead process, once, and never a recent one', async () => {
    let now = Date.parse('2026-11-22T10:00:00.000Z');
    const store = createInMemoryEventStore();
    const bus = createInMemoryEventBus();
    const engine = createScriptedAnalyticsEngine();
    const clock = () => new Date(now).toISOString();
    const service = createQuerySessionService({
      commands: commandsOn(store, bus, clock),
      engine,
      cache: createQueryCache({ ttlMs: 1000 }),
      limits: LIMITS,
      savedQueries: SAVED_QUERIES,
      clock,
      catchUpWaitMs: 0,
    });
    // A session whose QueryStarted was stored by a process that then died.
    const id = randomUUID();
    await store.append({
      aggregateType: 'QuerySession',
      aggregateId: id,
      expectedVersion: 0,
      events: [
        {
          id: randomUUID(),
          type: 'QueryStarted',
          data: { id, sql: 'select 1', name: null, startedAt: new Date(now).toISOString() },
        },
      ],
    });
    const session = { id, startedAt: new Date(now).toISOString() };
    now += 5000; // within time limit + grace: it may still be running somewhere
    expect(await service.failAbandoned([session])).toBe(0);
    now += 10_000;
    expect(await service.failAbandoned([session])).toBe(1);
    expect(store.events.at(-1)).toMatchObject({
      eventType: 'QueryFailed',
      payload: { error: 'abandoned: the server stopped while the query ran' },
    });
    // A second sweep is refused by the decider: the session already ended.
    expect(await service.failAbandoned([session])).toBe(0);
    expect(store.events).toHaveLength(2);
  });

  it('feeds the sessions projection: executing, then completed or failed', async () => {
    const { store, bus, service } = setup();
    const runner = createProjectionRunner({ store, bus, projection: querySessionsProjection });
    await runner.start();
    const ok = (await service.start({ sql: 'select 1' }))._unsafeUnwrap();
    expect(runner.state().get(ok.id)?.status).toBe('executing');
    await ok.finished;
    const bad = (await service.start({ sql: 'select sleep(1)' }))._unsafeUnwrap();
    await bad.finished;
    await vi.waitFor(() => {
      expect(runner.state().get(ok.id)).toMatchObject({ status: 'completed', rowCount: 1 });
      expect(runner.state().get(bad.id)).toMatchObject({
        status: 'failed',
        error: 'stopped at the time limit',
      });
    });
    await runner.stop();
  });
});
