import { afterEach, describe, expect, it } from 'vitest';
import { startGithubStandIn } from './testing/github-stand-in';
import { startOidcProvider } from './testing/oidc-provider';
import { oidcEnv, signIn } from './testing/sign-in';
import { freePort, spawnServer, useServers } from './testing/spawn-server';

const servers = useServers();
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const me = (url: string, cookie?: string) =>
  fetch(`${url}/api/me`, { headers: cookie ? { cookie } : {} });

describe('signing in against a real OpenID Connect provider', () => {
  it('signs in, answers /api/me, keeps non-admins out of the dashboard, and signs out', async () => {
    const provider = await startOidcProvider();
    stops.push(provider.stop);
    const { env } = await servers.database();
    const port = await freePort();
    const server = await servers.start({ ...env, ...oidcEnv(provider.issuer, port, 'boss') });

    // Without a session: 401 JSON for the API, a redirect to sign-in for a page.
    const anonymous = await me(server.url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const page = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const alice = await signIn(server.url, 'alice');
    const answer = (await (await me(server.url, alice)).json()) as {
      user: { id: string; name: string; roles: string[] };
    };
    expect(answer.user).toMatchObject({ name: 'User alice', roles: [] });
    expect((await fetch(`${server.url}/events`, { headers: { cookie: alice } })).status).toBe(403);
    const boss = await signIn(server.url, 'boss');
    expect(await (await me(server.url, boss)).json()).toMatchObject({
      user: { roles: ['admin'] },
    });
    expect((await fetch(`${server.url}/events`, { headers: { cookie: boss } })).status).toBe(200);

    const out = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { cookie: alice, origin: server.url },
    });
    expect(out.status).toBe(200);
    expect((await me(server.url, alice)).status).toBe(401);
    // The admin's own session is untouched.
    expect((await me(server.url, boss)).status).toBe(200);
  });
});

describe('signing in with GitHub Enterprise (a stand-in at GITHUB_URL)', () => {
  it('runs the OAuth flow with PKCE and reads the user API; ADMIN_USERS by verified email', async () => {
    const client = { id: 'gh-client', secret: 'gh-secret' };
    const github = await startGithubStandIn(client);
    stops.push(github.stop);
    const { env } = await servers.database();
    const port = await freePort();
    const server = await servers.start({
      ...env,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: 'an-integration-test-secret-of-32+chars',
      GITHUB_CLIENT_ID: client.id,
      GITHUB_CLIENT_SECRET: client.secret,
      GITHUB_URL: github.url,
      ADMIN_USERS: 'hubot@users.example.com',
    });
    const login = await fetch(`${server.url}/auth/login`);
    expect(await login.text()).toContain(`GitHub (127.0.0.1:${new URL(github.url).port})`);

    const octocat = await signIn(server.url, 'octocat', 'github');
    expect(await (await me(server.url, octocat)).json()).toMatchObject({
      user: { name: 'octocat', roles: [] },
    });
    const hubot = await signIn(server.url, 'hubot', 'github');
    expect(await (await me(server.url, hubot)).json()).toMatchObject({
      user: { name: 'hubot', roles: ['admin'] },
    });
    expect(github.refused).toEqual([]);
  });
});

describe('local mode', () => {
  it('refuses to start on a non-loopback address without a provider, saying why', async () => {
    const { env } = await servers.database();
    const started = spawnServer({ ...env, HOST: '0.0.0.0' });
    // Were it to start after all, it is stopped with the test.
    started.then(
      (s) => servers.defer(() => s.kill('SIGKILL')),
      () => {},
    );
    await expect(started).rejects.toThrow(/not a loopback address and no sign-in provider/);
  });
});
