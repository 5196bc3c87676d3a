import { fileURLToPath } from 'node:url';
import { type Client, createClient, type Transaction } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';

export type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export type LibsqlDatabaseOptions = {
  /** `file:./data/ironstar.db`, or a libSQL server URL (`http://...`, `libsql://...`). */
  readonly url: string;
  readonly authToken?: string;
  /** Durability of a commit; FULL (the default) fsyncs the WAL before a write is acknowledged. */
  readonly synchronous?: Synchronous;
  /** How long to wait for another process holding the write lock. */
  readonly busyTimeoutMs?: number;
  /**
   * Caps the file at this many pages (4 KiB each by default): a write past it fails with
   * SQLITE_FULL, as on a full disk. A cap below the current size holds it at that size.
   */
  readonly maxPageCount?: number;
};

// From the sources: the package's drizzle folder; the compiled build (scripts/build.mjs)
// copies it next to its bundle.
const MIGRATIONS = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../drizzle' : './drizzle', import.meta.url),
);

/**
 * One libSQL database as ironstar uses it: a reader, and one dedicated writer connection whose
 * PRAGMAs are set and read back, fed by one in-process queue (@libsql/client fails, rather than
 * queues, a second concurrent write transaction). Migrations run at open.
 */
export const openLibsqlDatabase = async (options: LibsqlDatabaseOptions) => {
  const isFile = options.url.startsWith('file:');
  const synchronous = options.synchronous ?? 'FULL';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const clientOf = () =>
    createClient({
      url: options.url,
      ...(options.authToken ? { authToken: options.authToken } : {}),
      ...(isFile ? { concurrency: 1 } : {}),
    });
  const settings: Record<string, unknown> = {};

  const configure = async (client: Client, role: 'writer' | 'reader') => {
    if (!isFile) return;
    await client.execute(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    if (role === 'reader') return;
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute(`PRAGMA synchronous = ${synchronous}`);
    const read = async (pragma: string) =>
      Object.values((await client.execute(`PRAGMA ${pragma}`)).rows[0] ?? {})[0];
    settings.journalMode = await read('journal_mode');
    settings.synchronous = await read('synchronous');
    settings.busyTimeout = await read('busy_timeout');
    if (options.maxPageCount !== undefined) {
      await client.execute(`PRAGMA max_page_count = ${Math.trunc(options.maxPageCount)}`);
      settings.maxPageCount = Number(await read('max_page_count'));
    }
    const expected = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 }[synchronous];
    if (settings.journalMode !== 'wal' || Number(settings.synchronous) !== expected) {
      throw new Error(`libSQL writer not configured as asked: ${JSON.stringify(settings)}`);
    }
  };

  let writerClient = clientOf();
  const readerClient = clientOf();
  try {
    await configure(writerClient, 'writer');
    await configure(readerClient, 'reader');
    await migrate(drizzle(writerClient), { migrationsFolder: MIGRATIONS });
  } catch (error) {
    writerClient.close();
    readerClient.close();
    throw error;
  }
  let writer = drizzle(writerClient);
  const reader = drizzle(readerClient);

  // One write at a time, in arrival order.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  // After a failed BEGIN (SQLITE_BUSY) libsql leaves the statement unfinished and every later
  // COMMIT on that connection fails. A fresh, freshly configured connection recovers.
  const replaceWriter = () =>
    serialize(async () => {
      const fresh = clientOf();
      try {
        await configure(fresh, 'writer');
      } catch {
        fresh.close(); // still failing: keep the old one and try again on the next error
        return;
      }
      writerClient.close();
      writerClient = fresh;
      writer = drizzle(fresh);
    });

  return {
    reader,
    /** The reader's client, for hot paths where building SQL per call would cost too much. */
    readerClient,
    settings,
    /** Runs `work` on the writer, after every write queued before it. */
    write: <T>(work: (db: LibSQLDatabase) => Promise<T>): Promise<T> =>
      serialize(() => work(writer)),
    /** Runs `work` in one write transaction (BEGIN IMMEDIATE) on the writer's own client. */
    transaction: <T>(work: (tx: Transaction) => Promise<T>): Promise<T> =>
      serialize(async () => {
        const tx = await writerClient.transaction('write');
        try {
          const result = await work(tx);
          await tx.commit();
          return result;
        } finally {
          tx.close(); // rolls back if not committed
        }
      }),
    /** Call after an unexpected write failure: the writer connection may be unusable. */
    recover: replaceWriter,
    async close() {
      await queue;
      writerClient.close();
      readerClient.close();
    },
  };
};

export type LibsqlDatabase = Awaited<ReturnType<typeof openLibsqlDatabase>>;
