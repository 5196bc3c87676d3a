import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const SECRET = 's'.repeat(32);
const GITHUB = {
  GITHUB_CLIENT_ID: 'id',
  GITHUB_CLIENT_SECRET: 'secret',
  SESSION_SECRET: SECRET,
  PUBLIC_URL: 'https://todo.example.com',
};

describe('sign-in settings', () => {
  it('are local mode without a provider on loopback, with the default limits', () => {
    const config = loadConfig({});
    expect(config.auth).toBeUndefined();
    expect(config.rateLimitPerMinute).toBe(600);
    expect(config.feedsPerUser).toBe(20);
    expect(config.metricsToken).toBeUndefined();
    expect(loadConfig({ HOST: '::1' }).auth).toBeUndefined();
  });

  it('refuse to start off loopback without a provider, saying why', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/not a loopback address.*provider/);
    expect(() => loadConfig({ HOST: '10.0.0.5' })).toThrow(/anyone reaching the port/);
  });

  it('read a GitHub and an OIDC provider, ADMIN_USERS and the secrets', () => {
    const auth = loadConfig({
      ...GITHUB,
      GITHUB_URL: 'https://ghe.example.com/',
      OIDC_ISSUER: 'http://127.0.0.1:9000',
      OIDC_CLIENT_ID: 'app',
      OIDC_CLIENT_SECRET: 'shh',
      ADMIN_USERS: ' 42, boss@example.com ,',
    }).auth;
    expect(auth).toEqual({
      publicUrl: 'https://todo.example.com',
      sessionSecret: SECRET,
      adminUsers: ['42', 'boss@example.com'],
      github: { url: 'https://ghe.example.com', clientId: 'id', clientSecret: 'secret' },
      oidc: { issuer: 'http://127.0.0.1:9000', clientId: 'app', clientSecret: 'shh' },
    });
    expect(loadConfig(GITHUB).auth?.github?.url).toBe('https://github.com');
    expect(
      loadConfig({
        METRICS_TOKEN: 'm'.repeat(16),
        RATE_LIMIT_PER_MINUTE: '5',
        FEEDS_PER_USER: '2',
      }),
    ).toMatchObject({ metricsToken: 'm'.repeat(16), rateLimitPerMinute: 5, feedsPerUser: 2 });
  });

  it.each([
    [{ ...GITHUB, SESSION_SECRET: '' }, /SESSION_SECRET/],
    [{ ...GITHUB, SESSION_SECRET: 'short' }, /SESSION_SECRET/],
    [{ ...GITHUB, PUBLIC_URL: '' }, /PUBLIC_URL/],
    [{ GITHUB_CLIENT_ID: 'id' }, /GITHUB_CLIENT_SECRET/],
    [{ ...GITHUB, GITHUB_URL: 'http://ghe.example.com' }, /GITHUB_URL/],
    [{ GITHUB_URL: 'https://ghe.example.com' }, /GITHUB_CLIENT_ID/],
    [{ OIDC_ISSUER: 'https://id.example.com' }, /OIDC_CLIENT_ID/],
    [
      {
        ...GITHUB,
        OIDC_ISSUER: 'http://id.example.com',
        OIDC_CLIENT_ID: 'a',
        OIDC_CLIENT_SECRET: 'b',
      },
      /OIDC_ISSUER/,
    ],
    [{ OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' }, /OIDC_ISSUER/],
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN/],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, /RATE_LIMIT_PER_MINUTE/],
    [{ FEEDS_PER_USER: 'many' }, /FEEDS_PER_USER/],
  ])('refuse %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('boundary settings', () => {
  it('default to the loopback names and the limits the README states', () => {
    const config = loadConfig({});
    expect(config.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(config.sseMaxConnections).toBe(10_000);
    expect(config.todoPageSize).toBe(200);
    expect(config.httpHeadersTimeoutMs).toBe(20_000);
    expect(config.httpRequestTimeoutMs).toBe(20_000);
    expect(config.httpConnectionsCheckMs).toBe(1000);
  });

  it('add the listen address when specific, and the host of PUBLIC_URL', () => {
    // Off loopback a sign-in provider is required (see the sign-in settings below).
    expect(
      loadConfig({ HOST: '10.0.0.5', ...GITHUB, PUBLIC_URL: 'https://Todo.Example.com/app' })
        .allowedHosts,
    ).toEqual(['localhost', '127.0.0.1', '[::1]', '10.0.0.5', 'todo.example.com']);
    expect(loadConfig({ HOST: '0.0.0.0', ...GITHUB }).allowedHosts).toEqual([
      'localhost',
      '127.0.0.1',
      '[::1]',
      'todo.example.com',
    ]);
    expect(loadConfig({ HOST: '::1' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });

  it("take ALLOWED_HOSTS as given, and '*' only when said", () => {
    expect(loadConfig({ ALLOWED_HOSTS: 'a.example, B.example:8443 ,::1' }).allowedHosts).toEqual([
      'a.example',
      'b.example',
      '[::1]',
    ]);
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).allowedHosts).toBe('*');
  });

  it.each([
    [{ ALLOWED_HOSTS: 'evil example' }, /ALLOWED_HOSTS/],
    [{ ALLOWED_HOSTS: 'a.example,*' }, /ALLOWED_HOSTS/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL/],
    [{ PUBLIC_URL: 'not a url' }, /PUBLIC_URL/],
    [{ SSE_MAX_CONNECTIONS: '0' }, /SSE_MAX_CONNECTIONS/],
    [{ TODO_PAGE_SIZE: '1001' }, /TODO_PAGE_SIZE/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '30000' }, /HTTP_HEADERS_TIMEOUT_MS/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '50' }, /HTTP_REQUEST_TIMEOUT_MS/],
  ])('refuse %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('analytics configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      analyticsMaxResultBytes: 4 * 2 ** 20,
      analyticsCacheMaxBytes: 64 * 2 ** 20,
      analyticsMemoryBytes: 512 * 2 ** 20,
      analyticsTempMaxBytes: 256 * 2 ** 20,
      analyticsThreads: 2,
      analyticsMaxConcurrent: 4,
      analyticsMaxPerClient: 2,
    });
  });

  it('reads sizes as bytes or with a 1024-based unit, and refuses anything else', () => {
    const config = loadConfig({
      ANALYTICS_MEMORY: '1GB',
      ANALYTICS_TEMP_MAX: '64 mb',
      ANALYTICS_MAX_RESULT_BYTES: '65536',
    });
    expect(config.analyticsMemoryBytes).toBe(2 ** 30);
    expect(config.analyticsTempMaxBytes).toBe(64 * 2 ** 20);
    expect(config.analyticsMaxResultBytes).toBe(65_536);
    for (const raw of ['lots', '1.5GB', '-1MB', '10PB', '1MB ; rm']) {
      expect(() => loadConfig({ ANALYTICS_MEMORY: raw }), raw).toThrow(
        /ANALYTICS_MEMORY must be a size such as 4MB or 1GB/,
      );
    }
    expect(() => loadConfig({ ANALYTICS_MEMORY: '1MB' })).toThrow(/from 67108864/);
    expect(() => loadConfig({ ANALYTICS_MAX_PER_CLIENT: '0' })).toThrow(
      /ANALYTICS_MAX_PER_CLIENT must be an integer from 1 to 64/,
    );
  });
});

describe('order fulfilment configuration', () => {
  it('has the documented defaults, and reads each variable', () => {
    expect(loadConfig({})).toMatchObject({
      paymentLatencyMs: 300,
      paymentLimitCents: 100_000,
      paymentTimeoutMs: 10_000,
      shippingLatencyMs: 50,
    });
    expect(
      loadConfig({
        PAYMENT_LATENCY_MS: '5',
        PAYMENT_LIMIT_CENTS: '0',
        PAYMENT_TIMEOUT_MS: '250',
        SHIPPING_LATENCY_MS: '0',
      }),
    ).toMatchObject({
      paymentLatencyMs: 5,
      paymentLimitCents: 0,
      paymentTimeoutMs: 250,
      shippingLatencyMs: 0,
    });
    expect(() => loadConfig({ PAYMENT_TIMEOUT_MS: '0' })).toThrow(/PAYMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ PAYMENT_LATENCY_MS: '-1' })).toThrow(/PAYMENT_LATENCY_MS/);
  });
});

describe('process manager configuration', () => {
  it('has the documented defaults, and reads and bounds each variable', () => {
    expect(loadConfig({})).toMatchObject({
      processLeaseMs: 10_000,
      processRetryMax: 5,
      processPollMs: 250,
    });
    expect(
      loadConfig({ PROCESS_LEASE_MS: '2000', PROCESS_RETRY_MAX: '3', PROCESS_POLL_MS: '50' }),
    ).toMatchObject({ processLeaseMs: 2000, processRetryMax: 3, processPollMs: 50 });
    expect(() => loadConfig({ PROCESS_LEASE_MS: '10' })).toThrow(/PROCESS_LEASE_MS must be/);
    expect(() => loadConfig({ PROCESS_RETRY_MAX: '0' })).toThrow(/PROCESS_RETRY_MAX must be/);
    expect(() => loadConfig({ PROCESS_POLL_MS: 'soon' })).toThrow(/PROCESS_POLL_MS must be/);
  });
});
