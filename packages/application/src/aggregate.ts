import type { Decider, Message, Upcaster } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';
import type { StoredEvent } from './event-store';
import type { StateMachine } from './state-machine';

/**
 * Everything the framework needs to know about one aggregate: its stored type name, its
 * decider, the version each of its events is written at (every event type listed: this is
 * also the list the dashboard shows), how older versions are lifted, and how it is snapshotted.
 */
export type AggregateDefinition<C extends Message, E extends Message, S, Err> = {
  /** The aggregate type stored with each event, e.g. 'Order'. */
  readonly type: string;
  readonly decider: Decider<C, E, S, Err>;
  /** The version each event type is written at today (1 for a type that never changed). */
  readonly events: { readonly [K in E['type']]: number };
  /** Lift stored payloads of older versions to the ones above, one version at a time. */
  readonly upcasters?: readonly Upcaster[];
  /**
   * Aggregate snapshots: one every `every` events (0: none); bump `stateVersion` whenever the
   * state's shape changes, so older snapshots are ignored.
   */
  readonly snapshots?: { readonly every: number; readonly stateVersion: number };
  /** Its states and transitions, declared once: drawn, and checked against `decide` in tests. */
  readonly stateMachine?: StateMachine<S>;
};

/** Declares an aggregate; the types of its commands, events, state and errors are inferred. */
export const defineAggregate = <C extends Message, E extends Message, S, Err>(
  definition: AggregateDefinition<C, E, S, Err>,
): AggregateDefinition<C, E, S, Err> => definition;

/** A stored event that is not one of its aggregate's events at their current version. */
export type UnreadableEvent = {
  readonly type: 'UnreadableEvent';
  readonly globalSequence: number;
  readonly message: string;
};

/**
 * The one path from a stored event to a domain event: it must be of this aggregate, of an
 * event type it declares, at the version it declares (upcasters have run by then), with an
 * object payload. The payload is then what that version of the decider wrote.
 */
export const eventReader = <C extends Message, E extends Message, S, Err>(
  aggregate: AggregateDefinition<C, E, S, Err>,
) => {
  const versions: Readonly<Record<string, number>> = aggregate.events;
  return (stored: StoredEvent): Result<E, UnreadableEvent> => {
    const refuse = (why: string) =>
      err<E, UnreadableEvent>({
        type: 'UnreadableEvent',
        globalSequence: stored.globalSequence,
        message: `event #${stored.globalSequence} (${stored.aggregateType} ${stored.eventType} v${stored.eventVersion}) ${why}`,
      });
    if (stored.aggregateType !== aggregate.type) return refuse(`is not a ${aggregate.type} event`);
    const version = Object.hasOwn(versions, stored.eventType)
      ? versions[stored.eventType]
      : undefined;
    if (version === undefined) return refuse(`is of a type ${aggregate.type} does not declare`);
    if (stored.eventVersion !== version) {
      return refuse(`is not at version ${version}: is an upcaster missing?`);
    }
    if (typeof stored.payload !== 'object' || stored.payload === null) {
      return refuse('has no object payload');
    }
    // Checked above: a declared type at its declared version, as the decider wrote it.
    return ok({ type: stored.eventType, data: stored.payload } as E);
  };
};

/**
 * Like `eventReader`, for the places where an unreadable event can only be a bug (code and
 * data disagree): it throws, with the UnreadableEvent as the error's `cause`.
 */
export const eventReaderOrThrow = <C extends Message, E extends Message, S, Err>(
  aggregate: AggregateDefinition<C, E, S, Err>,
) => {
  const read = eventReader(aggregate);
  return (stored: StoredEvent): E => {
    const event = read(stored);
    if (event.isErr()) throw new Error(event.error.message, { cause: event.error });
    return event.value;
  };
};

/** Every event type the aggregate declares, for lists and filters. */
export const eventTypesOf = (aggregate: { readonly events: object }): readonly string[] =>
  Object.keys(aggregate.events);
