import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAggregateService } from '@ironstar/application';
import {
  createDuckDbAnalytics,
  getLibsqlEventStore,
  getZeroMqEventBus,
} from '@ironstar/infrastructure';
import { afterEach, describe, expect, it } from 'vitest';
import { TODO_SAVED_QUERIES } from '../todo/todo-saved-queries';
import { createQueryCache } from './query-cache';
import { querySessionAggregate } from './query-session-aggregate';
import { createQuerySessionService } from './query-session-service';
import { EVENT_LOG_QUERIES } from './saved-queries';

// Query sessions over the real engine: DuckDB in its own process, over a libSQL file.

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIMITS = { timeoutMs: 5000, maxRows: 100_000, maxBytes: 64 * 2 ** 20 };

const setup = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-duckdb-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const store = await getLibsqlEventStore({ url: `file:${join(dir, 'events.db')}` });
  cleanups.push(() => store.close());
  const bus = await getZeroMqEventBus({ endpoint: `inproc://duckdb-${randomUUID()}` });
  cleanups.push(() => bus.close());
  const analytics = await createDuckDbAnalytics({ store, bus });
  cleanups.push(() => analytics.close());
  await analytics.start();
  return { store, bus, analytics };
};

describe('the saved queries', { timeout: 60_000 }, () => {
  it("all pass the engine's allow-list and plan", async () => {
    const { analytics } = await setup();
    for (const query of [...EVENT_LOG_QUERIES, ...TODO_SAVED_QUERIES]) {
      const planned = await analytics.prepare(query.sql, LIMITS);
      expect(planned.isOk(), `${query.name}: ${planned.isErr() ? planned.error.message : ''}`).toBe(
        true,
      );
      if (planned.isOk()) planned.value.release();
    }
  });
});

describe('query sessions over the DuckDB projection', { timeout: 60_000 }, () => {
  it('serve a cached result until an event it depends on is applied, then fresh rows', async () => {
    const { store, bus, analytics } = await setup();
    const cache = createQueryCache({ ttlMs: 60_000 });
    analytics.onApplied((types) => cache.invalidate(types));
    const clock = () => new Date().toISOString();
    const service = createQuerySessionService({
      commands: createAggregateService(querySessionAggregate, {
        store,
        bus,
        clock,
        newId: randomUUID,
      }),
      engine: analytics,
      cache,
      limits: { ...LIMITS, maxRows: 100 },
      savedQueries: [...EVENT_LOG_QUERIES, ...TODO_SAVED_QUERIES],
      clock,
    });
    const todo = async (type: 'TodoCreated' | 'TodoCompleted', id: string, version: number) => {
      const appended = await store.append({
        aggregateType: 'Todo',
        aggregateId: id,
        expectedVersion: version,
        events: [{ id: randomUUID(), type, data: { id, text: `todo ${id}` } }],
      });
      await bus.publish(appended._unsafeUnwrap().events);
    };
    const run = async () => {
      const started = (await service.start({ saved: 'todo-completion-times' }))._unsafeUnwrap();
      await started.finished;
      const done = (await store.readStream('QuerySession', started.id))._unsafeUnwrap().at(-1);
      return { ...(done?.payload as { cached: boolean; rowCount: number }), id: started.id };
    };
    await todo('TodoCreated', 'a', 0);
    await todo('TodoCompleted', 'a', 1);
    const first = await run();
    expect(first).toMatchObject({ cached: false, rowCount: 1 });
    // Its own QuerySession events were applied meanwhile: they do not touch a Todo-only result.
    expect(await run()).toMatchObject({ cached: true, rowCount: 1 });
    await todo('TodoCreated', 'b', 0);
    await todo('TodoCompleted', 'b', 1);
    const fresh = await run(); // waits for the projection to reach its own start event
    expect(fresh).toMatchObject({ cached: false, rowCount: 2 });
    expect(service.result(fresh.id)?.rows.map((row) => row[0])).toEqual(
      expect.arrayContaining(['todo a', 'todo b']),
    );
  });
});
