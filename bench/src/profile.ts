// `--profile`: the server runs under `node --cpu-prof`; this sums a profile's self time by
// package and by function, so a run says where the server's time went.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type CpuProfile = {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
};

/** Node flags that make a spawned process write a CPU profile into `dir` when it exits. */
export const profileArgs = (dir: string): readonly string[] => [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
];

/**
 * How a scenario runs its server: the production build under plain node, as `pnpm start` and
 * the Docker image do; under --profile the sources under tsx instead (the same code at run
 * time), so the summary can name the package of each function.
 */
export const serverRun = (nodeArgs: readonly string[]) => ({
  nodeArgs,
  compiled: !nodeArgs.includes('--cpu-prof'),
});

/** Where code lives: an npm package, one of ours, Node itself, V8 (GC, program) or native. */
const owner = (url: string, functionName: string) => {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const npm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (npm?.[1]) return npm[1];
  const ours = /\/(packages\/[^/]+|apps\/[^/]+)\//.exec(url);
  if (ours?.[1]) return ours[1];
  return url.startsWith('node:') ? 'node (core)' : url;
};

const top = (totals: Map<string, number>, all: number, count: number) =>
  [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `  ${((100 * us) / all).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n');

/**
 * A summary of every busy profile in `dir` (a tsx loader thread, idle nearly all the time, is
 * left out): self time by owner and the busiest functions, as shares of the non-idle time.
 */
export const summarizeProfiles = (dir: string): string =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .flatMap((file) => {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
      const byOwner = new Map<string, number>();
      const byFunction = new Map<string, number>();
      let all = 0;
      let idle = 0;
      profile.samples.forEach((id, i) => {
        const frame = byId.get(id);
        const us = profile.timeDeltas[i] ?? 0;
        if (!frame) return;
        if (frame.functionName === '(idle)') {
          idle += us;
          return;
        }
        all += us;
        const who = owner(frame.url, frame.functionName);
        byOwner.set(who, (byOwner.get(who) ?? 0) + us);
        const name = frame.url
          ? `${frame.functionName || '(anonymous)'} ${who}:${frame.lineNumber + 1}`
          : who;
        byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      });
      if (all < 0.2 * (all + idle)) return [];
      return [
        `${join(dir, file)}: ${(all / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`,
        'self time by owner:',
        top(byOwner, all, 12),
        'busiest functions (self time):',
        top(byFunction, all, 15),
      ].join('\n');
    })
    .join('\n\n');
