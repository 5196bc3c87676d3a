import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

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
    expect(
      loadConfig({ HOST: '10.0.0.5', PUBLIC_URL: 'https://Todo.Example.com/app' }).allowedHosts,
    ).toEqual(['localhost', '127.0.0.1', '[::1]', '10.0.0.5', 'todo.example.com']);
    expect(loadConfig({ HOST: '0.0.0.0' }).allowedHosts).toEqual([
      'localhost',
      '127.0.0.1',
      '[::1]',
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

  it('keeps the analytics projection beside a file database unless told otherwise', () => {
    expect(loadConfig({}).analyticsPath).toBe('./data/ironstar.db-analytics.duckdb');
    expect(loadConfig({ DATABASE_URL: 'file:///srv/app.db' }).analyticsPath).toBe(
      '/srv/app.db-analytics.duckdb',
    );
    expect(loadConfig({ ANALYTICS_PATH: '/var/a.duckdb' }).analyticsPath).toBe('/var/a.duckdb');
    expect(loadConfig({ ANALYTICS_PATH: ':memory:' }).analyticsPath).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'libsql://db.example' }).analyticsPath).toBeUndefined();
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
