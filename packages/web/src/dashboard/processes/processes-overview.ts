import type {
  EventStore,
  InstanceRow,
  LeaseRow,
  OutboxRow,
  ProcessRunner,
  TimerRow,
} from '@ironstar/application';
import { err, ok, type Result } from 'neverthrow';

/** Instances, timers and outbox rows listed per manager, at most (newest first). */
export const PROCESSES_LIST_LIMIT = 50;

/** One manager as `/processes` and `GET /api/processes` show it. */
export type ManagerOverview = {
  readonly name: string;
  /** Whether this server process holds the lease (and so consumes, fires and sends). */
  readonly active: boolean;
  /** A bug that stopped this server's runner (decide threw, say), until it restarts. */
  readonly failed: string | null;
  readonly lease: LeaseRow | null;
  readonly checkpoint: number;
  readonly head: number;
  readonly lag: number;
  readonly instances: readonly Omit<InstanceRow, 'manager'>[];
  readonly timers: readonly Omit<TimerRow, 'manager' | 'correlationId'>[];
  readonly outbox: readonly Omit<OutboxRow, 'manager'>[];
};

/** Every manager's overview; one store read each, every list bounded. */
export const overviewOf = async (
  runners: readonly ProcessRunner[],
  store: Pick<EventStore, 'head'>,
): Promise<Result<readonly ManagerOverview[], string>> => {
  const head = await store.head();
  if (head.isErr()) return err(head.error.message);
  const managers: ManagerOverview[] = [];
  for (const runner of runners) {
    const seen = await runner.overview(PROCESSES_LIST_LIMIT);
    if (seen.isErr()) return err(seen.error.message);
    const { lease, instances, timers, outbox } = seen.value;
    // The holder's memory may be ahead of the saved checkpoint (events it had no business with).
    const checkpoint = Math.max(seen.value.checkpoint, runner.isActive() ? runner.position() : 0);
    managers.push({
      name: runner.name,
      active: runner.isActive(),
      failed: failureOf(runner.failure()),
      lease,
      checkpoint,
      head: head.value,
      lag: Math.max(0, head.value - checkpoint),
      instances: instances.map(({ manager: _, ...row }) => row),
      timers: timers.map(({ manager: _, correlationId: __, ...row }) => row),
      outbox: outbox.map(({ manager: _, ...row }) => row),
    });
  }
  return ok(managers);
};

const failureOf = (failure: unknown): string | null =>
  failure === undefined ? null : failure instanceof Error ? failure.message : String(failure);
