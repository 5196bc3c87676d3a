import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider } from '../src/testing/oidc-provider';
import { oidcEnv, signIn } from '../src/testing/sign-in';
import { freePort, type ServerProcess, spawnServer, tempDir } from '../src/testing/spawn-server';
import { launchChromium, todoTexts, waitLive, watchPage } from './browser';

let browser: Browser;
let server: ServerProcess;
let provider: Awaited<ReturnType<typeof startOidcProvider>>;
let evil: Server;
let evilUrl: string;
let removeDir: () => Promise<unknown>;

/** Another origin (another port) serving a page that posts a form to the app as text/plain. */
const startEvilSite = async (target: string) => {
  const page = `<!DOCTYPE html><title>win a prize</title>
<form id="f" method="post" action="${target}/api/commands/todo" enctype="text/plain">
<input name='{"type":"create","text":"pwned","x":"' value='"}'></form>
<script>document.getElementById('f').submit()</script>`;
  const site = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return { site, url: `http://127.0.0.1:${(site.address() as AddressInfo).port}/` };
};

beforeAll(async () => {
  const dir = await tempDir();
  removeDir = dir.remove;
  provider = await startOidcProvider();
  const port = await freePort();
  server = await spawnServer({
    DATABASE_URL: `file:${join(dir.dir, 'auth.db')}`,
    ...oidcEnv(provider.issuer, port, 'boss'),
  });
  ({ site: evil, url: evilUrl } = await startEvilSite(server.url));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await server?.kill('SIGKILL');
  await provider?.stop();
  await removeDir?.();
});

/** A browser context signed in as `subject` through the provider's real redirects. */
const signedInAs = async (subject: string): Promise<BrowserContext> => {
  const context = await browser.newContext();
  // The mock provider signs the browser's next flow in as this subject.
  provider.signInNext(subject);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(`${server.url}/`);
  // Not signed in: sent to the sign-in page, which lists the provider.
  expect(new URL(page.url()).pathname).toBe('/auth/login');
  await page.getByRole('link', { name: /Sign in with OpenID Connect/ }).click();
  await page.waitForURL(`${server.url}/`);
  expect(problems).toEqual([]);
  await page.close();
  return context;
};

describe('signing in with a browser', () => {
  it('signs in through the provider, keeps a non-admin off the dashboard, and signs out', async () => {
    const context = await signedInAs('alice');
    const page = await context.newPage();
    await page.goto(`${server.url}/api/me`);
    expect(JSON.parse((await page.textContent('body')) ?? '{}')).toMatchObject({
      user: { name: 'User alice', roles: [] },
    });
    // The session cookie is HttpOnly and SameSite=Lax.
    const [cookie] = (await context.cookies(server.url)).filter(
      (c) => c.name === 'ironstar_session',
    );
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.goto(`${server.url}/`);
    expect(await page.locator('nav a[href="/events"]').count()).toBe(0);
    // The page's own commands (Datastar's fetch POSTs) carry our Origin and pass the CSRF check.
    await waitLive(page);
    await page.fill('#new-todo-text', 'signed-in todo');
    await page.click('#new-todo button[type=submit]');
    await expect.poll(() => todoTexts(page)).toContain('signed-in todo');
    for (const path of ['/events', '/system', '/analytics']) {
      const res = await page.goto(`${server.url}${path}`);
      expect(res?.status(), path).toBe(403);
    }

    await page.goto(`${server.url}/account`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/auth/login`);
    const after = await page.goto(`${server.url}/api/me`);
    expect(after?.status()).toBe(401);
    await context.close();
  });

  it('lets an admin open the dashboard', async () => {
    const context = await signedInAs('boss');
    const page = await context.newPage();
    const res = await page.goto(`${server.url}/events`);
    expect(res?.status()).toBe(200);
    await page.goto(`${server.url}/`);
    expect(await page.locator('nav a[href="/events"]').count()).toBe(1);
    await context.close();
  });

  it("refuses another site's form posting to the app with the user's cookie", async () => {
    const context = await signedInAs('carol');
    const page = await context.newPage();
    await page.goto(evilUrl);
    await page.waitForURL(`${server.url}/api/commands/todo`);
    const body = JSON.parse((await page.textContent('body')) ?? '{}');
    expect(body).toMatchObject({ error: { code: 'forbidden' } });
    await context.close();
    // Nothing was stored: the admin finds no such todo in the log.
    const boss = await signIn(server.url, 'boss');
    const events = (await (
      await fetch(`${server.url}/api/events?after=0`, { headers: { cookie: boss } })
    ).json()) as { events: Array<{ eventType: string; payload: { text?: string } }> };
    expect(events.events.length).toBeGreaterThan(0);
    expect(events.events.filter((e) => e.payload.text === 'pwned')).toEqual([]);
  });
});
