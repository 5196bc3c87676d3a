import type { Decider } from '@ironstar/domain';
import type { StateMachine } from '../state-machine';
import { stateMachineProblems } from '../state-machine';

export type StateMachineCheck<C, E> = {
  /** For every declared state, a history of events that reaches it. */
  readonly histories: { readonly [state: string]: readonly E[] };
  /** One sample of every command type; each is tried in every state. */
  readonly commands: readonly C[];
};

/**
 * Checks a state machine declaration against what `decide` does: every declared state is
 * reached by its history; in each state every sample command is either allowed, where a
 * transition on its type is declared, landing in (one of) the declared target state(s), or
 * refused where none is. Throws an AssertionError listing every mismatch.
 */
export const checkStateMachine = <C extends { readonly type: string }, E, S, Err>(
  aggregate: {
    readonly decider: Decider<C, E, S, Err>;
    readonly stateMachine?: StateMachine<S> | undefined;
  },
  check: StateMachineCheck<C, E>,
): void => {
  const { decider, stateMachine: machine } = aggregate;
  if (!machine) fail('the aggregate declares no state machine');
  const problems = [...stateMachineProblems(machine)];
  const fold = (events: readonly E[]) => events.reduce(decider.evolve, decider.initialState());
  const sampled = new Set(check.commands.map((command) => command.type));
  for (const t of machine.transitions) {
    if (!sampled.has(t.on)) problems.push(`no sample command of type ${t.on}`);
  }
  for (const state of machine.states) {
    const history = check.histories[state];
    if (history === undefined) {
      problems.push(`no history reaches ${state}`);
      continue;
    }
    const before = fold(history);
    const reached = machine.stateOf(before);
    if (reached !== state) {
      problems.push(`the history for ${state} reaches ${reached}`);
      continue;
    }
    for (const command of check.commands) {
      const targets = machine.transitions
        .filter((t) => t.from === state && t.on === command.type)
        .map((t) => t.to);
      const result = decider.decide(command, before);
      if (targets.length === 0) {
        if (result.isOk()) {
          problems.push(`${state}: ${command.type} is allowed, but no transition is declared`);
        }
        continue;
      }
      if (result.isErr()) {
        problems.push(
          `${state}: ${command.type} is refused (${JSON.stringify(result.error)}), but a transition to ${targets.join('|')} is declared`,
        );
        continue;
      }
      const landed = machine.stateOf(fold([...history, ...result.value]));
      if (!targets.includes(landed)) {
        problems.push(
          `${state}: ${command.type} lands in ${landed}, declared ${targets.join('|')}`,
        );
      }
    }
  }
  if (problems.length > 0) fail(`state machine does not match decide:\n  ${problems.join('\n  ')}`);
};

function fail(message: string): never {
  const error = new Error(message);
  error.name = 'AssertionError';
  throw error;
}
