import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider } from '../src/testing/oidc-provider';
import { oidcEnv } from '../src/testing/sign-in';
import { freePort, type ServerProcess, spawnServer, tempDir } from '../src/testing/spawn-server';
import { launchChromium, todoTexts, waitLive, watchPage } from './browser';

let browser: Browser;
let server: ServerProcess;
let provider: Awaited<ReturnType<typeof startOidcProvider>>;
let removeDir: () => Promise<unknown>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const dir = await tempDir();
  removeDir = dir.remove;
  provider = await startOidcProvider();
  const port = await freePort();
  server = await spawnServer({
    DATABASE_URL: `file:${join(dir.dir, 'users.db')}`,
    ...oidcEnv(provider.issuer, port),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await server?.kill('SIGKILL');
  await provider?.stop();
  await removeDir?.();
});

/** The todo page, live, in a browser signed in as `subject` through the provider's redirects. */
const todoPageOf = async (subject: string) => {
  const context = await browser.newContext();
  contexts.push(context);
  // The mock provider signs the browser's next flow in as this subject.
  provider.signInNext(subject);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(`${server.url}/`);
  await page.getByRole('link', { name: /Sign in with OpenID Connect/ }).click();
  await page.waitForURL(`${server.url}/`);
  await waitLive(page);
  return { page, problems };
};

const addTodo = async (page: Page, text: string) => {
  await page.fill('#new-todo-text', text);
  await page.press('#new-todo-text', 'Enter');
};

/** A request from the page itself (same origin, the session cookie): what its scripts could do. */
const fromPage = (page: Page, path: string, body?: unknown) =>
  page.evaluate(
    async ({ path, body }) => {
      const res = await fetch(
        path,
        body === undefined
          ? {}
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            },
      );
      return { status: res.status, body: await res.json() };
    },
    { path, body },
  );

describe("two users' todos in Chromium", () => {
  it('each sees only their own todos and live changes; the other can neither read, change nor delete them', async () => {
    const alice = await todoPageOf('alice');
    const bob = await todoPageOf('bob');
    // Two users indeed, as the provider signed them in.
    expect((await fromPage(alice.page, '/api/me')).body).toMatchObject({
      user: { name: 'User alice' },
    });
    expect((await fromPage(bob.page, '/api/me')).body).toMatchObject({
      user: { name: 'User bob' },
    });

    await addTodo(alice.page, 'alice secret');
    // Live in alice's browser, never in bob's: bob's own todo arrives after it on every path.
    await expect.poll(() => todoTexts(alice.page)).toEqual(['alice secret']);
    await addTodo(bob.page, 'bob own');
    await expect.poll(() => todoTexts(bob.page)).toEqual(['bob own']);
    await expect.poll(() => todoTexts(alice.page)).toEqual(['alice secret']);
    expect(await bob.page.content()).not.toContain('alice secret');

    // A reload (the page, then its feed from scratch) shows bob his own list only.
    await bob.page.reload();
    await waitLive(bob.page);
    expect(await todoTexts(bob.page)).toEqual(['bob own']);

    // Bob knows alice's todo id (say it leaked): for him it does not exist.
    const mine = await fromPage(alice.page, '/api/todos');
    const id = (mine.body as { todos: Array<{ id: string }> }).todos[0]?.id ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await fromPage(bob.page, `/api/todos/${id}`)).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no such todo' } },
    });
    for (const body of [
      { type: 'rename', id, text: 'bob was here' },
      { type: 'complete', id },
      { type: 'delete', id },
    ]) {
      const answer = await fromPage(bob.page, '/api/commands/todo', body);
      expect(answer.status, body.type).toBe(404);
    }
    const listed = await fromPage(bob.page, '/api/todos');
    expect(listed.body).toMatchObject({ total: 1, todos: [{ text: 'bob own' }] });

    // Alice's todo is as she left it.
    expect(await fromPage(alice.page, `/api/todos/${id}`)).toMatchObject({
      status: 200,
      body: { text: 'alice secret', completed: false },
    });
    await expect.poll(() => todoTexts(alice.page)).toEqual(['alice secret']);
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});
