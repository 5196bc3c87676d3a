import type { Message } from '@ironstar/domain';
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { type AggregateDefinition, eventReaderOrThrow } from './aggregate';
import { createAggregateStates, type SnapshotPolicy, type Source } from './aggregate-states';
import type { EventBus } from './event-bus';
import {
  type EventMetadata,
  type EventStore,
  type RecordedCommand,
  type StoredEvent,
  type StoreUnavailable,
  SYSTEM_ACTOR,
} from './event-store';

export type CommandOutcome = {
  readonly aggregateId: string;
  /** Events this command appended (empty when nothing changed, or when `replayed`). */
  readonly events: readonly StoredEvent[];
  /** Global sequence of the aggregate's last event after the command. */
  readonly sequence: number;
  /** Aggregate version after the command. */
  readonly version: number;
  /** True when this is the recorded answer to an earlier request with the same command id. */
  readonly replayed: boolean;
};

export type CommandError<DomainError> =
  | { readonly type: 'Rejected'; readonly error: DomainError }
  | { readonly type: 'Conflict'; readonly attempts: number; readonly message: string }
  | { readonly type: 'PreconditionFailed'; readonly expected: number; readonly actual: number }
  | { readonly type: 'IdempotencyMismatch'; readonly commandId: string }
  | StoreUnavailable;

export type HandleOptions = {
  readonly metadata?: EventMetadata;
  /** Idempotency: a retried command with the same id gets the first answer, appending nothing. */
  readonly commandId?: string;
  /** What the command says, so a reused id with different content can be refused. */
  readonly fingerprint?: string;
  /** If-Match: the stream must be at exactly this version; no retry on conflict. */
  readonly expectedVersion?: number;
  /**
   * The caller just made up this aggregate's id, so its stream is empty: skip reading it.
   * Safe even if wrong: the append's version check then fails and the command is retried.
   */
  readonly isNew?: boolean;
};

export type { SnapshotPolicy } from './aggregate-states';

export type CommandHandlerOptions<C extends Message, E extends Message, S, Err> = {
  readonly store: EventStore;
  readonly bus: EventBus;
  /** Its decider, type name and event versions. */
  readonly aggregate: AggregateDefinition<C, E, S, Err>;
  readonly newEventId: () => string;
  readonly snapshots?: SnapshotPolicy;
  /** Attempts on a lost optimistic-concurrency race before answering Conflict. */
  readonly maxAttempts?: number | undefined;
  /**
   * Aggregates whose state is kept in memory after a command (least recently used go first;
   * 0 turns the cache off). A stale entry is caught by the append's version check.
   */
  readonly stateCacheSize?: number | undefined;
  readonly onPublishError?: (error: unknown) => void;
  /** Waits between attempts; injectable so tests need not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * load (snapshot + tail) → decide → append with the expected version → publish.
 * A lost race re-runs the whole cycle on fresh state, with jittered backoff.
 */
export const createCommandHandler = <C extends Message, E extends Message, S, Err>(
  options: CommandHandlerOptions<C, E, S, Err>,
) => {
  const { store, bus, aggregate, newEventId, snapshots } = options;
  const { decider, type: aggregateType } = aggregate;
  const versions: Readonly<Record<string, number>> = aggregate.events;
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  // A stream holding an event its own aggregate cannot read is a bug, not a refusal.
  const readEvent = eventReaderOrThrow(aggregate);

  const replay = (
    recorded: RecordedCommand,
    fingerprint: string | undefined,
  ): Result<CommandOutcome, CommandError<Err>> =>
    fingerprint !== undefined && recorded.fingerprint !== fingerprint
      ? err({ type: 'IdempotencyMismatch', commandId: recorded.id })
      : ok({
          aggregateId: recorded.aggregateId,
          events: [],
          sequence: recorded.globalSequence,
          version: recorded.version,
          replayed: true,
        });

  const states = createAggregateStates({
    store,
    decider,
    aggregateType,
    readEvent,
    cacheSize: options.stateCacheSize ?? 10_000,
    ...(snapshots ? { snapshots } : {}),
  });

  const attempt = (
    aggregateId: string,
    command: C,
    metadata: EventMetadata,
    opts: HandleOptions,
    source: Source,
  ): ResultAsync<CommandOutcome | 'retry' | 'reload', CommandError<Err>> =>
    states.current(aggregateId, source, opts.isNew ?? false).andThen((loaded) => {
      // Anything but a successful append, decided on remembered state, is decided again on
      // the store's state: the memory may be behind another process.
      const recheck = source === 'cache';
      // With an expected version the state always comes from the store (see `source`).
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== loaded.version) {
        return errAsync({
          type: 'PreconditionFailed' as const,
          expected: opts.expectedVersion,
          actual: loaded.version,
        });
      }
      const decided = decider.decide(command, loaded.state);
      if (decided.isErr()) {
        if (recheck) return okAsync('reload' as const);
        return errAsync({ type: 'Rejected' as const, error: decided.error });
      }
      const { commandId, fingerprint } = opts;
      if (decided.value.length === 0 && commandId === undefined) {
        if (recheck) return okAsync('reload' as const);
        states.remember(aggregateId, loaded);
        return okAsync({
          aggregateId,
          events: [],
          sequence: loaded.sequence,
          version: loaded.version,
          replayed: false,
        });
      }
      return store
        .append({
          aggregateType,
          aggregateId,
          expectedVersion: loaded.version,
          events: decided.value.map((event) => ({
            id: newEventId(),
            type: event.type,
            version: versions[event.type] ?? 1,
            data: event.data,
            metadata,
          })),
          ...(commandId === undefined
            ? {}
            : { command: { id: commandId, fingerprint: fingerprint ?? '' } }),
        })
        .map((appended): CommandOutcome => {
          states.appended(aggregateId, loaded, decided.value, appended);
          return {
            aggregateId,
            events: appended.events,
            sequence: appended.events.at(-1)?.globalSequence ?? loaded.sequence,
            version: appended.version,
            replayed: false,
          };
        })
        .orElse((error): ResultAsync<CommandOutcome | 'retry' | 'reload', CommandError<Err>> => {
          states.forget(aggregateId);
          if (error.type === 'DuplicateCommand')
            return new ResultAsync(Promise.resolve(replay(error.recorded, fingerprint)));
          if (error.type !== 'ConcurrencyError') return errAsync(error);
          if (opts.expectedVersion !== undefined) {
            return errAsync({
              type: 'PreconditionFailed',
              expected: opts.expectedVersion,
              actual: error.actual,
            });
          }
          return okAsync('retry' as const);
        });
    });

  const run = async (
    aggregateId: string,
    command: C,
    opts: HandleOptions,
  ): Promise<Result<CommandOutcome, CommandError<Err>>> => {
    if (opts.commandId !== undefined) {
      const recorded = await store.findCommand(opts.commandId);
      if (recorded.isErr()) return err(recorded.error);
      if (recorded.value) return replay(recorded.value, opts.fingerprint);
    }
    // The command id doubles as the causation id of the events it produces.
    const commandId = opts.commandId ?? newEventId();
    const metadata: EventMetadata = {
      ...opts.metadata,
      actor: opts.metadata?.actor ?? SYSTEM_ACTOR,
      commandId,
      causationId: opts.metadata?.causationId ?? commandId,
    };
    let source: Source = opts.expectedVersion === undefined ? 'cache' : 'store';
    for (let n = 1; ; n++) {
      const result = await attempt(aggregateId, command, metadata, opts, source);
      if (result.isErr()) return err(result.error);
      if (result.value === 'reload') {
        states.forget(aggregateId);
        source = 'store';
        n--; // not a lost race
        continue;
      }
      if (result.value !== 'retry') return ok(result.value);
      source = 'store';
      if (n >= maxAttempts) {
        return err({
          type: 'Conflict',
          attempts: n,
          message: `${aggregateType} ${aggregateId} kept changing; gave up after ${n} attempts`,
        });
      }
      // Full jitter keeps racing writers from retrying in lockstep.
      await sleep(Math.random() * Math.min(100, 5 * 2 ** n));
    }
  };

  // Commands on one aggregate take turns in this process: racing them would only turn into
  // optimistic-lock retries. Other processes are still caught by the expected version.
  const turns = new Map<string, Promise<unknown>>();
  const inTurn = <T>(aggregateId: string, work: () => Promise<T>): Promise<T> => {
    const previous = turns.get(aggregateId) ?? Promise.resolve();
    const current = previous.then(work, work);
    const settled = current.then(
      () => {},
      () => {},
    );
    turns.set(aggregateId, settled);
    void settled.then(() => {
      if (turns.get(aggregateId) === settled) turns.delete(aggregateId);
    });
    return current;
  };

  return {
    /** Handles one command against aggregate `aggregateId`; publishes what it appended. */
    handle(
      aggregateId: string,
      command: C,
      opts: HandleOptions = {},
    ): ResultAsync<CommandOutcome, CommandError<Err>> {
      return new ResultAsync(inTurn(aggregateId, () => run(aggregateId, command, opts))).andThen(
        (outcome) => {
          if (outcome.events.length === 0) return okAsync(outcome);
          // Publishing is best effort: the events are durable, and readers fill gaps from the store.
          return ResultAsync.fromSafePromise(
            bus.publish(outcome.events).catch((error: unknown) => options.onPublishError?.(error)),
          ).map(() => outcome);
        },
      );
    },
    /** The aggregate's current state and version, as the handler sees it. */
    load: states.load,
  };
};

export type CommandHandler<C extends Message, S, Err> = ReturnType<
  typeof createCommandHandler<C, Message, S, Err>
>;
