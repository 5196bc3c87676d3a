import type { Message } from '@ironstar/domain';
import type { ResultAsync } from 'neverthrow';
import type { AggregateDefinition } from './aggregate';
import {
  type CommandError,
  type CommandOutcome,
  createCommandHandler,
  type HandleOptions,
} from './command-handler';
import type { EventBus } from './event-bus';
import { type EventStore, SYSTEM_ACTOR } from './event-store';
import type { SnapshotStore } from './snapshot-store';

/** What the framework fills in for a command: the aggregate's id and the time. */
export type CommandContext = {
  readonly aggregateId: string;
  readonly now: string;
  /** Who sends it (the events' `actor`): a user's id, or `system`. */
  readonly actor: string;
};

/** A command to send: for an existing aggregate, or (no id) for a new one. */
export type CommandRequest<C> = {
  /** Absent: the command makes a new aggregate, whose id is made up here. */
  readonly aggregateId?: string | undefined;
  /** The domain command, once the id and the time are known. */
  readonly command: (context: CommandContext) => C;
};

export type AggregateServiceDeps = {
  readonly store: EventStore;
  readonly bus: EventBus;
  /** Current time as an ISO-8601 string. */
  readonly clock: () => string;
  /** A new UUID (aggregates, events and command ids). */
  readonly newId: () => string;
  /** Where aggregate snapshots go (the aggregate's own policy says when). */
  readonly snapshots?: SnapshotStore;
  readonly maxAttempts?: number;
  readonly stateCacheSize?: number;
  readonly onPublishError?: (error: unknown) => void;
  readonly onSnapshotError?: (error: unknown) => void;
};

export type AggregateService<C extends Message, S, Err> = ReturnType<
  typeof createAggregateService<C, Message, S, Err>
>;

/**
 * One aggregate's use cases: takes a command request, stamps the id and the time, and hands
 * it to the command handler (load, decide, append, publish).
 */
export const createAggregateService = <C extends Message, E extends Message, S, Err>(
  aggregate: AggregateDefinition<C, E, S, Err>,
  deps: AggregateServiceDeps,
) => {
  const policy = aggregate.snapshots;
  const handler = createCommandHandler({
    store: deps.store,
    bus: deps.bus,
    aggregate,
    newEventId: deps.newId,
    ...(deps.snapshots && policy && policy.every > 0
      ? {
          snapshots: {
            store: deps.snapshots,
            every: policy.every,
            schemaVersion: policy.stateVersion,
            ...(deps.onSnapshotError ? { onError: deps.onSnapshotError } : {}),
          },
        }
      : {}),
    maxAttempts: deps.maxAttempts,
    stateCacheSize: deps.stateCacheSize,
    ...(deps.onPublishError ? { onPublishError: deps.onPublishError } : {}),
  });
  return {
    send(
      request: CommandRequest<C>,
      options: HandleOptions = {},
    ): ResultAsync<CommandOutcome, CommandError<Err>> {
      const isNew = request.aggregateId === undefined;
      const aggregateId = request.aggregateId ?? deps.newId();
      const actor = options.metadata?.actor ?? SYSTEM_ACTOR;
      const command = request.command({ aggregateId, now: deps.clock(), actor });
      // A made-up id has an empty stream: there is nothing to read.
      return handler.handle(aggregateId, command, isNew ? { ...options, isNew } : options);
    },
    /** The aggregate's current state and version, through snapshots when configured. */
    load: (aggregateId: string) => handler.load(aggregateId),
  };
};
