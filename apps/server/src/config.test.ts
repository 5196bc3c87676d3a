import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

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
