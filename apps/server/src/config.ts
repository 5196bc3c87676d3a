import { DEFAULT_BUS_ENDPOINT, type Synchronous } from '@ironstar/infrastructure';
import {
  type AuthSettings,
  isLoopbackUrl,
  LOOPBACK_HOSTS,
  normalizeAllowedHost,
} from '@ironstar/web';

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
  /** 0: no cap beyond SQLite's own. */
  readonly maxPageCount: number;
  readonly keepAliveMs: number;
  readonly subscriberBuffer: number;
  readonly todoSnapshotEvery: number;
  readonly projectionSnapshotEvery: number;
  readonly logLevel: string;
  readonly logPretty: boolean;
  readonly analyticsQueryTimeoutMs: number;
  readonly analyticsMaxRows: number;
  readonly analyticsCacheTtlMs: number;
  /** Host names requests may name (Host, Origin), or '*' for any. */
  readonly allowedHosts: readonly string[] | '*';
  readonly publicUrl: string | undefined;
  /** Open SSE streams across all feeds. */
  readonly sseMaxConnections: number;
  /** Todos the page and /feed show at most (without ?limit=). */
  readonly todoPageSize: number;
  /** Node's limits on a request still arriving; see the README's Security section. */
  readonly httpHeadersTimeoutMs: number;
  readonly httpRequestTimeoutMs: number;
  readonly httpConnectionsCheckMs: number;
  readonly analyticsMaxResultBytes: number;
  readonly analyticsCacheMaxBytes: number;
  readonly analyticsMemoryBytes: number;
  readonly analyticsTempMaxBytes: number;
  readonly analyticsThreads: number;
  readonly analyticsMaxConcurrent: number;
  readonly analyticsMaxPerClient: number;
  /** The in-process payment gateway answers after this long. */
  readonly paymentLatencyMs: number;
  /** ... and declines any payment over this amount. */
  readonly paymentLimitCents: number;
  /** An order whose payment is not answered within this is cancelled ("payment timed out"). */
  readonly paymentTimeoutMs: number;
  /** The in-process carrier dispatches a requested shipment after this long. */
  readonly shippingLatencyMs: number;
  /** Process managers: lease time to live, tries before parking, timer/outbox polling. */
  readonly processLeaseMs: number;
  readonly processRetryMax: number;
  readonly processPollMs: number;
  /** Sign-in settings; undefined: local mode (loopback only), every request the local admin. */
  readonly auth: AuthSettings | undefined;
  /** Bearer token a scraper may read /metrics with (besides an admin). */
  readonly metricsToken: string | undefined;
  /** Commands one user may send per minute. */
  readonly rateLimitPerMinute: number;
  /** Feeds one user may hold open. */
  readonly feedsPerUser: number;
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
  const host = env.HOST || '127.0.0.1';
  const publicUrl = publicUrlOf(env.PUBLIC_URL);
  const httpHeadersTimeoutMs = int('HTTP_HEADERS_TIMEOUT_MS', 20_000, 100, 600_000);
  const httpRequestTimeoutMs = int('HTTP_REQUEST_TIMEOUT_MS', 20_000, 100, 600_000);
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new Error('HTTP_HEADERS_TIMEOUT_MS must not be more than HTTP_REQUEST_TIMEOUT_MS');
  }
  return {
    databaseUrl: env.DATABASE_URL || 'file:./data/ironstar.db',
    databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
    host,
    port: int('PORT', 3000, 0, 65535),
    busEndpoint: env.BUS_ENDPOINT || DEFAULT_BUS_ENDPOINT,
    busProxy: busProxyOf(env),
    storePollMs: int('STORE_POLL_MS', 1000, 10, 3_600_000),
    sseCompression: onOff('SSE_COMPRESSION', env.SSE_COMPRESSION, true),
    synchronous,
    busyTimeoutMs: int('SQLITE_BUSY_TIMEOUT_MS', 5000, 0, 600_000),
    maxPageCount: int('SQLITE_MAX_PAGE_COUNT', 0, 0, 4_294_967_294),
    keepAliveMs: int('SSE_KEEPALIVE_MS', 15_000, 100, 3_600_000),
    subscriberBuffer: int('SUBSCRIBER_BUFFER', 256, 1, 1_000_000),
    todoSnapshotEvery: int('TODO_SNAPSHOT_EVERY', 100, 0, 1_000_000),
    projectionSnapshotEvery: int('PROJECTION_SNAPSHOT_EVERY', 10_000, 0, 100_000_000),
    logLevel: env.LOG_LEVEL || 'info',
    logPretty: env.LOG_FORMAT ? env.LOG_FORMAT === 'pretty' : Boolean(process.stdout.isTTY),
    analyticsQueryTimeoutMs: int('ANALYTICS_QUERY_TIMEOUT_MS', 5000, 100, 600_000),
    analyticsMaxRows: int('ANALYTICS_MAX_ROWS', 1000, 1, 100_000),
    analyticsCacheTtlMs: int('ANALYTICS_CACHE_TTL_MS', 60_000, 0, 86_400_000),
    allowedHosts: allowedHostsOf(env.ALLOWED_HOSTS, host, publicUrl),
    publicUrl,
    sseMaxConnections: int('SSE_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    todoPageSize: int('TODO_PAGE_SIZE', 200, 1, 1000),
    paymentLatencyMs: int('PAYMENT_LATENCY_MS', 300, 0, 600_000),
    paymentLimitCents: int('PAYMENT_LIMIT_CENTS', 100_000, 0, Number.MAX_SAFE_INTEGER),
    paymentTimeoutMs: int('PAYMENT_TIMEOUT_MS', 10_000, 1, 86_400_000),
    shippingLatencyMs: int('SHIPPING_LATENCY_MS', 50, 0, 600_000),
    httpHeadersTimeoutMs,
    httpRequestTimeoutMs,
    httpConnectionsCheckMs: int('HTTP_CONNECTIONS_CHECK_MS', 1000, 10, 60_000),
    analyticsMaxResultBytes: size('ANALYTICS_MAX_RESULT_BYTES', 4 * MB, 1024, 256 * MB),
    analyticsCacheMaxBytes: size('ANALYTICS_CACHE_MAX_BYTES', 64 * MB, 0, 16 * GB),
    analyticsMemoryBytes: size('ANALYTICS_MEMORY', 512 * MB, 64 * MB, 1024 * GB),
    analyticsTempMaxBytes: size('ANALYTICS_TEMP_MAX', 256 * MB, 0, 1024 * GB),
    analyticsThreads: int('ANALYTICS_THREADS', 2, 1, 64),
    analyticsMaxConcurrent: int('ANALYTICS_MAX_CONCURRENT', 4, 1, 64),
    analyticsMaxPerClient: int('ANALYTICS_MAX_PER_CLIENT', 2, 1, 64),
    processLeaseMs: int('PROCESS_LEASE_MS', 10_000, 300, 600_000),
    processRetryMax: int('PROCESS_RETRY_MAX', 5, 1, 100),
    processPollMs: int('PROCESS_POLL_MS', 250, 10, 60_000),
    auth: authOf(env, host, publicUrl),
    metricsToken: secretOf(env, 'METRICS_TOKEN', 16),
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    feedsPerUser: int('FEEDS_PER_USER', 20, 1, 100_000),
  };
};

/** A secret setting: unset, or long enough not to be guessed. */
const secretOf = (env: NodeJS.ProcessEnv, name: string, minLength: number) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < minLength || /\s/.test(raw)) {
    throw new Error(`${name} must be at least ${minLength} characters, without spaces`);
  }
  return raw;
};

const LOOPBACK_LISTEN = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

/** An OIDC issuer or GitHub base URL: https, or http on a loopback address only. */
const providerUrlOf = (name: string, raw: string) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an https URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url))) {
    return url.href.replace(/\/+$/, '');
  }
  throw new Error(
    `${name} must be an https URL (http only on a loopback address), got ${JSON.stringify(raw)}`,
  );
};

/**
 * The sign-in settings: a provider configured needs SESSION_SECRET and PUBLIC_URL; none
 * configured is local mode, which only a loopback HOST may run (anyone reaching the port
 * would be the admin).
 */
const authOf = (
  env: NodeJS.ProcessEnv,
  host: string,
  publicUrl: string | undefined,
): AuthSettings | undefined => {
  const pair = (idName: string, secretName: string) => {
    const id = env[idName] || undefined;
    const secret = env[secretName] || undefined;
    if (!id && !secret) return undefined;
    if (!id || !secret) throw new Error(`${idName} and ${secretName} must be set together`);
    return { clientId: id, clientSecret: secret };
  };
  const oidcClient = pair('OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET');
  if (oidcClient && !env.OIDC_ISSUER) throw new Error('OIDC_CLIENT_ID needs OIDC_ISSUER');
  if (env.OIDC_ISSUER && !oidcClient) {
    throw new Error('OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
  }
  const githubClient = pair('GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET');
  if (env.GITHUB_URL && !githubClient) {
    throw new Error('GITHUB_URL needs GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET');
  }
  if (!oidcClient && !githubClient) {
    if (!LOOPBACK_LISTEN.test(host)) {
      throw new Error(
        `HOST ${host} is not a loopback address and no sign-in provider is configured: ` +
          'anyone reaching the port would be the admin. Configure OIDC_ISSUER or GITHUB_CLIENT_ID ' +
          '(see README, Users and sign-in), or listen on 127.0.0.1.',
      );
    }
    return undefined;
  }
  const sessionSecret = secretOf(env, 'SESSION_SECRET', 32);
  if (!sessionSecret) throw new Error('a sign-in provider needs SESSION_SECRET (32+ characters)');
  if (!publicUrl) throw new Error('a sign-in provider needs PUBLIC_URL (callbacks are under it)');
  const adminUsers = (env.ADMIN_USERS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return {
    publicUrl,
    sessionSecret,
    adminUsers,
    ...(oidcClient
      ? { oidc: { issuer: providerUrlOf('OIDC_ISSUER', env.OIDC_ISSUER ?? ''), ...oidcClient } }
      : {}),
    ...(githubClient
      ? {
          github: {
            url: providerUrlOf('GITHUB_URL', env.GITHUB_URL || 'https://github.com'),
            ...githubClient,
          },
        }
      : {}),
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

const publicUrlOf = (raw: string | undefined) => {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_URL must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`PUBLIC_URL must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return url.origin;
};

// Listening on every interface names no host of its own.
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * ALLOWED_HOSTS, comma-separated, or '*' said explicitly. Unset: the loopback names, the
 * listen address when it is a specific one, and the host of PUBLIC_URL.
 */
const allowedHostsOf = (
  raw: string | undefined,
  host: string,
  publicUrl: string | undefined,
): readonly string[] | '*' => {
  if (raw?.trim() === '*') return '*';
  const entries =
    raw === undefined || raw.trim() === ''
      ? [
          ...LOOPBACK_HOSTS,
          ...(WILDCARD_HOSTS.has(host) ? [] : [host]),
          ...(publicUrl ? [new URL(publicUrl).host] : []),
        ]
      : raw.split(',').filter((entry) => entry.trim() !== '');
  const hosts = entries.map((entry) => {
    const name = normalizeAllowedHost(entry);
    if (name === undefined) {
      throw new Error(`ALLOWED_HOSTS: not a host name: ${JSON.stringify(entry.trim())}`);
    }
    return name;
  });
  return [...new Set(hosts)];
};
