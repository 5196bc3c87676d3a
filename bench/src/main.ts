// `pnpm bench` (add `--quick` for tiny sizes): measures ironstar against raw baselines in one
// run and writes bench/results/<date>.json. Load goes to 127.0.0.1 only and stops by itself.
// `--profile` runs the servers under `node --cpu-prof` (which slows them) and says where their
// time went.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PostgresCluster, startPostgresCluster } from '@ironstar/infrastructure/testing';
import { profileArgs, summarizeProfiles } from './profile';
import { type Figure, table } from './results';
import { busScenario } from './scenarios/bus';
import { coldStartScenario } from './scenarios/cold-start';
import { commandsScenario } from './scenarios/commands';
import { feedScenario } from './scenarios/feed';
import { fulfilmentScenario } from './scenarios/fulfilment';
import { postgresColdStartScenario, postgresCommandsScenario } from './scenarios/postgres';
import { startScenario } from './scenarios/start';
import { storeScenario } from './scenarios/store';

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const stamp = `${new Date().toISOString().replaceAll(':', '-')}${quick ? '-quick' : ''}${process.argv.includes('--store=postgres') ? '-postgres' : ''}`;
const results = fileURLToPath(new URL('../results/', import.meta.url));
const profiles: string[] = [];
/** Node flags for the servers a scenario spawns: a CPU profile per server with --profile. */
const serverArgs = (scenario: string): readonly string[] => {
  if (!profile) return [];
  const dir = join(results, `${stamp}-profiles`, scenario);
  mkdirSync(dir, { recursive: true });
  profiles.push(dir);
  return profileArgs(dir);
};
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const dir = mkdtempSync(join(tmpdir(), 'ironstar-bench-'));
const figures: Figure[] = [];
// Other work on the machine skews the figures; the load at the start is kept with the results.
const loadAtStart = loadavg()[0] ?? 0;
if (loadAtStart > 0.5) {
  process.stderr.write(
    `bench: load average ${loadAtStart.toFixed(2)}: other work may skew this run\n`,
  );
}
// --store=postgres: the commands and cold-start scenarios on a private PostgreSQL cluster
// (started here, stopped at the end), instead of the libSQL scenarios.
const store =
  process.argv.find((a) => a.startsWith('--store='))?.slice('--store='.length) ?? 'libsql';
if (store !== 'libsql' && store !== 'postgres')
  throw new Error('--store must be libsql or postgres');
let cluster: PostgresCluster | undefined;
const postgres = async () => {
  cluster ??= await startPostgresCluster();
  return cluster;
};
const libsqlScenarios: Array<[string, () => Promise<Figure[]>]> = [
  ['store', () => storeScenario(dir, quick)],
  ['commands', () => commandsScenario(dir, quick, serverArgs('commands'))],
  ['feed', () => feedScenario(dir, quick, serverArgs('feed'))],
  ['start', () => startScenario(dir, quick)],
  ['cold-start', () => coldStartScenario(dir, quick, serverArgs('cold-start'))],
  ['bus', () => busScenario(quick)],
  ['fulfilment', () => fulfilmentScenario(dir, quick, serverArgs('fulfilment'))],
];
const postgresScenarios: Array<[string, () => Promise<Figure[]>]> = [
  ['commands', async () => postgresCommandsScenario(await postgres(), quick)],
  ['cold-start', async () => postgresColdStartScenario(await postgres(), quick)],
];
const scenarios = store === 'postgres' ? postgresScenarios : libsqlScenarios;

try {
  for (const [name, run] of scenarios) {
    if (only && only !== name) continue;
    const started = performance.now();
    process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''}…\n`);
    figures.push(...(await run()));
    process.stderr.write(
      `bench: ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await cluster?.stop();
}

console.log(table(figures));
for (const dir of profiles) console.log(`\n${summarizeProfiles(dir)}`);
mkdirSync(results, { recursive: true });
const file = join(results, `${stamp}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), quick, store, machine: { cpus: cpus().length, memory: totalmem(), node: process.version, loadAtStart }, figures }, null, 2)}\n`,
);
console.log(`\nwritten ${file}`);
process.exit(0);
