/**
 * The DuckDB engine as its own OS process (forked by duckdb-engine-client.ts). Everything
 * DuckDB does (appending, parsing, planning, running) happens here, on this process's own
 * threads and heap, so the server can always SIGKILL it: a native call that ignores its
 * interrupt, or memory that grows past every limit, ends with this process and nothing else.
 */
import {
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import type { StoredEvent } from '@ironstar/application';
import { openSandbox, type Sandbox, type SandboxSettings } from './duckdb-sandbox';
import type {
  EngineHello,
  EngineMessage,
  EngineReply,
  EngineRequest,
  EngineState,
} from './engine-protocol';
import { readBoundedRows } from './result-rows';

// The server going away is handled before this module loads (ORPHAN_GUARD in the client).

class Refused extends Error {}

const send = (message: EngineReply | EngineHello) => {
  if (process.connected) process.send?.(message);
};
const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';

const append = async (sandbox: Sandbox, events: readonly StoredEvent[]) => {
  const appender = await sandbox.writer.createAppender('events');
  try {
    for (const e of events) {
      appender.appendBigInt(BigInt(e.globalSequence));
      appender.appendVarchar(e.id);
      appender.appendVarchar(e.aggregateType);
      appender.appendVarchar(e.aggregateId);
      appender.appendInteger(e.aggregateSequence);
      appender.appendVarchar(e.eventType);
      appender.appendInteger(e.eventVersion);
      appender.appendVarchar(JSON.stringify(e.payload ?? null));
      if (e.metadata === null) appender.appendNull();
      else appender.appendVarchar(JSON.stringify(e.metadata));
      appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(e.createdAt)) * 1000n));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return events.length;
};

const serve = (sandbox: Sandbox) => {
  type Entry = {
    connection: DuckDBConnection;
    prepared?: DuckDBPreparedStatement;
    /** Planning or running now: a release waits for it (after interrupting it). */
    busy: boolean;
    released: boolean;
  };
  const queries = new Map<number, Entry>();
  const release = (query: number) => {
    const entry = queries.get(query);
    if (!entry) return null;
    if (entry.busy) {
      entry.released = true;
      entry.connection.interrupt();
      return null;
    }
    queries.delete(query);
    entry.prepared?.destroySync();
    entry.connection.disconnectSync();
    return null;
  };
  /** Runs `work` on the query's entry, then releases it if that was asked for meanwhile. */
  const busy = async <T>(entry: Entry, query: number, work: () => Promise<T>) => {
    entry.busy = true;
    try {
      return await work();
    } finally {
      entry.busy = false;
      if (entry.released) release(query);
    }
  };

  const perform = async (id: number, request: EngineRequest): Promise<unknown> => {
    switch (request.op) {
      case 'append':
        return append(sandbox, request.events);
      case 'prepare': {
        const entry: Entry = {
          connection: await sandbox.instance.connect(),
          busy: false,
          released: false,
        };
        queries.set(request.query, entry);
        const outcome = await busy(entry, request.query, async () => {
          const prepared = await sandbox.prepare(entry.connection, request.sql);
          if (typeof prepared !== 'string') entry.prepared = prepared;
          return prepared;
        }).catch((error: unknown) => {
          release(request.query);
          throw error;
        });
        if (typeof outcome === 'string') {
          release(request.query);
          throw new Refused(outcome);
        }
        return null;
      }
      case 'run': {
        const entry = queries.get(request.query);
        const prepared = entry?.prepared;
        if (!entry || !prepared) throw new Error('no such prepared query');
        entry.released = true; // a statement runs once
        return busy(entry, request.query, () =>
          readBoundedRows(prepared, request, (rows) => send({ id, rows })),
        );
      }
      case 'release':
        return release(request.query);
      case 'count': {
        const reader = await sandbox.writer.runAndReadAll('SELECT count(*) FROM events');
        return Number(reader.getRowsJson()[0]?.[0] ?? 0);
      }
      case 'state': {
        const reader = await sandbox.writer.runAndReadAll(
          `SELECT count(*), coalesce(max(global_sequence), 0),
             (SELECT id FROM events ORDER BY global_sequence DESC LIMIT 1) FROM events`,
        );
        const [count, last, lastId] = reader.getRowsJson()[0] ?? [];
        return {
          count: Number(count ?? 0),
          last: Number(last ?? 0),
          lastId: lastId === null || lastId === undefined ? null : String(lastId),
          persisted: sandbox.persisted,
        } satisfies EngineState;
      }
      case 'reset':
        await sandbox.writer.run('DELETE FROM events');
        return null;
      case 'checkpoint':
        await sandbox.writer.run('CHECKPOINT');
        return null;
    }
  };

  process.on('message', (message: EngineMessage) => {
    if (message.op === 'interrupt') {
      queries.get(message.query)?.connection.interrupt();
      return;
    }
    const { id } = message;
    perform(id, message).then(
      (value) => send({ id, ok: true, value }),
      (error: unknown) =>
        send({ id, ok: false, refused: error instanceof Refused, message: messageOf(error) }),
    );
  });
};

const settings = JSON.parse(process.argv[2] ?? '{}') as SandboxSettings;
// A kept file that opens but cannot be used (damaged, another schema) leaves this engine in
// memory, rebuilt from the store, rather than failing every restart.
const opened = openSandbox(settings).catch(async (error: unknown): Promise<Sandbox> => {
  if (settings.path === undefined) throw error;
  const { path: _, ...inMemory } = settings;
  return { ...(await openSandbox(inMemory)), persisted: messageOf(error) };
});
opened.then(
  (sandbox) => {
    serve(sandbox);
    send({ ready: true });
  },
  (error: unknown) => {
    send({ fatal: messageOf(error) });
    process.exit(1);
  },
);
