import type { Result } from 'neverthrow';

/**
 * An aggregate as three pure functions over plain data (Emmett's decider).
 * `decide` never performs I/O: ids and time arrive inside the command.
 */
export type Decider<Command, Event, State, Err> = {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => Result<readonly Event[], Err>;
};

/** A domain event or command: a discriminated union member of readonly data. */
export type Message<Type extends string = string, Data = unknown> = {
  readonly type: Type;
  readonly data: Data;
};

/** Folds a history into the state it leads to. */
export const fold = <Event, State>(
  decider: Pick<Decider<unknown, Event, State, unknown>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State => {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
};
