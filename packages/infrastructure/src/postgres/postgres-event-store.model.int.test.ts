import type { EventStore, ExpectedVersion } from '@ironstar/application';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';
import { getPostgresEventStore } from './postgres-event-store';

type Op =
  | {
      kind: 'append';
      stream: number;
      events: number;
      expected: 'right' | 'stale' | 'ahead' | 'any' | 'noStream' | 'streamExists';
    }
  | { kind: 'readStream'; stream: number }
  | { kind: 'readAll'; after: number; limit: number }
  | { kind: 'reopen' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      stream: fc.integer({ min: 0, max: 3 }),
      events: fc.integer({ min: 0, max: 3 }),
      expected: fc.constantFrom('right', 'stale', 'ahead', 'any', 'noStream', 'streamExists'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('readStream' as const),
      stream: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('readAll' as const),
      after: fc.integer({ min: 0, max: 30 }),
      limit: fc.integer({ min: 1, max: 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

/** The model: what a correct store holds after the same operations. */
type Model = { log: Array<{ stream: number; type: string }>; versions: number[] };

let cluster: PostgresCluster;
let url: string;
let runs = 0;
beforeAll(async () => {
  cluster = await startPostgresCluster();
  url = await cluster.createDatabase();
  await (await getPostgresEventStore({ url })).close(); // creates the tables
}, 60_000);
afterAll(() => cluster?.stop());

const reset = async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('TRUNCATE events, commands');
  } finally {
    await client.end();
  }
};

describe('PostgreSQL event store against an in-memory model (fast-check)', () => {
  it('agrees with the model on every append, read and reopen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        // One database for the file, emptied before each run (a new database per run is slow).
        const run = ++runs;
        await reset();
        let store: EventStore = await getPostgresEventStore({ url });
        const model: Model = { log: [], versions: [0, 0, 0, 0] };
        let n = 0;
        try {
          for (const o of ops) {
            if (o.kind === 'reopen') {
              await store.close();
              store = await getPostgresEventStore({ url });
              continue;
            }
            if (o.kind === 'readStream') {
              const events = (await store.readStream('S', String(o.stream)))._unsafeUnwrap();
              const expected = model.log.filter((e) => e.stream === o.stream).map((e) => e.type);
              expect(events.map((e) => e.eventType)).toEqual(expected);
              expect(events.map((e) => e.aggregateSequence)).toEqual(expected.map((_, i) => i + 1));
              continue;
            }
            if (o.kind === 'readAll') {
              const page = (
                await store.readAll({ after: o.after, limit: o.limit })
              )._unsafeUnwrap();
              const expected = model.log.slice(o.after, o.after + o.limit);
              expect(page.map((e) => [e.globalSequence, e.eventType])).toEqual(
                expected.map((e, i) => [o.after + i + 1, e.type]),
              );
              continue;
            }
            const actual = model.versions[o.stream] ?? 0;
            const expectedVersion: ExpectedVersion =
              o.expected === 'right'
                ? actual
                : o.expected === 'stale'
                  ? actual - 1
                  : o.expected === 'ahead'
                    ? actual + 1
                    : o.expected;
            const accepts =
              expectedVersion === 'any' ||
              (expectedVersion === 'noStream' && actual === 0) ||
              (expectedVersion === 'streamExists' && actual > 0) ||
              expectedVersion === actual;
            const types = Array.from({ length: o.events }, () => `E${++n}`);
            const result = await store.append({
              aggregateType: 'S',
              aggregateId: String(o.stream),
              expectedVersion,
              events: types.map((type) => ({ id: `${type}-${run}`, type, data: { type } })),
            });
            if (accepts) {
              expect(result._unsafeUnwrap().version).toBe(actual + o.events);
              for (const type of types) model.log.push({ stream: o.stream, type });
              model.versions[o.stream] = actual + o.events;
            } else {
              expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'ConcurrencyError', actual });
            }
            expect((await store.head())._unsafeUnwrap()).toBe(model.log.length);
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
