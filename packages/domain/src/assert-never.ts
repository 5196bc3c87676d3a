/** Exhaustiveness check for a `switch` over a discriminated union: reaching it is a bug. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
