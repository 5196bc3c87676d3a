import { readdirSync, readFileSync, statSync } from 'node:fs';
import { get, request } from 'node:http';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export type RawResponse = {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
};

/**
 * A request over node:http from a chosen loopback address (127.0.0.2, 127.0.0.3, …), so one
 * test can be several clients to a server that caps each address.
 */
export const rawRequest = (
  url: string,
  options: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    from?: string;
  } = {},
) =>
  new Promise<RawResponse>((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        localAddress: options.from ?? '127.0.0.1',
        headers: {
          ...(body ? { 'content-length': String(body.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** POSTs `body` (sent as is when a string) to /api/analytics/queries. */
export const postQuery = async (
  url: string,
  body: unknown,
  options: { from?: string; contentType?: string } = {},
) => {
  const res = await rawRequest(`${url}/api/analytics/queries`, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': options.contentType ?? 'application/json' },
    ...(options.from ? { from: options.from } : {}),
  });
  let json: { id?: string; error?: { code: string; message: string } } = {};
  try {
    json = JSON.parse(res.text);
  } catch {
    // not JSON: the assertion on `json` says so
  }
  return { ...res, json };
};

/** Reads a feed as raw bytes as they arrive (compressed, when asked for); returns `close`. */
export const openRawFeed = (
  url: string,
  headers: Record<string, string>,
  onBytes: (count: number) => void,
) => {
  const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    res.on('data', (chunk: Buffer) => onBytes(chunk.length));
    res.on('error', () => {});
  });
  req.on('error', () => {});
  return () => req.destroy();
};

// Runs in its own thread, so the test's own work never shows up as server latency.
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
let running = true;
parentPort.on('message', () => { running = false; });
(async () => {
  const latencies = [];
  while (running) {
    const t0 = performance.now();
    try {
      const res = await fetch(workerData.url + '/healthz');
      await res.text();
      latencies.push([Date.now(), res.status === 200 ? performance.now() - t0 : Infinity]);
    } catch {
      latencies.push([Date.now(), Infinity]);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  parentPort.postMessage(latencies);
})();
`;

/** Asks GET /healthz every 50 ms from a worker thread; `stop` returns [when, latency ms] pairs. */
export const startHealthProbe = (url: string) => {
  const worker = new Worker(PROBE, { eval: true, workerData: { url } });
  const result = new Promise<Array<[number, number]>>((resolve) => worker.once('message', resolve));
  return {
    async stop(): Promise<Array<[number, number]>> {
      worker.postMessage('stop');
      const latencies = await result;
      await worker.terminate();
      return latencies;
    },
  };
};

const rssOf = (pid: number) => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
};

/** Direct children of a process (Linux /proc). */
export const childrenOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
};

/** CPU time a process has used, in clock ticks (utime + stime from /proc/<pid>/stat). */
export const cpuTicks = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
};

/** The server's DuckDB engine process, if one runs. */
export const enginePid = (serverPid: number) =>
  childrenOf(serverPid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('duckdb-engine-process');
    } catch {
      return false;
    }
  });

/** Whether a process exists and is not a zombie. */
export const isRunning = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Resident memory of a process and all its descendants, in bytes (Linux /proc). */
export const treeRss = (pid: number): number =>
  rssOf(pid) + childrenOf(pid).reduce((sum, child) => sum + treeRss(child), 0);

/** Disk the files under `dir` take now (allocated blocks), recursively. */
export const folderBytes = (dir: string): number => {
  let bytes = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    try {
      const info = statSync(path);
      bytes += info.isDirectory() ? folderBytes(path) : info.blocks * 512;
    } catch {
      // removed meanwhile
    }
  }
  return bytes;
};

/** Samples `read` every `ms` until stopped; `peak` is the largest value seen. */
export const sampleMax = (read: () => number, ms = 50) => {
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, ms);
  return {
    peak: () => peak,
    stop: () => clearInterval(timer),
  };
};
