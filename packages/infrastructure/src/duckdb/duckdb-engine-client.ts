import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { SandboxSettings } from './duckdb-sandbox';
import type {
  EngineHello,
  EngineMessage,
  EngineReply,
  EngineReplyValue,
  EngineRequest,
} from './engine-protocol';

export type EngineProcessOptions = {
  readonly settings: SandboxSettings;
  /** V8 heap of the engine process (--max-old-space-size), in MB. */
  readonly heapMb: number;
  /** The engine process is killed once its resident memory passes this many bytes. */
  readonly rssLimitBytes: number;
  /** libuv threads in the engine process: one per concurrent query, plus appends. */
  readonly threadpool: number;
  /** Called once when the process is gone, with why. */
  readonly onExit: (reason: string) => void;
};

/** A reply that says no: the SQL was refused, or it failed while it ran. */
export class EngineError extends Error {
  readonly refused: boolean;
  constructor(message: string, refused: boolean) {
    super(message);
    this.refused = refused;
  }
}

/** The engine process ended (killed, crashed or out of memory) before it replied. */
export class EngineGone extends Error {}

export type EngineClient = {
  readonly pid: number;
  call<R extends EngineRequest>(request: R): Promise<EngineReplyValue[R['op']]>;
  interrupt(query: number): void;
  /** SIGKILLs the process; `reason` is what every pending call and `onExit` hear. */
  kill(reason: string): void;
  readonly exited: Promise<void>;
};

const WATCH_MS = 100;
/**
 * Loaded before anything else in the engine process: when the server goes away (even by
 * SIGKILL) the IPC channel closes and the engine kills itself at once, busy or not, and even
 * while it is still loading its modules.
 */
const ORPHAN_GUARD = `--import=data:text/javascript,${encodeURIComponent(
  "process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));",
)}`;
const STDERR_KEPT = 2000;

/** The engine module next to this one: TypeScript run through tsx, or compiled JavaScript. */
const entryAndLoader = () => {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = new URL(`./duckdb-engine-process.${typescript ? 'ts' : 'js'}`, import.meta.url);
  const loader = typescript
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : [];
  return { entry, loader };
};

const residentBytes = (pid: number): number | undefined => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined; // not Linux, or already gone
  }
};

/**
 * Forks the DuckDB engine process and resolves once its sandbox is locked and ready. Calls
 * are matched to replies by id; when the process ends, every pending call rejects with
 * EngineGone. A watchdog kills it if its resident memory passes the limit (DuckDB's
 * memory_limit does not cover everything, e.g. constant folding while planning).
 */
export const spawnEngineProcess = (options: EngineProcessOptions): Promise<EngineClient> => {
  const { entry, loader } = entryAndLoader();
  const child: ChildProcess = fork(entry, [JSON.stringify(options.settings)], {
    execArgv: [ORPHAN_GUARD, ...loader, `--max-old-space-size=${options.heapMb}`],
    env: { ...process.env, UV_THREADPOOL_SIZE: String(options.threadpool) },
    // JSON blocked the server's loop less than 'advanced' for large string rows (measured).
    serialization: 'json',
    // DuckDB never writes into the server's JSON log; its stderr explains a crash.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const pid = child.pid ?? -1;
  // The server's event loop comes first when both want the CPU.
  try {
    setPriority(pid, 10);
  } catch {
    // not permitted here: the engine runs at the server's priority
  }
  // IPC write failures (EPIPE, channel closed) come as 'error' events when the engine dies;
  // its 'exit' handler below fails what was pending, so here they are only heard.
  child.on('error', () => {});
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
  });

  let nextId = 1;
  const pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; rows?: unknown[][] }
  >();
  let killedFor: string | undefined;
  let gone: string | undefined;

  const watchdog = setInterval(() => {
    const rss = residentBytes(pid);
    if (rss !== undefined && rss > options.rssLimitBytes) {
      client.kill(
        `the analytics engine used ${Math.round(rss / 2 ** 20)} MB, over its ${Math.round(options.rssLimitBytes / 2 ** 20)} MB limit`,
      );
    }
  }, WATCH_MS);
  watchdog.unref();

  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(watchdog);
      const tail = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
      gone =
        killedFor ??
        `the analytics engine exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`;
      for (const call of pending.values()) call.reject(new EngineGone(gone));
      pending.clear();
      options.onExit(gone);
      resolve();
    });
  });

  const client: EngineClient = {
    pid,
    call<R extends EngineRequest>(request: R) {
      const ended = gone ?? killedFor;
      if (ended !== undefined) return Promise.reject(new EngineGone(ended));
      const id = nextId++;
      return new Promise<EngineReplyValue[R['op']]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ ...request, id } satisfies EngineMessage, (error) => {
          if (error && pending.delete(id)) reject(new EngineGone(error.message));
        });
      });
    },
    interrupt(query) {
      // The engine may die between the check and the write; a send without a callback would
      // then raise 'error' on the child, and an unheard 'error' ends the server.
      if (gone === undefined && child.connected) child.send({ op: 'interrupt', query }, () => {});
    },
    kill(reason) {
      if (gone !== undefined || killedFor !== undefined) return;
      killedFor = reason;
      child.kill('SIGKILL');
    },
    exited,
  };

  child.on('message', (message: EngineReply) => {
    const call = pending.get(message.id);
    if (!call) return;
    if ('rows' in message) {
      call.rows = call.rows ? call.rows.concat(message.rows) : message.rows;
      return;
    }
    pending.delete(message.id);
    if (!message.ok) call.reject(new EngineError(message.message, message.refused));
    else if (call.rows) call.resolve({ ...(message.value as object), rows: call.rows });
    else call.resolve(message.value);
  });

  return new Promise<EngineClient>((resolve, reject) => {
    const onHello = (hello: EngineHello | EngineReply) => {
      if ('ready' in hello) resolve(client);
      else if ('fatal' in hello) reject(new Error(`analytics engine: ${hello.fatal}`));
      else return;
      child.off('message', onHello);
    };
    child.on('message', onHello);
    void exited.then(() => reject(new EngineGone(gone ?? 'the analytics engine exited')));
  });
};
