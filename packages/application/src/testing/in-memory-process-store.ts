import { err, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { EventStore, StoredEvent } from '../event-store';
import { processStreamType } from '../process-manager';
import type {
  InstanceRow,
  LeaseLost,
  LeaseRow,
  OutboxRow,
  ProcessStep,
  ProcessStore,
  StepDuplicate,
  StepError,
  StepRecorded,
  TimerRow,
} from '../process-store';

const later = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();

/**
 * The process store in memory, over the in-memory event store (whose append it reuses, so
 * sequencing and version checks are the store's own). Steps take turns, which is what makes
 * them atomic here. Passes the same contract suite as the libSQL adapter.
 */
export const createInMemoryProcessStore = (
  store: EventStore & { readonly events: readonly StoredEvent[] },
  options: { readonly clock?: () => string } = {},
): ProcessStore => {
  const clock = options.clock ?? (() => new Date().toISOString());
  const checkpoints = new Map<string, number>();
  const leases = new Map<string, LeaseRow>();
  const timers = new Map<string, TimerRow>();
  const outbox = new Map<string, OutboxRow>();
  const instances = new Map<string, InstanceRow>();
  const key = (manager: string, id: string) => `${manager}\u0000${id}`;

  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work, work);
    turn = next.catch(() => {});
    return next;
  };
  const holds = (manager: string, owner: string) => {
    const lease = leases.get(manager);
    return lease !== undefined && lease.owner === owner && lease.expiresAt > clock();
  };
  const forward = (manager: string, position: number) =>
    checkpoints.set(manager, Math.max(checkpoints.get(manager) ?? 0, position));

  const streamVersion = (step: ProcessStep) =>
    store.events.filter(
      (e) =>
        e.aggregateType === processStreamType(step.manager) && e.aggregateId === step.instanceId,
    ).length;

  /** All or nothing: every refusal is found before anything is written. */
  const refusalOf = (steps: readonly ProcessStep[]): StepError | undefined => {
    const versions = new Map<string, number>();
    const recorded = new Set<string>();
    const used = new Set<string>();
    for (const step of steps) {
      if (!holds(step.manager, step.owner)) return { type: 'LeaseLost', manager: step.manager };
      const first = step.events[0]?.id ?? '';
      const duplicate =
        recorded.has(first) ||
        store.events.some((event) => event.id === first) ||
        (step.firedTimer !== undefined &&
          (!timers.has(step.firedTimer) || used.has(step.firedTimer))) ||
        (step.answeredCommand !== undefined &&
          (!outbox.has(step.answeredCommand) || used.has(step.answeredCommand)));
      if (duplicate) continue;
      const stream = key(step.manager, step.instanceId);
      const actual = versions.get(stream) ?? streamVersion(step);
      if (actual !== step.expectedVersion) {
        return {
          type: 'ConcurrencyError',
          aggregateType: processStreamType(step.manager),
          aggregateId: step.instanceId,
          expected: step.expectedVersion,
          actual,
        };
      }
      versions.set(stream, actual + step.events.length);
      recorded.add(first);
      if (step.firedTimer !== undefined) used.add(step.firedTimer);
      if (step.answeredCommand !== undefined) used.add(step.answeredCommand);
    }
    return undefined;
  };

  const recordAll = async (
    steps: readonly ProcessStep[],
  ): Promise<Result<readonly (StepRecorded | StepDuplicate)[], StepError>> => {
    const refusal = refusalOf(steps);
    if (refusal) return err(refusal);
    const results: (StepRecorded | StepDuplicate)[] = [];
    for (const step of steps) {
      const result = await record(step);
      if (result.isErr()) throw new Error(`a checked step was refused: ${result.error.type}`);
      results.push(result.value);
    }
    return ok(results);
  };

  const record = async (
    step: ProcessStep,
  ): Promise<Result<StepRecorded | StepDuplicate, StepError>> => {
    const first = step.events[0];
    const seen = first !== undefined && store.events.some((event) => event.id === first.id);
    const gone =
      (step.firedTimer !== undefined && !timers.has(step.firedTimer)) ||
      (step.answeredCommand !== undefined && !outbox.has(step.answeredCommand));
    if (seen || gone) {
      if (step.checkpoint !== undefined) forward(step.manager, step.checkpoint);
      return ok({ type: 'Duplicate' as const });
    }
    const appended = await store.append({
      aggregateType: processStreamType(step.manager),
      aggregateId: step.instanceId,
      expectedVersion: step.expectedVersion,
      events: step.events,
    });
    if (appended.isErr()) {
      if (appended.error.type === 'DuplicateCommand') throw new Error('steps carry no command id');
      return err(appended.error);
    }
    if (step.checkpoint !== undefined) forward(step.manager, step.checkpoint);
    for (const row of step.commands) {
      outbox.set(row.id, {
        ...structuredClone(row),
        status: 'pending',
        attempts: 0,
        lastError: null,
      });
    }
    for (const [id, timer] of timers) {
      if (
        timer.manager === step.manager &&
        timer.instanceId === step.instanceId &&
        step.cancelTimers.includes(timer.name)
      ) {
        timers.delete(id);
      }
    }
    if (step.firedTimer !== undefined) timers.delete(step.firedTimer);
    if (step.answeredCommand !== undefined) outbox.delete(step.answeredCommand);
    for (const timer of step.setTimers) timers.set(timer.id, { ...timer });
    instances.set(key(step.manager, step.instanceId), {
      manager: step.manager,
      instanceId: step.instanceId,
      version: appended.value.version,
      ...structuredClone(step.instance),
    });
    return ok({ type: 'Recorded' as const, events: appended.value.events });
  };

  const newestFirst = <T extends { readonly updatedAt: string }>(a: T, b: T) =>
    a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0;

  return {
    acquireLease: (manager, owner, ttlMs) =>
      ResultAsync.fromSafePromise(
        inTurn(async () => {
          const now = clock();
          const lease = leases.get(manager);
          if (lease && lease.owner !== owner && lease.expiresAt > now) return false;
          leases.set(manager, { owner, expiresAt: later(now, ttlMs) });
          return true;
        }),
      ),
    releaseLease: (manager, owner) =>
      ResultAsync.fromSafePromise(
        inTurn(async () => {
          if (leases.get(manager)?.owner === owner) leases.delete(manager);
        }),
      ),
    checkpoint: (manager) => okAsync(checkpoints.get(manager) ?? 0),
    saveCheckpoint: (manager, owner, position) =>
      new ResultAsync(
        inTurn(async (): Promise<Result<void, LeaseLost>> => {
          if (!holds(manager, owner)) return err({ type: 'LeaseLost', manager });
          forward(manager, position);
          return ok(undefined);
        }),
      ),
    record: (steps) => new ResultAsync(inTurn(() => recordAll(steps))),
    dueTimers: (manager, now, limit) =>
      okAsync(
        [...timers.values()]
          .filter((timer) => timer.manager === manager && timer.dueAt <= now)
          .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0))
          .slice(0, limit)
          .map((timer) => ({ ...timer })),
      ),
    dueCommands: (manager, now, limit) =>
      okAsync(
        [...outbox.values()]
          .filter(
            (row) =>
              row.manager === manager && row.status === 'pending' && row.nextAttemptAt <= now,
          )
          .slice(0, limit)
          .map((row) => structuredClone(row)),
      ),
    commandsSent: (ids) => {
      for (const id of ids) outbox.delete(id);
      return okAsync(undefined);
    },
    commandFailed: (id, outcome) => {
      const row = outbox.get(id);
      if (row) {
        outbox.set(id, {
          ...row,
          attempts: outcome.attempts,
          status: outcome.status,
          nextAttemptAt: outcome.nextAttemptAt,
          lastError: outcome.error,
        });
      }
      return okAsync(undefined);
    },
    retryParked: (manager, id, now) => {
      const row = outbox.get(id);
      if (!row || row.manager !== manager || row.status !== 'parked') return okAsync(false);
      outbox.set(id, { ...row, status: 'pending', attempts: 0, nextAttemptAt: now });
      return okAsync(true);
    },
    overview: (manager, limit) =>
      okAsync({
        checkpoint: checkpoints.get(manager) ?? 0,
        lease: leases.get(manager) ?? null,
        instances: [...instances.values()]
          .filter((row) => row.manager === manager)
          .sort(newestFirst)
          .slice(0, limit)
          .map((row) => structuredClone(row)),
        timers: [...timers.values()]
          .filter((timer) => timer.manager === manager)
          .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0))
          .slice(0, limit),
        outbox: [...outbox.values()]
          .filter((row) => row.manager === manager)
          .sort((a, b) =>
            a.status === b.status
              ? a.nextAttemptAt < b.nextAttemptAt
                ? -1
                : 1
              : a.status === 'parked'
                ? -1
                : 1,
          )
          .slice(0, limit)
          .map((row) => structuredClone(row)),
      }),
  };
};
