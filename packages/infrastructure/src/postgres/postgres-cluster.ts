import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/** Debian's PostgreSQL 15 server binaries (`.ci/run` installs the package when missing). */
export const POSTGRES_BIN = process.env.IRONSTAR_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export type PostgresCluster = {
  /** The cluster's `postgres` database (superuser `postgres`, trust auth on 127.0.0.1 only). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** A new, empty database on the cluster; its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown), as an operator or a crash would; the data stays. */
  stopServer(signal?: 'SIGINT' | 'SIGKILL'): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  startServer(): Promise<void>;
  /** Stops the server and deletes the data directory. */
  stop(): Promise<void>;
};

const run = promisify(execFile);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` user. */
const asUser = async (): Promise<{ uid?: number; gid?: number }> => {
  if (process.getuid?.() !== 0) return {};
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: group } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
};

// Servers still running when the test process exits are killed, so a crashed or interrupted
// run leaves no cluster behind.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A private PostgreSQL cluster for tests: a fresh data directory in a temp folder, listening on
 * 127.0.0.1 on a free port with its Unix socket in that folder, never a system database. Throws
 * (never skips) when PostgreSQL cannot start.
 */
export const startPostgresCluster = async (): Promise<PostgresCluster> => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-pg-'));
  const data = join(dir, 'data');
  const user = await asUser();
  if (user.uid !== undefined && user.gid !== undefined) await chown(dir, user.uid, user.gid);
  await chmod(dir, 0o700);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
  try {
    await run(
      join(POSTGRES_BIN, 'initdb'),
      ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'],
      { ...user, env, cwd: dir },
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (is PostgreSQL 15 installed in ${POSTGRES_BIN}?)`, {
      cause: error,
    });
  }
  const port = await freePort();
  let server: ChildProcess | undefined;
  let log = '';

  const startServer = () =>
    new Promise<void>((resolve, reject) => {
      log = '';
      // fsync=off: a killed server process still recovers everything it committed (the OS
      // keeps its writes); only a machine crash would lose data, which no test simulates.
      const child = spawn(
        join(POSTGRES_BIN, 'postgres'),
        [
          '-D',
          data,
          '-p',
          String(port),
          '-k',
          dir,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'fsync=off',
          '-c',
          'max_connections=200',
        ],
        { ...user, env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      server = child;
      running.add(child);
      const onOutput = (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-8000);
        if (log.includes('database system is ready to accept connections')) resolve();
      };
      child.stdout?.on('data', onOutput);
      child.stderr?.on('data', onOutput);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        running.delete(child);
        reject(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${log}`));
      });
    });

  const stopServer = async (signal: 'SIGINT' | 'SIGKILL' = 'SIGINT') => {
    const child = server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    server = undefined;
  };

  try {
    await startServer();
  } catch (error) {
    await stopServer('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;

  return {
    url,
    port,
    dir,
    createDatabase: async () => {
      const name = `ironstar_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name} STRATEGY = FILE_COPY`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stopServer,
    startServer,
    stop: async () => {
      await stopServer('SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
};
