import type { Message } from '@ironstar/domain';
import { deepEqual } from '@ironstar/domain/testing';
import type { ProcessDecision, ProcessInputOf, ProcessManager } from '../process-manager';

/**
 * Given/when/then for process managers, like DeciderSpecification for deciders:
 *   spec.given([submitted]).when(authorized).then({ commands: [validate, ship] })
 *   spec.given([submitted, cancelled]).when(timeout).thenNothing()
 * `given` folds its inputs with `evolve`; `when` runs `decide` on that state. Decisions are
 * compared deeply, a missing list counting as empty and a missing `done` as false.
 */
export const ProcessSpecification = {
  for<S, I extends Message>(manager: ProcessManager<S, I>) {
    return {
      given(inputs: readonly ProcessInputOf<I>[]) {
        const state = () => {
          let current = manager.initialState();
          for (const input of inputs) current = manager.evolve(current, input);
          return current;
        };
        return {
          when(input: ProcessInputOf<I>) {
            const decided = () => normalize(manager.decide(input, state()));
            return {
              // biome-ignore lint/suspicious/noThenProperty: given/when/then is the point; this object is never awaited.
              then(expected: ProcessDecision): void {
                const got = decided();
                const want = normalize(expected);
                if (!deepEqual(got, want)) {
                  fail(`expected decision ${show(want)}\n       got ${show(got)}`);
                }
              },
              /** No command, no timer set or cancelled, and not done. */
              thenNothing(): void {
                const got = decided();
                if (!deepEqual(got, normalize({}))) fail(`expected no decision, got ${show(got)}`);
              },
              /** The state after this input too (what a restart would rebuild). */
              thenState(expected: S): void {
                const got = manager.evolve(state(), input);
                if (!deepEqual(got, expected)) {
                  fail(`expected state ${show(expected)}\n    got ${show(got)}`);
                }
              },
            };
          },
        };
      },
    };
  },
};

/** Every field present, so `{}` and `{ commands: [] }` compare equal. */
export const normalize = (decision: ProcessDecision): Required<ProcessDecision> => ({
  commands: decision.commands ?? [],
  setTimers: decision.setTimers ?? [],
  cancelTimers: decision.cancelTimers ?? [],
  done: decision.done ?? false,
});

function fail(message: string): never {
  const error = new Error(message);
  error.name = 'AssertionError';
  throw error;
}

const show = (value: unknown) => JSON.stringify(value);
