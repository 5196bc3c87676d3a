import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { getLibsqlEventStore } from '@ironstar/infrastructure';
import { createClient } from '@libsql/client';

/** The p-th percentile (0-100) of some numbers. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
};

/** Wall-clock milliseconds comparable across processes on this machine. */
export const now = () => performance.timeOrigin + performance.now();

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The database and what lives beside it: its WAL, and the analytics projection's file. */
export const removeDb = (path: string) => {
  for (const suffix of ['', '-wal', '-shm', '-analytics.duckdb', '-analytics.duckdb.wal']) {
    rmSync(path + suffix, { force: true });
  }
};

/** Creates the real schema (by opening the store once) at `path`. */
export const freshDb = async (path: string) => {
  removeDb(path);
  await (await getLibsqlEventStore({ url: `file:${path}` })).close();
};

/**
 * Fills a database fast with realistic Todo events: one TodoCreated (v2) per todo, then
 * renames; 1,000 rows per INSERT, synchronous=OFF (generation only).
 */
const AT = '2026-11-22T10:00:00.000Z';

/**
 * Event `n` of a generated log over `todos` todos: each created once (TodoCreated v2, as
 * stored before owners, so the upcaster runs too), then renamed over and over.
 */
export const benchEvent = (n: number, todos: number) => {
  const aggregateId = `00000000-0000-4000-8000-${String(n % todos).padStart(12, '0')}`;
  const version = Math.floor(n / todos) + 1;
  const created = version === 1;
  return {
    id: `bench-${n}`,
    aggregateId,
    version,
    type: created ? 'TodoCreated' : 'TodoRenamed',
    eventVersion: created ? 2 : 1,
    payload: JSON.stringify(
      created
        ? { id: aggregateId, text: `todo number ${n}`, priority: 'normal', createdAt: AT }
        : { id: aggregateId, text: `renamed ${n}` },
    ),
  };
};

export const generateEvents = async (
  path: string,
  count: number,
  todos = Math.max(1, Math.floor(count / 10)),
) => {
  await freshDb(path);
  const client = createClient({ url: `file:${path}`, concurrency: 1 });
  await client.execute('PRAGMA synchronous = OFF');
  const meta = JSON.stringify({
    correlationId: 'bench',
    requestId: 'bench',
    commandId: 'bench',
    causationId: 'bench',
  });
  for (let start = 0; start < count; start += 1000) {
    const rows: string[] = [];
    const args: Array<string | number> = [];
    for (let n = start; n < Math.min(count, start + 1000); n++) {
      const e = benchEvent(n, todos);
      rows.push('(?, ?, ?, ?, ?, ?, ?, ?, ?)');
      args.push(
        e.id,
        'Todo',
        e.aggregateId,
        e.version,
        e.type,
        e.eventVersion,
        e.payload,
        meta,
        AT,
      );
    }
    await client.execute({
      sql: `INSERT INTO events (id, aggregate_type, aggregate_id, aggregate_sequence, event_type, event_version, payload, metadata, created_at) VALUES ${rows.join(',')}`,
      args,
    });
  }
  await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  client.close();
};

export const metric = async (url: string, name: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return Number(match?.[1] ?? Number.NaN);
};

const TSCONFIG = fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url));

export type Lines = { child: ChildProcess; next: () => Promise<Record<string, unknown>> };

/** Runs a TypeScript file as a child process and reads its stdout as JSON lines. */
export const runTs = (file: string, args: string[]): Lines => {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (!child.stdout) throw new Error(`no stdout from ${file}`); // a bug: stdout is piped
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  return {
    child,
    next: async () => {
      const line = queue.shift() ?? (await new Promise<string>((resolve) => waiters.push(resolve)));
      return JSON.parse(line) as Record<string, unknown>;
    },
  };
};
