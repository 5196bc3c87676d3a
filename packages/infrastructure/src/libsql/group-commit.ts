/**
 * Group commit: requests that arrive while a batch is being written wait and are written
 * together, so many commands share one transaction (and one fsync). Each answer is given only
 * after its batch committed. If a batch fails as a whole, its requests are retried one by one,
 * so one bad request fails alone.
 */
export const createGroupCommit = <Request, Answer>(options: {
  /** Writes the batch in one transaction and answers each request, in order; throws if nothing was written. */
  readonly runBatch: (requests: readonly Request[]) => Promise<readonly Answer[]>;
  /** The answer for a request whose own transaction failed. */
  readonly onFailure: (request: Request, error: unknown) => Promise<Answer>;
  readonly maxBatch: number;
}) => {
  type Pending = { request: Request; settle: (answer: Answer) => void };
  let pending: Pending[] = [];
  let flushing = false;
  const stats = { requests: 0, batches: 0 };

  const run = async (batch: readonly Pending[]) => {
    stats.batches++;
    stats.requests += batch.length;
    const answers = await options.runBatch(batch.map((p) => p.request));
    if (answers.length !== batch.length) throw new Error('a batch must answer every request');
    for (const [i, p] of batch.entries()) p.settle(answers[i] as Answer);
  };

  const flush = async () => {
    while (pending.length > 0) {
      const batch = pending.slice(0, options.maxBatch);
      pending = pending.slice(batch.length);
      try {
        await run(batch);
      } catch (error) {
        if (batch.length === 1) {
          for (const p of batch) p.settle(await options.onFailure(p.request, error));
          continue;
        }
        for (const p of batch) {
          try {
            await run([p]);
          } catch (single) {
            p.settle(await options.onFailure(p.request, single));
          }
        }
      }
    }
    flushing = false;
  };

  return {
    stats: stats as { readonly requests: number; readonly batches: number },
    submit: (request: Request): Promise<Answer> =>
      new Promise<Answer>((settle) => {
        pending.push({ request, settle });
        if (!flushing) {
          flushing = true;
          // Let the requests that arrive in this turn of the event loop join the batch.
          setImmediate(() => void flush());
        }
      }),
  };
};
