import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventStore, ExpectedVersion } from '../event-store';

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

/** One run's empty storage: opened (and reopened, as after a restart) as often as asked. */
export type ModelStorage = {
  readonly open: () => Promise<EventStore>;
  /** Unique per run: event ids must not repeat across runs sharing a database. */
  readonly runId: string;
  readonly cleanup?: () => Promise<void>;
};

/**
 * fast-check drives random appends (right, stale, ahead and special expected versions), reads
 * and reopens against a durable store and an in-memory model of what it must hold; one
 * suite for every adapter, like the contract.
 */
export const describeEventStoreModel = (name: string, fresh: () => Promise<ModelStorage>) =>
  describe(`${name} against an in-memory model (fast-check)`, () => {
    it('agrees with the model on every append, read and reopen', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
          const storage = await fresh();
          let store = await storage.open();
          const model: Model = { log: [], versions: [0, 0, 0, 0] };
          let n = 0;
          try {
            for (const o of ops) {
              if (o.kind === 'reopen') {
                await store.close();
                store = await storage.open();
                continue;
              }
              if (o.kind === 'readStream') {
                const events = (await store.readStream('S', String(o.stream)))._unsafeUnwrap();
                const expected = model.log.filter((e) => e.stream === o.stream).map((e) => e.type);
                expect(events.map((e) => e.eventType)).toEqual(expected);
                expect(events.map((e) => e.aggregateSequence)).toEqual(
                  expected.map((_, i) => i + 1),
                );
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
                events: types.map((type) => ({
                  id: `${type}-${storage.runId}`,
                  type,
                  data: { type },
                })),
              });
              if (accepts) {
                expect(result._unsafeUnwrap().version).toBe(actual + o.events);
                for (const type of types) model.log.push({ stream: o.stream, type });
                model.versions[o.stream] = actual + o.events;
              } else {
                expect(result._unsafeUnwrapErr()).toMatchObject({
                  type: 'ConcurrencyError',
                  actual,
                });
              }
              expect((await store.head())._unsafeUnwrap()).toBe(model.log.length);
            }
          } finally {
            await store.close();
            await storage.cleanup?.();
          }
        }),
        { numRuns: 40 },
      );
    });
  });
