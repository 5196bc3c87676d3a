import { utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DATASTAR_SCRIPT_PATH } from '@ironstar/web';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { descendants, isRunning } from './testing/process-tree';
import { buildCompiled, sendCommand, spawnPnpmStart, useServers } from './testing/spawn-server';

const servers = useServers();
// The production build, as `pnpm start` and the Docker image run it (built once, if stale).
beforeAll(buildCompiled, 120_000);

const BUILT = 'ironstar: built apps/server/dist';
const SOURCE = fileURLToPath(new URL('../../../packages/domain/src/index.ts', import.meta.url));

/** A stack trace line ("    at f (file:1:2)") or pnpm's failed-script banner. */
const UNCLEAN = /^\s+at .+|ELIFECYCLE/m;

describe('the compiled server', () => {
  it('runs under plain node: health, its static script, migrations and a command', async () => {
    const { env } = await servers.database('compiled.db');
    const server = await servers.start(env, { compiled: true });
    expect(server.child.spawnargs.join(' ')).not.toMatch(/tsx/);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // The Datastar bundle and the migrations are files found relative to the compiled code.
    const script = await fetch(`${server.url}${DATASTAR_SCRIPT_PATH}`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await sendCommand(server.url, { type: 'create', text: 'compiled' })).status).toBe(202);
    // Readiness includes the analytics engine: its child process runs the compiled engine.
    await vi.waitFor(async () => expect((await fetch(`${server.url}/readyz`)).status).toBe(200), {
      timeout: 30_000,
      interval: 50,
    });
    expect(await server.kill('SIGTERM')).toBe(0);
    expect(server.logs.join('')).not.toMatch(UNCLEAN);
  });

  it('`pnpm start` stops on SIGTERM sent to pnpm: exit 0, no process left, no stack trace', async () => {
    const { env } = await servers.database('pnpm-start.db');
    const pnpm = await spawnPnpmStart(env);
    const tree: number[] = [];
    // If the test fails, nothing it started outlives it.
    servers.defer(async () => {
      for (const pid of tree.filter(isRunning)) process.kill(pid, 'SIGKILL');
      await pnpm.kill('SIGKILL');
    });
    expect((await fetch(`${pnpm.url}/healthz`)).status).toBe(200);
    // The server and, once analytics are up, the DuckDB engine process under it.
    await vi.waitFor(async () => expect((await fetch(`${pnpm.url}/readyz`)).status).toBe(200), {
      timeout: 30_000,
      interval: 50,
    });
    tree.push(...descendants(pnpm.child.pid ?? -1));
    expect(tree.length).toBeGreaterThanOrEqual(2);
    expect(await pnpm.kill('SIGTERM')).toBe(0);
    await vi.waitFor(() => expect(tree.filter(isRunning)).toEqual([]), { timeout: 10_000 });
    const output = pnpm.logs.join('');
    expect(output).toContain('ironstar stopped');
    expect(output).not.toMatch(UNCLEAN);
    // The build was up to date (beforeAll): this start did not rebuild.
    expect(output).not.toContain(BUILT);
  });

  it('`pnpm start` rebuilds first when a source file changed since the build', async () => {
    // A newer modification time is a change, as an editor's save would make.
    const later = new Date(Date.now() + 2000);
    utimesSync(SOURCE, later, later);
    const { env } = await servers.database('rebuilt.db');
    const pnpm = await spawnPnpmStart(env);
    servers.defer(() => pnpm.kill('SIGKILL'));
    expect(pnpm.logs.join('')).toContain(BUILT);
    expect((await fetch(`${pnpm.url}/healthz`)).status).toBe(200);
    expect(await pnpm.kill('SIGTERM')).toBe(0);
  });
});
