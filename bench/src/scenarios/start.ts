import { join } from 'node:path';
import { buildCompiled, spawnPnpmStart, spawnServer } from '@ironstar/server/testing';
import { type Figure, figure } from '../results';
import { now, removeDb, sleep } from '../support';
import { startTimes } from './cold-start';

/** Milliseconds from spawning the server on its TypeScript sources under tsx to listening. */
const tsxToListening = async (env: Record<string, string>) => {
  const start = now();
  const server = await spawnServer({ PORT: '0', LOG_LEVEL: 'info', ...env });
  const listening = now() - start;
  await server.kill('SIGTERM');
  return listening;
};

/** Milliseconds from running `pnpm start` (build up to date) to /healthz answering 200. */
const pnpmStartToHealthy = async (env: Record<string, string>) => {
  const start = now();
  const server = await spawnPnpmStart({ PORT: '0', LOG_LEVEL: 'info', ...env });
  while ((await fetch(`${server.url}/healthz`).catch(() => undefined))?.status !== 200) {
    await sleep(5);
  }
  const healthy = now() - start;
  await server.kill('SIGTERM');
  return healthy;
};

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** `measure` on a fresh empty store, `runs` times: the median. */
const onEmptyStore = async (
  dir: string,
  runs: number,
  measure: (env: Record<string, string>) => Promise<number>,
) => {
  const times: number[] = [];
  const empty = join(dir, 'start.db');
  for (let run = 0; run < runs; run++) {
    removeDb(empty);
    times.push(await measure({ DATABASE_URL: `file:${empty}` }));
  }
  removeDb(empty);
  return median(times);
};

/**
 * The process start alone, on an empty store: plain node on the compiled build to listening,
 * and `pnpm start` (pnpm, the build check, node) to a healthy /healthz.
 */
export const startScenario = async (
  dir: string,
  quick: boolean,
  nodeArgs: readonly string[],
): Promise<Figure[]> => {
  buildCompiled();
  const runs = quick ? 1 : 5;
  const listening = await onEmptyStore(
    dir,
    runs,
    async (env) => (await startTimes(env, nodeArgs)).listening,
  );
  // The way `pnpm start` ran before the build, in the same run: a baseline on a busy machine.
  const tsx = await onEmptyStore(dir, runs, tsxToListening);
  const healthy = await onEmptyStore(dir, runs, pnpmStartToHealthy);
  return [
    figure({
      scenario: 'start',
      name: `node dist/main.js to listening, empty store (median of ${runs})`,
      unit: 'ms',
      ironstar: listening,
      baseline: tsx,
      baselineName: 'tsx on the sources',
      target: '<= 300 ms',
    }),
    figure({
      scenario: 'start',
      name: `pnpm start to a healthy /healthz, empty store (median of ${runs})`,
      unit: 'ms',
      ironstar: healthy,
      baseline: listening,
      baselineName: 'node dist/main.js to listening',
      target: '<= 1 s',
    }),
  ];
};
