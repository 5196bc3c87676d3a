import { defineConfig } from 'vitest/config';

// These tests start real servers, sockets and browsers: give them time, run files one by one.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
