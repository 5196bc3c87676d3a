import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore, NewEvent } from '../event-store';
import { processStreamType } from '../process-manager';
import type { ProcessStep, ProcessStore } from '../process-store';

export type ProcessStoreFixture = {
  readonly store: EventStore;
  readonly processes: ProcessStore;
  /** Closes and opens the same storage again (durable stores only). */
  readonly reopen?: () => Promise<{ store: EventStore; processes: ProcessStore }>;
  readonly cleanup?: () => Promise<void>;
};

const M = 'contract-manager';
const event = (type = 'InputReceived', data: unknown = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
});
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** A step with everything empty but what a test sets. */
const stepOf = (overrides: Partial<ProcessStep> & { instanceId: string }): ProcessStep => ({
  manager: M,
  owner: 'one',
  expectedVersion: 0,
  events: [event()],
  commands: [],
  setTimers: [],
  cancelTimers: [],
  instance: { state: { n: 1 }, done: false, updatedAt: iso(0) },
  ...overrides,
});

const outboxOf = (id: string, instanceId: string, nextAttemptAt = iso(0)) => ({
  id,
  manager: M,
  instanceId,
  key: 'k',
  aggregateType: 'Target',
  aggregateId: 't1',
  command: { type: 'Do', data: { x: '<b>é</b>' } },
  correlationId: 'corr',
  causationId: 'cause',
  nextAttemptAt,
});

const timerOf = (id: string, instanceId: string, name: string, dueAt: string) => ({
  id,
  manager: M,
  instanceId,
  name,
  dueAt,
  correlationId: 'corr',
});

/**
 * What every ProcessStore must do, run against each adapter (in-memory, libSQL) so the fake
 * cannot drift from the real one. The store's clock must be the real time.
 */
export const describeProcessStoreContract = (
  name: string,
  setup: () => Promise<ProcessStoreFixture>,
  capabilities: { readonly durable: boolean },
) => {
  describe(`ProcessStore contract: ${name}`, () => {
    let fixture: ProcessStoreFixture;
    let store: EventStore;
    let processes: ProcessStore;
    beforeEach(async () => {
      fixture = await setup();
      ({ store, processes } = fixture);
      expect((await processes.acquireLease(M, 'one', 60_000))._unsafeUnwrap()).toBe(true);
    });
    afterEach(async () => {
      try {
        await store.close();
      } finally {
        await fixture.cleanup?.();
      }
    });
    const overview = async () => (await processes.overview(M, 50))._unsafeUnwrap();

    it('gives the lease to one owner at a time, renews it, and frees it on release or expiry', async () => {
      expect((await processes.acquireLease(M, 'two', 60_000))._unsafeUnwrap()).toBe(false);
      expect((await processes.acquireLease(M, 'one', 60_000))._unsafeUnwrap()).toBe(true);
      expect((await overview()).lease?.owner).toBe('one');
      await processes.releaseLease(M, 'two'); // not its lease: nothing happens
      expect((await processes.acquireLease(M, 'two', 60_000))._unsafeUnwrap()).toBe(false);
      await processes.releaseLease(M, 'one');
      expect((await processes.acquireLease(M, 'two', 1))._unsafeUnwrap()).toBe(true);
      // A lease of 1 ms expires: another owner may take it then, and only then.
      await vi.waitFor(async () =>
        expect((await processes.acquireLease(M, 'three', 60_000))._unsafeUnwrap()).toBe(true),
      );
      expect((await processes.acquireLease(M, 'two', 60_000))._unsafeUnwrap()).toBe(false);
      expect((await processes.acquireLease('other-manager', 'two', 60_000))._unsafeUnwrap()).toBe(
        true,
      );
    });

    it('records a step in one go: events through the store, checkpoint, outbox, timers, instance', async () => {
      await store.append({
        aggregateType: 'Order',
        aggregateId: 'o1',
        expectedVersion: 0,
        events: [event('OrderSubmitted')],
      });
      const step = stepOf({
        instanceId: 'o1',
        events: [event('InputReceived', { input: 1 }), event('CommandScheduled')],
        checkpoint: 1,
        commands: [outboxOf('cmd-1', 'o1')],
        setTimers: [timerOf('timer-1', 'o1', 'deadline', iso(60_000))],
      });
      const [recorded] = (await processes.record([step]))._unsafeUnwrap();
      expect(recorded?.type).toBe('Recorded');
      const stored = (await store.readStream(processStreamType(M), 'o1'))._unsafeUnwrap();
      expect(stored.map((e) => [e.globalSequence, e.aggregateSequence, e.eventType])).toEqual([
        [2, 1, 'InputReceived'],
        [3, 2, 'CommandScheduled'],
      ]);
      expect(recorded?.type === 'Recorded' && recorded.events.map((e) => e.id)).toEqual(
        step.events.map((e) => e.id),
      );
      const seen = await overview();
      expect(seen.checkpoint).toBe(1);
      expect(seen.outbox).toEqual([
        { ...step.commands[0], status: 'pending', attempts: 0, lastError: null },
      ]);
      expect(seen.timers).toEqual([
        timerOf('timer-1', 'o1', 'deadline', step.setTimers[0]?.dueAt ?? ''),
      ]);
      expect(seen.instances).toEqual([
        {
          manager: M,
          instanceId: 'o1',
          version: 2,
          state: { n: 1 },
          done: false,
          updatedAt: step.instance.updatedAt,
        },
      ]);
      // The next append anywhere continues the same gap-free sequence.
      const next = await store.append({
        aggregateType: 'Order',
        aggregateId: 'o1',
        expectedVersion: 1,
        events: [event('OrderValidated')],
      });
      expect(next._unsafeUnwrap().events[0]?.globalSequence).toBe(4);
    });

    it('writes nothing for a step whose lease is gone or whose stream moved', async () => {
      const lost = await processes.record([
        stepOf({ instanceId: 'a', owner: 'two', checkpoint: 9, commands: [outboxOf('c', 'a')] }),
      ]);
      expect(lost._unsafeUnwrapErr()).toEqual({ type: 'LeaseLost', manager: M });
      const moved = await processes.record([
        stepOf({
          instanceId: 'a',
          expectedVersion: 3,
          checkpoint: 9,
          commands: [outboxOf('c', 'a')],
          setTimers: [timerOf('t', 'a', 'n', iso(0))],
        }),
      ]);
      expect(moved._unsafeUnwrapErr()).toMatchObject({ type: 'ConcurrencyError', actual: 0 });
      expect((await store.head())._unsafeUnwrap()).toBe(0);
      expect(await overview()).toMatchObject({
        checkpoint: 0,
        outbox: [],
        timers: [],
        instances: [],
      });
    });

    it('writes several steps all or none: one refused step refuses the whole call', async () => {
      const refused = await processes.record([
        stepOf({ instanceId: 'a', checkpoint: 3, commands: [outboxOf('c1', 'a')] }),
        stepOf({ instanceId: 'b', expectedVersion: 7 }),
      ]);
      expect(refused._unsafeUnwrapErr()).toMatchObject({
        type: 'ConcurrencyError',
        aggregateId: 'b',
      });
      expect((await store.head())._unsafeUnwrap()).toBe(0);
      expect(await overview()).toMatchObject({ checkpoint: 0, outbox: [], instances: [] });
      const a1 = stepOf({ instanceId: 'a', checkpoint: 3 });
      const results = await processes.record([
        a1,
        stepOf({ instanceId: 'a', expectedVersion: 1, checkpoint: 4 }),
        a1, // the same input again, in the same call: a duplicate
        stepOf({ instanceId: 'b', checkpoint: 5 }),
      ]);
      expect(results._unsafeUnwrap().map((r) => r.type)).toEqual([
        'Recorded',
        'Recorded',
        'Duplicate',
        'Recorded',
      ]);
      const seen = await overview();
      expect(seen.checkpoint).toBe(5);
      expect(seen.instances.map((row) => [row.instanceId, row.version]).sort()).toEqual([
        ['a', 2],
        ['b', 1],
      ]);
    });

    it('records an input once: a second step with the same first event only moves the checkpoint', async () => {
      const first = event();
      await processes.record([stepOf({ instanceId: 'a', events: [first], checkpoint: 1 })]);
      const again = await processes.record([
        stepOf({
          instanceId: 'a',
          expectedVersion: 1,
          events: [first, event()],
          checkpoint: 5,
          commands: [outboxOf('c', 'a')],
        }),
      ]);
      expect(again._unsafeUnwrap()).toEqual([{ type: 'Duplicate' }]);
      expect((await store.readStream(processStreamType(M), 'a'))._unsafeUnwrap()).toHaveLength(1);
      expect(await overview()).toMatchObject({ checkpoint: 5, outbox: [] });
    });

    it('fires a pending timer once, cancels timers by name, and never fires a cancelled one', async () => {
      await processes.record([
        stepOf({
          instanceId: 'a',
          setTimers: [
            timerOf('t1', 'a', 'soon', iso(-1000)),
            timerOf('t2', 'a', 'later', iso(-500)),
          ],
        }),
      ]);
      await processes.record([
        stepOf({ instanceId: 'b', setTimers: [timerOf('t3', 'b', 'soon', iso(60_000))] }),
      ]);
      const due = (await processes.dueTimers(M, iso(0), 10))._unsafeUnwrap();
      expect(due.map((t) => t.id)).toEqual(['t1', 't2']);
      expect((await processes.dueTimers(M, iso(0), 1))._unsafeUnwrap().map((t) => t.id)).toEqual([
        't1',
      ]);
      expect((await processes.dueTimers('other', iso(0), 10))._unsafeUnwrap()).toEqual([]);
      const fire = stepOf({
        instanceId: 'a',
        expectedVersion: 1,
        firedTimer: 't1',
        cancelTimers: ['later'],
      });
      expect((await processes.record([fire]))._unsafeUnwrap()[0]?.type).toBe('Recorded');
      expect((await overview()).timers.map((t) => t.id)).toEqual(['t3']);
      // Fired or cancelled: a later step firing either is a duplicate and writes nothing.
      for (const id of ['t1', 't2']) {
        const refire = stepOf({ instanceId: 'a', expectedVersion: 2, firedTimer: id });
        expect((await processes.record([refire]))._unsafeUnwrap()).toEqual([{ type: 'Duplicate' }]);
      }
      expect((await store.readStream(processStreamType(M), 'a'))._unsafeUnwrap()).toHaveLength(2);
    });

    it('retries, parks and re-queues outbox rows; a sent row is gone', async () => {
      await processes.record([
        stepOf({
          instanceId: 'a',
          commands: [
            outboxOf('c1', 'a', iso(-10)),
            outboxOf('c2', 'a', iso(-5)),
            outboxOf('c3', 'a', iso(60_000)),
          ],
        }),
      ]);
      expect((await processes.dueCommands(M, iso(0), 10))._unsafeUnwrap().map((r) => r.id)).toEqual(
        ['c1', 'c2'],
      );
      await processes.commandFailed('c1', {
        attempts: 1,
        status: 'pending',
        nextAttemptAt: iso(30_000),
        error: 'busy',
      });
      await processes.commandFailed('c2', {
        attempts: 5,
        status: 'parked',
        nextAttemptAt: iso(0),
        error: 'down',
      });
      expect((await processes.dueCommands(M, iso(0), 10))._unsafeUnwrap()).toEqual([]);
      const parked = (await overview()).outbox;
      expect(parked.map((r) => [r.id, r.status, r.attempts, r.lastError])).toEqual([
        ['c2', 'parked', 5, 'down'],
        ['c1', 'pending', 1, 'busy'],
        ['c3', 'pending', 0, null],
      ]);
      expect((await processes.retryParked(M, 'c1', iso(0)))._unsafeUnwrap()).toBe(false);
      expect((await processes.retryParked('other', 'c2', iso(0)))._unsafeUnwrap()).toBe(false);
      expect((await processes.retryParked(M, 'c2', iso(-1)))._unsafeUnwrap()).toBe(true);
      const [again] = (await processes.dueCommands(M, iso(0), 10))._unsafeUnwrap();
      expect(again).toMatchObject({ id: 'c2', status: 'pending', attempts: 0 });
      await processes.commandsSent(['c2', 'c3']);
      expect((await overview()).outbox.map((r) => r.id)).toEqual(['c1']);
      await processes.commandsSent([]);
    });

    it('answers a command once: the step for a row already answered is a duplicate', async () => {
      await processes.record([stepOf({ instanceId: 'a', commands: [outboxOf('c1', 'a')] })]);
      const answer = stepOf({ instanceId: 'a', expectedVersion: 1, answeredCommand: 'c1' });
      expect((await processes.record([answer]))._unsafeUnwrap()[0]?.type).toBe('Recorded');
      expect((await overview()).outbox).toEqual([]);
      const twice = stepOf({ instanceId: 'a', expectedVersion: 2, answeredCommand: 'c1' });
      expect((await processes.record([twice]))._unsafeUnwrap()).toEqual([{ type: 'Duplicate' }]);
    });

    it('moves the checkpoint forward only, and only for the lease holder', async () => {
      expect((await processes.checkpoint(M))._unsafeUnwrap()).toBe(0);
      await processes.saveCheckpoint(M, 'one', 7);
      await processes.saveCheckpoint(M, 'one', 3);
      expect((await processes.checkpoint(M))._unsafeUnwrap()).toBe(7);
      expect((await processes.saveCheckpoint(M, 'two', 9))._unsafeUnwrapErr()).toEqual({
        type: 'LeaseLost',
        manager: M,
      });
      expect((await processes.checkpoint(M))._unsafeUnwrap()).toBe(7);
    });

    it('lists at most the limit, newest instances first', async () => {
      for (const [i, id] of ['a', 'b', 'c'].entries()) {
        await processes.record([
          stepOf({
            instanceId: id,
            instance: { state: { i }, done: i === 2, updatedAt: iso(i * 1000) },
          }),
        ]);
      }
      const listed = (await processes.overview(M, 2))._unsafeUnwrap().instances;
      expect(listed.map((row) => [row.instanceId, row.done])).toEqual([
        ['c', true],
        ['b', false],
      ]);
    });

    // Skipped, not passed, where the adapter keeps nothing across a reopen.
    it.skipIf(!capabilities.durable)('keeps everything across a reopen', async () => {
      if (!fixture.reopen) throw new Error(`${name} is declared durable but has no reopen`);
      await processes.record([
        stepOf({
          instanceId: 'a',
          checkpoint: 4,
          commands: [outboxOf('c1', 'a')],
          setTimers: [timerOf('t1', 'a', 'n', iso(1000))],
        }),
      ]);
      await store.close();
      ({ store, processes } = await fixture.reopen());
      const seen = await overview();
      expect(seen).toMatchObject({ checkpoint: 4, lease: { owner: 'one' } });
      expect(seen.outbox.map((r) => r.id)).toEqual(['c1']);
      expect(seen.timers.map((t) => t.id)).toEqual(['t1']);
      expect(seen.instances.map((row) => row.instanceId)).toEqual(['a']);
    });
  });
};
