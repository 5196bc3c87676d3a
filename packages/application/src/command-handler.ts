import { type Decider, fold, type Message } from '@ironstar/domain';
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { EventBus } from './event-bus';
import type { EventMetadata, EventStore, StoredEvent, StoreUnavailable } from './event-store';

export type CommandOutcome = {
  readonly aggregateId: string;
  /** Events this command appended (empty when the decider decided nothing needed to change). */
  readonly events: readonly StoredEvent[];
  /** Global sequence of the aggregate's last event after the command. */
  readonly sequence: number;
  /** Aggregate version after the command. */
  readonly version: number;
};

export type CommandError<DomainError> =
  | { readonly type: 'Rejected'; readonly error: DomainError }
  | { readonly type: 'Conflict'; readonly attempts: number; readonly message: string }
  | StoreUnavailable;

export type CommandHandlerOptions<C, E extends Message, S, Err> = {
  readonly store: EventStore;
  readonly bus: EventBus;
  readonly decider: Decider<C, E, S, Err>;
  readonly aggregateType: string;
  readonly newEventId: () => string;
  /** Attempts on a lost optimistic-concurrency race before answering Conflict. */
  readonly maxAttempts?: number;
  readonly onPublishError?: (error: unknown) => void;
  /** Waits between attempts; injectable so tests need not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * load → fold → decide → append with the expected version → publish.
 * A lost race re-runs the whole cycle on fresh state, with jittered backoff.
 */
export const createCommandHandler = <C, E extends Message, S, Err>(
  options: CommandHandlerOptions<C, E, S, Err>,
) => {
  const { store, bus, decider, aggregateType, newEventId } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;

  const attempt = (
    aggregateId: string,
    command: C,
    metadata: EventMetadata,
  ): ResultAsync<CommandOutcome | 'retry', CommandError<Err>> =>
    store.readStream(aggregateType, aggregateId).andThen((history) => {
      // Stored payloads are this aggregate's own events; the type is trusted at this boundary.
      const state = fold(
        decider,
        history.map((e) => ({ type: e.eventType, data: e.payload }) as E),
      );
      const last = history.at(-1);
      const version = last?.aggregateSequence ?? 0;
      const decided = decider.decide(command, state);
      if (decided.isErr()) return errAsync({ type: 'Rejected' as const, error: decided.error });
      if (decided.value.length === 0) {
        return okAsync({ aggregateId, events: [], sequence: last?.globalSequence ?? 0, version });
      }
      return store
        .append({
          aggregateType,
          aggregateId,
          expectedVersion: version,
          events: decided.value.map((event) => ({
            id: newEventId(),
            type: event.type,
            data: event.data,
            metadata,
          })),
        })
        .map((appended): CommandOutcome => {
          const lastAppended = appended.events.at(-1);
          return {
            aggregateId,
            events: appended.events,
            sequence: lastAppended?.globalSequence ?? 0,
            version: appended.version,
          };
        })
        .orElse((error) =>
          error.type === 'ConcurrencyError' ? okAsync('retry' as const) : errAsync(error),
        );
    });

  const run = async (
    aggregateId: string,
    command: C,
    metadata: EventMetadata,
  ): Promise<Result<CommandOutcome, CommandError<Err>>> => {
    for (let n = 1; ; n++) {
      const result = await attempt(aggregateId, command, metadata);
      if (result.isErr()) return err(result.error);
      if (result.value !== 'retry') return ok(result.value);
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

  return {
    /** Handles one command against aggregate `aggregateId`; publishes what it appended. */
    handle(
      aggregateId: string,
      command: C,
      metadata: EventMetadata = {},
    ): ResultAsync<CommandOutcome, CommandError<Err>> {
      return new ResultAsync(run(aggregateId, command, metadata)).andThen((outcome) => {
        if (outcome.events.length === 0) return okAsync(outcome);
        // Publishing is best effort: the events are durable, and readers fill gaps from the store.
        return ResultAsync.fromSafePromise(
          bus.publish(outcome.events).catch((error: unknown) => options.onPublishError?.(error)),
        ).map(() => outcome);
      });
    },
  };
};

export type CommandHandler<C, Err> = {
  handle(
    aggregateId: string,
    command: C,
    metadata?: EventMetadata,
  ): ResultAsync<CommandOutcome, CommandError<Err>>;
};
