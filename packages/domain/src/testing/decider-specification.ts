import type { Decider } from '../decider';

/**
 * Given/when/then for deciders, in the spirit of Emmett's DeciderSpecification:
 *   spec.given([opened, added]).when(checkOut).then([checkedOut])
 *   spec.given([checkedOut]).when(checkOut).thenFails('CartClosed')
 * Framework-free (it throws AssertionError-like errors), so the domain stays dependency-free.
 */
export const DeciderSpecification = {
  for<C, E, S, Err extends { readonly type: string }>(decider: Decider<C, E, S, Err>) {
    return {
      given(events: readonly E[]) {
        return {
          when(command: C) {
            const run = () => {
              let state = decider.initialState();
              for (const event of events) state = decider.evolve(state, event);
              return decider.decide(command, state);
            };
            return {
              // biome-ignore lint/suspicious/noThenProperty: given/when/then is the point; this object is never awaited.
              then(expected: readonly E[]): void {
                const result = run();
                if (result.isErr()) {
                  fail(
                    `expected events ${show(expected)} but decide failed with ${show(result.error)}`,
                  );
                }
                if (!deepEqual(result.value, expected)) {
                  fail(`expected events ${show(expected)}\n     got ${show(result.value)}`);
                }
              },
              thenNothingHappened(): void {
                const result = run();
                if (result.isErr())
                  fail(`expected no events but decide failed with ${show(result.error)}`);
                if (result.value.length > 0) fail(`expected no events, got ${show(result.value)}`);
              },
              thenFails(errorType: Err['type']): void {
                const result = run();
                if (result.isOk())
                  fail(`expected ${errorType} but decide produced ${show(result.value)}`);
                if (result.error.type !== errorType) {
                  fail(`expected ${errorType} but decide failed with ${show(result.error)}`);
                }
              },
            };
          },
        };
      },
    };
  },
};

function fail(message: string): never {
  const error = new Error(message);
  error.name = 'AssertionError';
  throw error;
}

const show = (value: unknown) => JSON.stringify(value);

/** Structural equality for plain data (what events and commands are). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (key) =>
      Object.hasOwn(b, key) &&
      deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
