import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PostgresCluster, startPostgresCluster } from '@ironstar/infrastructure/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';

export { cpuMs, descendants } from './process-tree';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = join(ROOT, 'apps/server/src/main.ts');
const BUS_PROXY = join(ROOT, 'apps/server/src/bus-proxy.ts');
/** The production build's entry (scripts/build.mjs), run by plain node. */
const COMPILED_MAIN = join(ROOT, 'apps/server/dist/main.js');
const LISTENING = /"url":"(http:\/\/[^"]+)".*"msg":"ironstar listening"/;
// Logged once main.ts has installed its signal handlers, before the server starts.
const STARTING = /"msg":"ironstar starting"/;

/**
 * The per-user limits out of the way, for load tests and the bench: all their traffic is the
 * one local user's, which RATE_LIMIT_PER_MINUTE and FEEDS_PER_USER (600, 20) would refuse.
 */
export const NO_USER_LIMITS = { RATE_LIMIT_PER_MINUTE: '1000000', FEEDS_PER_USER: '100000' };

/**
 * Builds apps/server/dist unless it is up to date with the sources. Call once per test file
 * (beforeAll) before `spawnServer(env, { compiled: true })` or `spawnPnpmStart`.
 */
export const buildCompiled = () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
};

/** A free TCP port on 127.0.0.1 (so a restarted server can come back on the same one). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/**
 * A free port below Linux's ephemeral range (32768+): a listener that is restarted on it (the
 * bus proxy) must not find it taken by some process's outgoing connection meanwhile.
 */
export const freeStablePort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below the ephemeral range');
};

export const tempDir = async (prefix = 'ironstar-') => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
};

export type ServerProcess = {
  readonly url: string;
  readonly child: ChildProcess;
  readonly logs: string[];
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<number | NodeJS.Signals>;
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals>;
};

type SpawnOptions = { uid?: number; gid?: number; nodeArgs?: readonly string[] };

/**
 * Runs the real server as one OS process: node with tsx's loader (the `tsx` CLI would put a
 * second process in between, and a SIGKILL must reach the server itself), or with `compiled`,
 * plain node on the production build (see buildCompiled).
 */
export const spawnServer = (
  env: Record<string, string>,
  // nodeArgs: flags Node refuses in NODE_OPTIONS, such as the bench's --cpu-prof.
  // until 'starting': resolves as soon as the process is starting (its url is then '').
  {
    compiled = false,
    nodeArgs = [],
    until = 'listening',
    ...options
  }: SpawnOptions & { compiled?: boolean; until?: 'listening' | 'starting' } = {},
): Promise<ServerProcess> =>
  spawnProcess(
    process.execPath,
    compiled ? [...nodeArgs, COMPILED_MAIN] : [...nodeArgs, '--import', 'tsx', MAIN],
    until === 'starting' ? STARTING : LISTENING,
    env,
    options,
  );

/** Runs `pnpm bus-proxy` as its own process; resolves with its subscribe endpoint as `url`. */
export const spawnBusProxy = (env: Record<string, string>): Promise<ServerProcess> =>
  spawnProcess(
    process.execPath,
    ['--import', 'tsx', BUS_PROXY],
    /"subscribe":"([^"]+)".*"msg":"ironstar bus proxy listening"/,
    env,
    {},
  );

/**
 * Runs `pnpm start` exactly as README says (pnpm, then the compiled server under node); `child`
 * is the pnpm process. `pnpm` must be on PATH.
 */
export const spawnPnpmStart = (env: Record<string, string>): Promise<ServerProcess> =>
  spawnProcess('pnpm', ['start'], LISTENING, env, {});

const spawnProcess = async (
  command: string,
  args: readonly string[],
  ready: RegExp,
  env: Record<string, string>,
  options: { uid?: number; gid?: number },
): Promise<ServerProcess> => {
  const script = [command, ...args].join(' ');
  const child = spawn(command, args, {
    cwd: ROOT,
    ...options,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json'),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let killed = false;
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => {
      // A server that dies on its own is a finding: show why, or the test only sees ECONNREFUSED.
      if (!killed)
        console.error(
          `${script} exited (${code ?? signal}) by itself:\n${logs.slice(-20).join('')}`,
        );
      resolve(code ?? signal ?? -1);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${logs.join('')}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      if (logs.length > 500) logs.splice(0, logs.length - 500); // a long-running server logs a lot
      const match = ready.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${logs.join('')}`));
    });
  });
  return {
    url,
    child,
    logs,
    exited,
    kill(signal) {
      killed = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
};

/** POSTs a todo command and returns status, headers and JSON body. */
export const sendCommand = async (
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(`${url}/api/commands/todo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
  };
};

export type ApiEvent = {
  globalSequence: number;
  aggregateType: string;
  aggregateId: string;
  aggregateSequence: number;
  eventType: string;
  eventVersion: number;
  payload: Record<string, unknown>;
  metadata: { correlationId?: string; causationId?: string; commandId?: string } | null;
  createdAt: string;
};

/** Every stored event, through GET /api/events, page by page. */
export const allEvents = async (url: string) => {
  const events: ApiEvent[] = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${url}/api/events?after=${after}&limit=1000`);
    const page = ((await res.json()) as { events: ApiEvent[] }).events;
    events.push(...page);
    if (page.length < 1000) return events;
    after = page.at(-1)?.globalSequence ?? after;
  }
};

/** The event stores the server can run on; HTTP contract tests run on each. */
export type StoreKind = 'libsql' | 'postgres';
export const STORES: readonly StoreKind[] = ['libsql', 'postgres'];

/**
 * One private PostgreSQL cluster for the calling test file: started before its tests, stopped
 * after them (also when they fail). Fails, never skips, when PostgreSQL cannot start.
 */
export const usePostgresCluster = () => {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());
  return () => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start');
    return cluster;
  };
};

/**
 * Per-test resources: servers started here are SIGKILLed and temp dirs removed after each
 * test, in reverse order. Call once at the top of a test file.
 */
export const useServers = (options: { postgres?: () => PostgresCluster } = {}) => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    defer: (cleanup: () => unknown) => cleanups.push(cleanup),
    start: async (
      env: Record<string, string>,
      as: { uid?: number; gid?: number; compiled?: boolean } = {},
    ) => {
      const server = await spawnServer(env, as);
      cleanups.push(() => server.kill('SIGKILL'));
      return server;
    },
    /**
     * A fresh database (and a free port) for one test: a libSQL file, or a new database on the
     * file's private PostgreSQL cluster (see usePostgresCluster).
     */
    database: async (name = 'ironstar.db', store: StoreKind = 'libsql') => {
      const { dir, remove } = await tempDir();
      cleanups.push(remove);
      const cluster = options.postgres?.();
      if (store === 'postgres' && !cluster) throw new Error('useServers({ postgres }) not given');
      const url =
        store === 'postgres' && cluster
          ? await cluster.createDatabase()
          : `file:${join(dir, name)}`;
      return { dir, env: { DATABASE_URL: url, PORT: String(await freePort()) } };
    },
  };
};
