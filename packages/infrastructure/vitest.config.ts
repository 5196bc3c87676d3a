import { defineConfig } from 'vitest/config';

// Real files, sockets and engine processes: a hang still fails, a slow shared machine does not.
// (The fast-check model test took 0.6 s on a quiet 2-core box and 5.2 s at load 13.)
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 30_000 },
});
