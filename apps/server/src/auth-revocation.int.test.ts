import { describe, expect, it, vi } from 'vitest';
import { startOidcProvider } from './testing/oidc-provider';
import { oidcEnv, signIn } from './testing/sign-in';
import { freePort, freeStablePort, spawnBusProxy, useServers } from './testing/spawn-server';
import { openSseClient } from './testing/sse-client';

const servers = useServers();

describe('revoking a session on one process', () => {
  it("closes that session's open feed on another process, whose next request is 401", async () => {
    const provider = await startOidcProvider();
    servers.defer(provider.stop);
    const proxyEnv = {
      BUS_PROXY_PUBLISH: `tcp://127.0.0.1:${await freeStablePort()}`,
      BUS_PROXY_SUBSCRIBE: `tcp://127.0.0.1:${await freeStablePort()}`,
    };
    const proxy = await spawnBusProxy(proxyEnv);
    servers.defer(() => proxy.kill('SIGKILL'));
    const { env } = await servers.database('shared.db');
    // Two processes on one store and one bus, each with its own PUBLIC_URL (its own port).
    const [a, b] = [await freePort(), await freePort()];
    const serverA = await servers.start({
      ...env,
      ...proxyEnv,
      ...oidcEnv(provider.issuer, a, 'alice'),
    });
    const serverB = await servers.start({
      ...env,
      ...proxyEnv,
      ...oidcEnv(provider.issuer, b, 'alice'),
    });

    const alice = await signIn(serverA.url, 'alice');
    const other = await signIn(serverA.url, 'alice');
    // B learns of the sign-ins over the bus.
    await vi.waitFor(
      async () =>
        expect((await fetch(`${serverB.url}/api/me`, { headers: { cookie: alice } })).status).toBe(
          200,
        ),
      { timeout: 10_000 },
    );
    await vi.waitFor(
      async () =>
        expect((await fetch(`${serverB.url}/api/me`, { headers: { cookie: other } })).status).toBe(
          200,
        ),
      { timeout: 10_000 },
    );
    const feed = await openSseClient(`${serverB.url}/api/events/stream?after=0`, { cookie: alice });
    const kept = await openSseClient(`${serverB.url}/api/events/stream?after=0`, { cookie: other });
    servers.defer(() => feed.close());
    servers.defer(() => kept.close());
    expect(feed.response.statusCode).toBe(200);
    // Cut by the server: the response errors (aborted) and closes.
    const closed = new Promise((resolve) => {
      feed.response.once('error', resolve);
      feed.response.once('close', resolve);
    });

    const out = await fetch(`${serverA.url}/auth/logout`, {
      method: 'POST',
      headers: { cookie: alice, origin: serverA.url },
    });
    expect(out.status).toBe(200);
    await closed;
    expect((await fetch(`${serverB.url}/api/me`, { headers: { cookie: alice } })).status).toBe(401);
    // Only that session: the same user's other session and its feed go on.
    expect((await fetch(`${serverB.url}/api/me`, { headers: { cookie: other } })).status).toBe(200);
    expect(kept.response.destroyed).toBe(false);
  });
});
