import { fileURLToPath } from 'node:url';
import type { Client } from '@libsql/client';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { type Connection, clientConnection, filePathOf, openNativeWriter } from './libsql-writer';

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
  /** Told how long each write transaction's COMMIT took, in seconds (with FULL, the WAL fsync). */
  readonly onCommit?: (seconds: number) => void;
};

// From the sources: the package's drizzle folder; the compiled build (scripts/build.mjs)
// copies it next to its bundle.
const MIGRATIONS = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../drizzle' : './drizzle', import.meta.url),
);

/**
 * The client and drizzle driver for the URL. A local file needs only the sqlite3 flavour: the
 * full @libsql/client also loads its HTTP and WebSocket clients, ~100 ms of every start.
 */
const loadDriver = async (isFile: boolean) => {
  if (isFile) {
    const [{ createClient }, { drizzle }] = await Promise.all([
      import('@libsql/client/sqlite3'),
      import('drizzle-orm/libsql/sqlite3'),
    ]);
    return { createClient, drizzle };
  }
  const [{ createClient }, { drizzle }] = await Promise.all([
    import('@libsql/client'),
    import('drizzle-orm/libsql'),
  ]);
  return { createClient, drizzle };
};

/**
 * One libSQL database as ironstar uses it: a reader, and one dedicated writer connection whose
 * PRAGMAs are set and read back, fed by one in-process queue (SQLite has one writer at a time,
 * and a busy timeout would block this thread). On a local file the writer is a native `libsql`
 * connection with its statements prepared once (libsql-writer.ts); on a libSQL server it is a
 * @libsql/client. Migrations run at open.
 */
export const openLibsqlDatabase = async (options: LibsqlDatabaseOptions) => {
  const isFile = options.url.startsWith('file:');
  const synchronous = options.synchronous ?? 'FULL';
  const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? 5000);
  const { createClient, drizzle } = await loadDriver(isFile);
  const clientOf = () =>
    createClient({
      url: options.url,
      ...(options.authToken ? { authToken: options.authToken } : {}),
      ...(isFile ? { concurrency: 1 } : {}),
    });
  const settings: Record<string, unknown> = {};

  /** Sets the writer's PRAGMAs on a native connection and checks them by reading them back. */
  const configure = (native: NativeWriter) => {
    native.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    native.exec('PRAGMA journal_mode = WAL');
    native.exec(`PRAGMA synchronous = ${synchronous}`);
    settings.journalMode = native.read('journal_mode');
    settings.synchronous = native.read('synchronous');
    settings.busyTimeout = native.read('busy_timeout');
    if (options.maxPageCount !== undefined) {
      native.exec(`PRAGMA max_page_count = ${Math.trunc(options.maxPageCount)}`);
      settings.maxPageCount = Number(native.read('max_page_count'));
    }
    const expected = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 }[synchronous];
    if (settings.journalMode !== 'wal' || Number(settings.synchronous) !== expected) {
      throw new Error(`libSQL writer not configured as asked: ${JSON.stringify(settings)}`);
    }
  };
  const openNative = () => {
    const native = openNativeWriter(filePathOf(options.url));
    try {
      configure(native);
    } catch (error) {
      native.close();
      throw error;
    }
    return native;
  };

  const readerClient = clientOf();
  let native: NativeWriter | undefined;
  let writerClient: Client | undefined;
  try {
    if (isFile) {
      native = openNative();
      await readerClient.execute(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    } else {
      writerClient = clientOf();
    }
    // The reader runs the migrations (drizzle's migrator takes a client) before any write.
    await migrate(drizzle(readerClient), { migrationsFolder: MIGRATIONS });
  } catch (error) {
    native?.close();
    writerClient?.close();
    readerClient.close();
    throw error;
  }
  const reader = drizzle(readerClient);

  // One write at a time, in arrival order.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  // A failed write (SQLITE_BUSY on BEGIN, an I/O error) may leave a connection unusable. A
  // fresh, freshly configured connection recovers; if that fails too, the old one stays and
  // the next error tries again.
  const replaceWriter = () =>
    serialize(async () => {
      if (native) {
        let fresh: NativeWriter;
        try {
          fresh = openNative();
        } catch {
          return;
        }
        native.close();
        native = fresh;
        return;
      }
      const fresh = clientOf();
      writerClient?.close();
      writerClient = fresh;
    });

  const transaction = <T>(work: (connection: Connection) => Promise<T>): Promise<T> =>
    serialize(async () => {
      if (native) {
        const writer = native;
        writer.begin();
        try {
          const result = await work(writer.connection);
          const committing = performance.now();
          writer.commit();
          options.onCommit?.((performance.now() - committing) / 1000);
          return result;
        } catch (error) {
          writer.rollback();
          throw error;
        }
      }
      const tx = await (writerClient as Client).transaction('write');
      try {
        const result = await work(clientConnection(tx));
        const committing = performance.now();
        await tx.commit();
        options.onCommit?.((performance.now() - committing) / 1000);
        return result;
      } finally {
        tx.close(); // rolls back if not committed
      }
    });

  return {
    reader,
    /** The reader's client, for hot paths where building SQL per call would cost too much. */
    readerClient,
    settings,
    /** Runs `work`'s statements on the writer (each its own transaction), after every write queued before it. */
    write: <T>(work: (connection: Connection) => Promise<T>): Promise<T> =>
      serialize(() => work(native ? native.connection : clientConnection(writerClient as Client))),
    /** Runs `work` in one write transaction (BEGIN IMMEDIATE) on the writer. */
    transaction,
    /** Call after an unexpected write failure: the writer connection may be unusable. */
    recover: replaceWriter,
    async close() {
      await queue;
      native?.close();
      writerClient?.close();
      readerClient.close();
    },
  };
};

type NativeWriter = ReturnType<typeof openNativeWriter>;

export type LibsqlDatabase = Awaited<ReturnType<typeof openLibsqlDatabase>>;
