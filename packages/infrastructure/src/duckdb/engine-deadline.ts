import type { EngineClient } from './duckdb-engine-client';

export type Outcome<T> = { ok: T } | { timedOut: true } | { error: unknown };

/**
 * Settles `work` (an engine call for `query`) by its deadline: at `timeoutMs` the query is
 * interrupted; if it has not settled `graceMs` later, the engine is SIGKILLed (DuckDB does not
 * look at its interrupt everywhere, e.g. while constant-folding) and the outcome is timedOut.
 */
export const withinDeadline = <T>(
  client: EngineClient,
  query: number,
  timeoutMs: number,
  graceMs: number,
  work: Promise<T>,
) =>
  new Promise<Outcome<T>>((resolve) => {
    let timedOut = false;
    let grace: NodeJS.Timeout | undefined;
    const limit = setTimeout(
      () => {
        timedOut = true;
        client.interrupt(query);
        grace = setTimeout(() => {
          client.kill(
            `the analytics engine was restarted: a query did not stop within ${graceMs} ms of its time limit`,
          );
          resolve({ timedOut: true });
        }, graceMs);
      },
      Math.max(0, timeoutMs),
    );
    work
      .then(
        (ok) => resolve({ ok }),
        (error: unknown) => resolve(timedOut ? { timedOut: true } : { error }),
      )
      .finally(() => {
        clearTimeout(limit);
        clearTimeout(grace);
      });
  });
