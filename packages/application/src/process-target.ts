import type { Message } from '@ironstar/domain';
import type { ResultAsync } from 'neverthrow';
import type { AggregateService } from './aggregate-service';
import type { CommandError, CommandOutcome, HandleOptions } from './command-handler';
import type { StoreUnavailable } from './event-store';

/**
 * How a process manager's command reaches its target aggregate: through that module's own
 * aggregate service, so it gets the same checks, locking and idempotency as an HTTP command.
 */
export type ProcessTarget = {
  send(
    aggregateId: string,
    command: Message,
    options: HandleOptions,
  ): ResultAsync<CommandOutcome, CommandError<unknown>>;
  /** Whether the aggregate's stream has events (a refusal of a missing one is 'NotFound'). */
  exists(aggregateId: string): ResultAsync<boolean, StoreUnavailable>;
};

/** The target for one aggregate service. The manager's command is its decider's command. */
export const processTargetOf = <C extends Message, S, Err>(
  service: AggregateService<C, S, Err>,
): ProcessTarget => ({
  // The manager built this command for this aggregate type; its decider judges the rest.
  send: (aggregateId, command, options) =>
    service.send({ aggregateId, command: () => command as C }, options),
  exists: (aggregateId) => service.load(aggregateId).map((loaded) => loaded.version > 0),
});
