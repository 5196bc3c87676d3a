import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  buildCompiled,
  cpuMs,
  descendants,
  spawnPnpmStart,
  spawnServer,
} from '@ironstar/server/testing';
import { type Figure, figure } from '../results';
import { now, removeDb, sleep } from '../support';

type Start = { readonly ms: number; readonly cpuMs: number };

/**
 * Spawning the server to its `ironstar listening` log: wall time, and the CPU time the
 * process used meanwhile (which a loaded machine inflates far less than wall time).
 */
const toListening = async (env: Record<string, string>, compiled: boolean): Promise<Start> => {
  const start = now();
  const server = await spawnServer({ PORT: '0', LOG_LEVEL: 'info', ...env }, { compiled });
  const ms = now() - start;
  const cpu = cpuMs(server.child.pid ?? -1);
  await server.kill('SIGTERM');
  return { ms, cpuMs: cpu };
};

/** `pnpm start` (build up to date) to /healthz answering 200; CPU of pnpm and the server. */
const pnpmStartToHealthy = async (env: Record<string, string>): Promise<Start> => {
  const start = now();
  const pnpm = await spawnPnpmStart({ PORT: '0', LOG_LEVEL: 'info', ...env });
  while ((await fetch(`${pnpm.url}/healthz`).catch(() => undefined))?.status !== 200) {
    await sleep(5);
  }
  const ms = now() - start;
  const pid = pnpm.child.pid ?? -1;
  // pnpm's own, and the server's (its child; not the DuckDB engine below it, which starts
  // alongside on the other core).
  const server = descendants(pid)[0] ?? -1;
  const cpu = cpuMs(pid) + cpuMs(server);
  await pnpm.kill('SIGTERM');
  return { ms, cpuMs: cpu };
};

/**
 * `pnpm exec node -e 0`: pnpm's own start plus a bare node, with no server at all: the floor
 * under `pnpm start` that no work of ours can lower.
 */
const pnpmAndNodeAlone = (): number => {
  const start = now();
  const run = spawnSync('pnpm', ['exec', 'node', '-e', '0'], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`pnpm exec node -e 0 exited ${run.status}`);
  return now() - start;
};

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** `measure` on a fresh empty store, `runs` times: the medians. */
const onEmptyStore = async (
  dir: string,
  runs: number,
  measure: (env: Record<string, string>) => Promise<Start>,
): Promise<Start> => {
  const starts: Start[] = [];
  const empty = join(dir, 'start.db');
  for (let run = 0; run < runs; run++) {
    removeDb(empty);
    starts.push(await measure({ DATABASE_URL: `file:${empty}` }));
  }
  removeDb(empty);
  return { ms: median(starts.map((s) => s.ms)), cpuMs: median(starts.map((s) => s.cpuMs)) };
};

/**
 * The process start alone, on an empty store: plain node on the compiled build to listening
 * (against the same server on its sources under tsx, the way `pnpm start` ran before the
 * build), and `pnpm start` (pnpm, the build check, node) to a healthy /healthz.
 */
export const startScenario = async (dir: string, quick: boolean): Promise<Figure[]> => {
  buildCompiled();
  const runs = quick ? 1 : 5;
  const compiled = await onEmptyStore(dir, runs, (env) => toListening(env, true));
  const tsx = await onEmptyStore(dir, runs, (env) => toListening(env, false));
  const pnpm = await onEmptyStore(dir, runs, pnpmStartToHealthy);
  const floor = median(Array.from({ length: runs }, pnpmAndNodeAlone));
  const of = `median of ${runs}`;
  const row = (name: string, unit: string, ironstar: number, baseline: number, target = '') =>
    figure({
      scenario: 'start',
      name,
      unit,
      ironstar,
      baseline,
      baselineName: 'tsx on the sources',
      ...(target ? { target } : {}),
    });
  return [
    row(
      `node dist/main.js to listening, empty store (${of})`,
      'ms',
      compiled.ms,
      tsx.ms,
      '<= 300 ms',
    ),
    row(`same, CPU time of the process (${of})`, 'ms', compiled.cpuMs, tsx.cpuMs),
    row(`pnpm start to a healthy /healthz, empty store (${of})`, 'ms', pnpm.ms, tsx.ms, '<= 1 s'),
    row(`same, CPU time of pnpm + the server (${of})`, 'ms', pnpm.cpuMs, tsx.cpuMs),
    figure({
      scenario: 'start',
      name: `pnpm start to a healthy /healthz, vs pnpm exec node -e 0 (${of})`,
      unit: 'ms',
      ironstar: pnpm.ms,
      baseline: floor,
      baselineName: 'pnpm exec node -e 0 (no server)',
    }),
  ];
};
