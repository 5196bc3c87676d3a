/** One arrow of a state machine: in state `from`, command (or event) `on` leads to `to`. */
export type StateTransition = {
  readonly from: string;
  readonly to: string;
  readonly on: string;
};

/**
 * An aggregate's states and transitions, declared once beside its decider: the
 * `/state-machines` page draws it, aggregate views highlight where an aggregate is, and the
 * decider's tests check it against `decide` (`checkStateMachine` in `./testing`).
 * `initial` is the state before the first event (usually a "none" that is drawn as a dot).
 */
export type StateMachine<S> = {
  readonly initial: string;
  readonly states: readonly string[];
  readonly transitions: readonly StateTransition[];
  /** The declared state an aggregate's state is in. */
  readonly stateOf: (state: S) => string;
};

/** Declares a state machine; the state type is inferred from `stateOf`. */
export const defineStateMachine = <S>(machine: StateMachine<S>): StateMachine<S> => machine;

/** States nothing leaves (self-loops aside): where an aggregate's life ends. */
export const terminalStates = (machine: Pick<StateMachine<never>, 'states' | 'transitions'>) =>
  machine.states.filter(
    (state) => !machine.transitions.some((t) => t.from === state && t.to !== state),
  );

/** Problems of a declaration in itself: unknown states, a missing initial state. */
export const stateMachineProblems = (
  machine: Pick<StateMachine<never>, 'initial' | 'states' | 'transitions'>,
): readonly string[] => {
  const known = new Set(machine.states);
  const problems: string[] = [];
  if (!known.has(machine.initial))
    problems.push(`initial state ${machine.initial} is not declared`);
  if (known.size !== machine.states.length) problems.push('a state is declared twice');
  for (const t of machine.transitions) {
    for (const end of [t.from, t.to]) {
      if (!known.has(end)) problems.push(`transition ${t.from} -${t.on}-> ${t.to}: unknown ${end}`);
    }
  }
  return problems;
};
