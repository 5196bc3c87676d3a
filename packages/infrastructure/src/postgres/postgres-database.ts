import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

export type PostgresDatabaseOptions = {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). */
  readonly url: string;
  /** Connections this process opens at most (default 10): a bound that does not grow with load. */
  readonly maxConnections?: number;
  /** How long a query may wait for a connection, or run, before the store answers unavailable. */
  readonly timeoutMs?: number;
  /** Told how long each write transaction's COMMIT took, in seconds. */
  readonly onCommit?: (seconds: number) => void;
};

// From the sources: the package's drizzle-pg folder; the compiled build copies it next to its bundle.
const MIGRATIONS = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../drizzle-pg' : './drizzle-pg', import.meta.url),
);

/** Rows as arrays: fixed SQL text, read by position (no per-row property objects). */
export type Query = (sql: string, args: readonly unknown[]) => Promise<unknown[][]>;

// Session-level advisory lock key that serializes migrations between processes starting together.
const MIGRATION_LOCK = 0x1a0057a2;

/**
 * One PostgreSQL database as ironstar uses it: a bounded pg pool, migrations at open (under an
 * advisory lock, so two servers starting at once do not both migrate), and transactions on one
 * pooled connection each.
 */
export const openPostgresDatabase = async (options: PostgresDatabaseOptions) => {
  const timeoutMs = options.timeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: timeoutMs,
    // Server-side and client-side bounds: a query never hangs on a dead or stuck server.
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'ironstar',
  });
  // An idle connection the server closed (restart, failover) is dropped by the pool; without a
  // listener its 'error' would crash the process.
  pool.on('error', () => {});

  try {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await migrate(drizzle(client), { migrationsFolder: MIGRATIONS });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }

  const query: Query = async (sql, args) =>
    (await pool.query({ text: sql, values: args as unknown[], rowMode: 'array' })).rows;

  return {
    pool,
    /** A single statement on any pooled connection (autocommit). */
    query,
    settings: { maxConnections: options.maxConnections ?? 10, timeoutMs },
    /**
     * Runs `work` in one READ COMMITTED transaction on one connection: committed when it
     * returns, rolled back when it throws. A connection that failed is destroyed, not reused.
     */
    transaction: async <T>(work: (q: Query) => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      let broken: Error | undefined;
      // The server may drop the connection between two of our statements (restart, failover):
      // pg then emits 'error' on the checked-out client, which must not crash the process; the
      // next statement fails and the connection is destroyed below.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const q: Query = async (sql, args) =>
          (await client.query({ text: sql, values: args as unknown[], rowMode: 'array' })).rows;
        const result = await work(q);
        const committing = performance.now();
        await client.query('COMMIT');
        options.onCommit?.((performance.now() - committing) / 1000);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => {
          broken = rollback;
        });
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
};

export type PostgresDatabase = Awaited<ReturnType<typeof openPostgresDatabase>>;
