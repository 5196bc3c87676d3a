import { DEFAULT_BUS_ENDPOINT, type Synchronous } from '@ironstar/infrastructure';

export type Config = {
  readonly databaseUrl: string;
  readonly databaseAuthToken: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly busEndpoint: string;
  /** Both set: share the bus of other processes through a proxy (see bus-proxy.ts). */
  readonly busProxy: { readonly publishTo: string; readonly subscribeTo: string } | undefined;
  readonly storePollMs: number;
  readonly sseCompression: boolean;
  readonly synchronous: Synchronous;
  readonly busyTimeoutMs: number;
  readonly keepAliveMs: number;
  readonly subscriberBuffer: number;
  readonly todoSnapshotEvery: number;
  readonly projectionSnapshotEvery: number;
  readonly logLevel: string;
  readonly logPretty: boolean;
  readonly analyticsQueryTimeoutMs: number;
  readonly analyticsMaxRows: number;
  readonly analyticsCacheTtlMs: number;
  readonly analyticsMaxResultBytes: number;
  readonly analyticsCacheMaxBytes: number;
  readonly analyticsMemoryBytes: number;
  readonly analyticsTempMaxBytes: number;
  readonly analyticsThreads: number;
  readonly analyticsMaxConcurrent: number;
  readonly analyticsMaxPerClient: number;
};

const SYNC_MODES: readonly Synchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/** Reads configuration from the environment; a bad value stops the server with a clear message. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(
        `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
      );
    }
    return value;
  };
  const size = sizeFrom(env);
  const synchronous = (env.SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase() as Synchronous;
  if (!SYNC_MODES.includes(synchronous)) {
    throw new Error(`SQLITE_SYNCHRONOUS must be one of ${SYNC_MODES.join(', ')}`);
  }
  return {
    databaseUrl: env.DATABASE_URL || 'file:./data/ironstar.db',
    databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
    host: env.HOST || '127.0.0.1',
    port: int('PORT', 3000, 0, 65535),
    busEndpoint: env.BUS_ENDPOINT || DEFAULT_BUS_ENDPOINT,
    busProxy: busProxyOf(env),
    storePollMs: int('STORE_POLL_MS', 1000, 10, 3_600_000),
    sseCompression: onOff('SSE_COMPRESSION', env.SSE_COMPRESSION, true),
    synchronous,
    busyTimeoutMs: int('SQLITE_BUSY_TIMEOUT_MS', 5000, 0, 600_000),
    keepAliveMs: int('SSE_KEEPALIVE_MS', 15_000, 100, 3_600_000),
    subscriberBuffer: int('SUBSCRIBER_BUFFER', 256, 1, 1_000_000),
    todoSnapshotEvery: int('TODO_SNAPSHOT_EVERY', 100, 0, 1_000_000),
    projectionSnapshotEvery: int('PROJECTION_SNAPSHOT_EVERY', 10_000, 0, 100_000_000),
    logLevel: env.LOG_LEVEL || 'info',
    logPretty: env.LOG_FORMAT ? env.LOG_FORMAT === 'pretty' : Boolean(process.stdout.isTTY),
    analyticsQueryTimeoutMs: int('ANALYTICS_QUERY_TIMEOUT_MS', 5000, 100, 600_000),
    analyticsMaxRows: int('ANALYTICS_MAX_ROWS', 1000, 1, 100_000),
    analyticsCacheTtlMs: int('ANALYTICS_CACHE_TTL_MS', 60_000, 0, 86_400_000),
    analyticsMaxResultBytes: size('ANALYTICS_MAX_RESULT_BYTES', 4 * MB, 1024, 256 * MB),
    analyticsCacheMaxBytes: size('ANALYTICS_CACHE_MAX_BYTES', 64 * MB, 0, 16 * GB),
    analyticsMemoryBytes: size('ANALYTICS_MEMORY', 512 * MB, 64 * MB, 1024 * GB),
    analyticsTempMaxBytes: size('ANALYTICS_TEMP_MAX', 256 * MB, 0, 1024 * GB),
    analyticsThreads: int('ANALYTICS_THREADS', 2, 1, 64),
    analyticsMaxConcurrent: int('ANALYTICS_MAX_CONCURRENT', 4, 1, 64),
    analyticsMaxPerClient: int('ANALYTICS_MAX_PER_CLIENT', 2, 1, 64),
  };
};

const MB = 2 ** 20;
const GB = 2 ** 30;
const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB, GB, TB: 1024 * GB };

/** A size in bytes: `4194304`, `4MB`, `512 MB`, `1GB` (units are powers of 1024). */
const sizeFrom =
  (env: NodeJS.ProcessEnv) => (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const match = /^(\d+)\s*(B|KB|MB|GB|TB)?$/i.exec(raw.trim());
    const value = match
      ? Number(match[1]) * (UNITS[(match[2] ?? '').toUpperCase()] ?? Number.NaN)
      : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(
        `${name} must be a size such as 4MB or 1GB, from ${min} to ${max} bytes, got ${JSON.stringify(raw)}`,
      );
    }
    return value;
  };

const onOff = (name: string, raw: string | undefined, fallback: boolean) => {
  if (raw === undefined || raw === '') return fallback;
  if (/^(on|true|1|yes)$/i.test(raw)) return true;
  if (/^(off|false|0|no)$/i.test(raw)) return false;
  throw new Error(`${name} must be on or off, got ${JSON.stringify(raw)}`);
};

const busProxyOf = (env: NodeJS.ProcessEnv) => {
  const publishTo = env.BUS_PROXY_PUBLISH;
  const subscribeTo = env.BUS_PROXY_SUBSCRIBE;
  if (!publishTo && !subscribeTo) return undefined;
  if (!publishTo || !subscribeTo) {
    throw new Error('BUS_PROXY_PUBLISH and BUS_PROXY_SUBSCRIBE must be set together');
  }
  return { publishTo, subscribeTo };
};
