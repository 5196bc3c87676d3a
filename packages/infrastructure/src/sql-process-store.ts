import {
  type AppendRequest,
  type AppendResult,
  type InstanceRow,
  type LeaseRow,
  type OutboxRow,
  type ProcessStep,
  type ProcessStore,
  processStreamType,
  type StepDuplicate,
  type StepError,
  type StepRecorded,
  type StoreUnavailable,
  type TimerRow,
} from '@ironstar/application';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { Abort } from './append-abort';

/** Rows of a statement (none for a statement that returns none). */
export type SqlQuery = (sql: string, args: readonly unknown[]) => Promise<ArrayLike<unknown>[]>;

/** Inside one write transaction of the event store's database. */
export type SqlWrite = {
  readonly q: SqlQuery;
  /** Appends through the event store's own append path; throws Abort when refused. */
  readonly append: (request: AppendRequest) => Promise<AppendResult>;
  /** Taken before a batch of steps, so their duplicate checks see every committed step. */
  readonly lockForSteps: () => Promise<void>;
};

/** What differs between the SQL databases the process store runs on. */
export type ProcessStoreDriver = {
  readonly dialect: 'sqlite' | 'postgres';
  /** One write transaction; whatever `work` throws rolls it back and is thrown again as is. */
  readonly write: <T>(work: (tx: SqlWrite) => Promise<T>) => Promise<T>;
  readonly read: SqlQuery;
  /** A JSON column as the driver returns it: PostgreSQL parses json, SQLite gives text. */
  readonly json: (value: unknown) => unknown;
  readonly toUnavailable: (error: unknown) => StoreUnavailable;
  readonly clock: () => string;
};

/** Thrown inside the step's transaction to roll it back with this answer. */
export class Refuse {
  readonly error: StepError;
  constructor(error: StepError) {
    this.error = error;
  }
}

const later = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();

/**
 * The process store on the event store's own database, libSQL or PostgreSQL: a step is one
 * write transaction appending through the store's append path (same sequencing, same version
 * check) next to the checkpoint, outbox, timer and instance rows. Only SQL dialect, JSON
 * decoding and the transaction differ (the driver).
 */
export const createSqlProcessStore = (driver: ProcessStoreDriver): ProcessStore => {
  const { clock, json, toUnavailable } = driver;
  const sql = statements(driver.dialect);
  const attempt = <T>(work: () => Promise<T>) =>
    ResultAsync.fromPromise(work(), (error): StoreUnavailable => toUnavailable(error));
  const write = driver.write;
  const read = driver.read;
  const query = (text: string, args: unknown[]) => attempt(() => read(text, args));

  const holds = async (q: SqlQuery, manager: string, owner: string) => {
    const [row] = await q(sql.LEASE, [manager]);
    return row !== undefined && row[0] === owner && String(row[1]) > clock();
  };

  /** One step inside the caller's transaction; throws Refuse to roll the whole call back. */
  const recordIn = async (
    tx: SqlWrite,
    step: ProcessStep,
  ): Promise<StepRecorded | StepDuplicate> => {
    const { q } = tx;
    if (!(await holds(q, step.manager, step.owner))) {
      throw new Refuse({ type: 'LeaseLost', manager: step.manager });
    }
    const first = step.events[0];
    const seen = first !== undefined && (await q(sql.EVENT_EXISTS, [first.id])).length > 0;
    const gone =
      (step.firedTimer !== undefined &&
        (await q(sql.TIMER_EXISTS, [step.firedTimer])).length === 0) ||
      (step.answeredCommand !== undefined &&
        (await q(sql.OUTBOX_EXISTS, [step.answeredCommand])).length === 0);
    if (step.checkpoint !== undefined) await q(sql.FORWARD, [step.checkpoint, step.manager]);
    if (seen || gone) return { type: 'Duplicate' };
    let appended: AppendResult;
    try {
      appended = await tx.append({
        aggregateType: processStreamType(step.manager),
        aggregateId: step.instanceId,
        expectedVersion: step.expectedVersion,
        events: step.events,
      });
    } catch (error) {
      if (!(error instanceof Abort) || typeof error.error !== 'number') throw error;
      throw new Refuse({
        type: 'ConcurrencyError',
        aggregateType: processStreamType(step.manager),
        aggregateId: step.instanceId,
        expected: step.expectedVersion,
        actual: error.error,
      });
    }
    for (const name of step.cancelTimers) {
      await q(sql.CANCEL_TIMER, [step.manager, step.instanceId, name]);
    }
    if (step.firedTimer !== undefined) await q(sql.DELETE_TIMER, [step.firedTimer]);
    if (step.answeredCommand !== undefined) await q(sql.DELETE_OUTBOX, [step.answeredCommand]);
    for (const t of step.setTimers) {
      await q(sql.INSERT_TIMER, [t.id, t.manager, t.instanceId, t.name, t.dueAt, t.correlationId]);
    }
    for (const c of step.commands) {
      await q(sql.INSERT_OUTBOX, [
        c.id,
        c.manager,
        c.instanceId,
        c.key,
        c.aggregateType,
        c.aggregateId,
        JSON.stringify(c.command),
        c.correlationId,
        c.causationId,
        c.nextAttemptAt,
      ]);
    }
    await q(sql.UPSERT_INSTANCE, [
      step.manager,
      step.instanceId,
      appended.version,
      JSON.stringify(step.instance.state ?? null),
      step.instance.done ? 1 : 0,
      step.instance.updatedAt,
    ]);
    return { type: 'Recorded', events: appended.events };
  };
  const record = (steps: readonly ProcessStep[]) =>
    write(async (tx) => {
      await tx.lockForSteps();
      const results: (StepRecorded | StepDuplicate)[] = [];
      for (const step of steps) results.push(await recordIn(tx, step));
      return results;
    });

  const timerOf = (row: ArrayLike<unknown>): TimerRow => ({
    id: String(row[0]),
    manager: String(row[1]),
    instanceId: String(row[2]),
    name: String(row[3]),
    dueAt: String(row[4]),
    correlationId: text(row[5]),
  });
  const outboxOf = (row: ArrayLike<unknown>): OutboxRow => ({
    id: String(row[0]),
    manager: String(row[1]),
    instanceId: String(row[2]),
    key: String(row[3]),
    aggregateType: String(row[4]),
    aggregateId: String(row[5]),
    command: json(row[6]) as OutboxRow['command'],
    correlationId: text(row[7]),
    causationId: String(row[8]),
    status: row[9] === 'parked' ? 'parked' : 'pending',
    attempts: Number(row[10]),
    nextAttemptAt: String(row[11]),
    lastError: text(row[12]),
  });
  const instanceOf = (row: ArrayLike<unknown>): InstanceRow => ({
    manager: String(row[0]),
    instanceId: String(row[1]),
    version: Number(row[2]),
    state: json(row[3]),
    done: Number(row[4]) === 1,
    updatedAt: String(row[5]),
  });

  return {
    acquireLease: (manager, owner, ttlMs) =>
      attempt(() =>
        write(async ({ q }) => {
          const now = clock();
          const rows = await q(sql.ACQUIRE, [manager, owner, later(now, ttlMs), now]);
          return rows.length > 0;
        }),
      ),
    releaseLease: (manager, owner) =>
      attempt(() => write(async ({ q }) => void (await q(sql.RELEASE, [manager, owner])))),
    checkpoint: (manager) => query(sql.CHECKPOINT, [manager]).map(([row]) => Number(row?.[0] ?? 0)),
    saveCheckpoint: (manager, owner, position) =>
      new ResultAsync(
        write(async ({ q }) => {
          if (!(await holds(q, manager, owner))) throw new Refuse({ type: 'LeaseLost', manager });
          await q(sql.FORWARD, [position, manager]);
        }).then(
          () => ok(undefined),
          (error: unknown) =>
            error instanceof Refuse && error.error.type === 'LeaseLost'
              ? err(error.error)
              : err(toUnavailable(error)),
        ),
      ),
    record: (steps) =>
      new ResultAsync(
        record(steps).then(
          (value): Result<readonly (StepRecorded | StepDuplicate)[], StepError> => ok(value),
          (error: unknown) => err(error instanceof Refuse ? error.error : toUnavailable(error)),
        ),
      ),
    dueTimers: (manager, now, limit) =>
      query(sql.DUE_TIMERS, [manager, now, limit]).map((rows) => rows.map(timerOf)),
    dueCommands: (manager, now, limit) =>
      query(sql.DUE_COMMANDS, [manager, now, limit]).map((rows) => rows.map(outboxOf)),
    commandsSent: (ids) =>
      attempt(async () => {
        if (ids.length === 0) return;
        await write(async ({ q }) => {
          for (const id of ids) await q(sql.DELETE_OUTBOX, [id]);
        });
      }),
    commandFailed: (id, outcome) =>
      attempt(() =>
        write(
          async ({ q }) =>
            void (await q(sql.FAIL_OUTBOX, [
              outcome.status,
              outcome.attempts,
              outcome.nextAttemptAt,
              outcome.error,
              id,
            ])),
        ),
      ),
    retryParked: (manager, id, now) =>
      attempt(() =>
        write(async ({ q }) => (await q(sql.RETRY_OUTBOX, [now, id, manager])).length > 0),
      ),
    overview: (manager, limit) =>
      attempt(async () => {
        const [head] = await read(sql.OVERVIEW_HEAD, [manager]);
        const lease: LeaseRow | null =
          head && head[1] !== null ? { owner: String(head[1]), expiresAt: String(head[2]) } : null;
        return {
          checkpoint: Number(head?.[0] ?? 0),
          lease,
          instances: (await read(sql.INSTANCES, [manager, limit])).map(instanceOf),
          timers: (await read(sql.TIMERS, [manager, limit])).map(timerOf),
          outbox: (await read(sql.OUTBOX, [manager, limit])).map(outboxOf),
        };
      }),
  };
};

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/**
 * The statements, written once with PostgreSQL's numbered parameters; SQLite reads `?NNN`
 * the same way. The lease row is read FOR UPDATE on PostgreSQL, so a lease taken over by
 * another process cannot change between the check and the commit (SQLite has one writer).
 */
const statements = (dialect: ProcessStoreDriver['dialect']) => {
  const pg = dialect === 'postgres';
  const SELECT_TIMERS =
    'SELECT id, manager, instance_id, name, due_at, correlation_id FROM process_timers';
  const SELECT_OUTBOX = `SELECT id, manager, instance_id, key, aggregate_type, aggregate_id,
  command, correlation_id, causation_id, status, attempts, next_attempt_at, last_error
  FROM process_outbox`;
  const SELECT_INSTANCES =
    'SELECT manager, instance_id, version, state, done, updated_at FROM process_instances';
  const texts = {
    LEASE: `SELECT lease_owner, lease_expires_at FROM process_managers WHERE name = $1${pg ? ' FOR UPDATE' : ''}`,
    // Takes the lease when free, expired or already ours, in one conditional write; RETURNING
    // gives a row only when the write happened.
    ACQUIRE: `INSERT INTO process_managers (name, checkpoint, lease_owner, lease_expires_at)
  VALUES ($1, 0, $2, $3)
  ON CONFLICT (name) DO UPDATE SET lease_owner = excluded.lease_owner,
    lease_expires_at = excluded.lease_expires_at
  WHERE process_managers.lease_owner IS NULL OR process_managers.lease_owner = excluded.lease_owner
    OR process_managers.lease_expires_at <= $4
  RETURNING lease_owner`,
    RELEASE: `UPDATE process_managers SET lease_owner = NULL, lease_expires_at = NULL
  WHERE name = $1 AND lease_owner = $2`,
    CHECKPOINT: 'SELECT checkpoint FROM process_managers WHERE name = $1',
    FORWARD: `UPDATE process_managers SET checkpoint = ${pg ? 'greatest' : 'max'}(checkpoint, $1) WHERE name = $2`,
    EVENT_EXISTS: 'SELECT 1 FROM events WHERE id = $1',
    TIMER_EXISTS: 'SELECT 1 FROM process_timers WHERE id = $1',
    OUTBOX_EXISTS: 'SELECT 1 FROM process_outbox WHERE id = $1',
    CANCEL_TIMER:
      'DELETE FROM process_timers WHERE manager = $1 AND instance_id = $2 AND name = $3',
    DELETE_TIMER: 'DELETE FROM process_timers WHERE id = $1',
    DELETE_OUTBOX: 'DELETE FROM process_outbox WHERE id = $1',
    INSERT_TIMER: `INSERT INTO process_timers (id, manager, instance_id, name, due_at,
  correlation_id) VALUES ($1, $2, $3, $4, $5, $6)`,
    INSERT_OUTBOX: `INSERT INTO process_outbox (id, manager, instance_id, key, aggregate_type,
  aggregate_id, command, correlation_id, causation_id, status, attempts, next_attempt_at,
  last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, NULL)`,
    FAIL_OUTBOX: `UPDATE process_outbox SET status = $1, attempts = $2, next_attempt_at = $3,
  last_error = $4 WHERE id = $5`,
    RETRY_OUTBOX: `UPDATE process_outbox SET status = 'pending', attempts = 0,
  next_attempt_at = $1 WHERE id = $2 AND manager = $3 AND status = 'parked' RETURNING id`,
    UPSERT_INSTANCE: `INSERT INTO process_instances (manager, instance_id, version, state,
  done, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (manager, instance_id) DO UPDATE SET version = excluded.version,
    state = excluded.state, done = excluded.done, updated_at = excluded.updated_at`,
    DUE_TIMERS: `${SELECT_TIMERS} WHERE manager = $1 AND due_at <= $2 ORDER BY due_at LIMIT $3`,
    DUE_COMMANDS: `${SELECT_OUTBOX} WHERE manager = $1 AND status = 'pending' AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3`,
    OVERVIEW_HEAD:
      'SELECT checkpoint, lease_owner, lease_expires_at FROM process_managers WHERE name = $1',
    INSTANCES: `${SELECT_INSTANCES} WHERE manager = $1 ORDER BY updated_at DESC LIMIT $2`,
    TIMERS: `${SELECT_TIMERS} WHERE manager = $1 ORDER BY due_at LIMIT $2`,
    OUTBOX: `${SELECT_OUTBOX} WHERE manager = $1 ORDER BY status = 'parked' DESC, next_attempt_at LIMIT $2`,
  };
  if (pg) return texts;
  // SQLite: ?NNN is its numbered parameter.
  return Object.fromEntries(
    Object.entries(texts).map(([name, text]) => [name, text.replace(/\$(\d+)/g, '?$1')]),
  ) as typeof texts;
};
