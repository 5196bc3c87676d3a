import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  freeStablePort,
  type ServerProcess,
  sendCommand,
  spawnBusProxy,
  useServers,
} from '../src/testing/spawn-server';
import { launchChromium, renameTodo, todoTexts, waitLive, watchPage } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

const servers = useServers();

const serverOn = async (db: string, port: number): Promise<ServerProcess> => {
  return servers.start({ DATABASE_URL: `file:${db}`, PORT: String(port) });
};

const openPage = async (url: string) => {
  const context = await browser.newContext();
  servers.defer(() => context.close());
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(url);
  await waitLive(page);
  return { page, problems };
};

const HOSTILE = `<img src=x onerror="alert('xss')"> & "quotes" </section>`;

describe('the todo page in Chromium', () => {
  it('shows a todo added in one tab in the other, and hostile text as text', async () => {
    const { dir } = await servers.database();
    const server = await serverOn(join(dir, 'e2e.db'), await freePort());
    const a = await openPage(server.url);
    const b = await openPage(server.url);
    await expect.poll(() => b.page.locator('#todos').textContent()).toContain('0 items left');

    await a.page.fill('#new-todo-text', HOSTILE);
    await a.page.click('#new-todo button[type=submit]');
    await expect.poll(() => todoTexts(b.page)).toEqual([HOSTILE.trim()]);
    await expect.poll(() => a.page.inputValue('#new-todo-text')).toBe('');

    // Complete it in B; A sees it completed.
    await b.page.click('#todos li input[aria-label=Complete]');
    await expect.poll(() => a.page.locator('#todos li').getAttribute('class')).toBe('completed');
    // Rename in A; B sees the new text.
    await renameTodo(a.page, 0, 'renamed <b>in A</b>');
    await expect.poll(() => todoTexts(b.page)).toEqual(['renamed <b>in A</b>']);

    // The markup never became elements, and no script ran.
    expect(await b.page.locator('#todos img, #todos b').count()).toBe(0);
    expect([...a.problems, ...b.problems]).toEqual([]);

    // Delete in B; both lists end empty, and the server agrees.
    await b.page.click('#todos li button[aria-label=Delete]');
    await expect.poll(() => todoTexts(a.page)).toEqual([]);
    const api = (await (await fetch(`${server.url}/api/todos`)).json()) as { todos: unknown[] };
    expect(api.todos).toEqual([]);
  });

  it('catches up after a graceful restart and after a crash, with changes made while it was away', async () => {
    const { dir } = await servers.database();
    const db = join(dir, 'restart.db');
    const port = await freePort();
    let server = await serverOn(db, port);
    const { page, problems } = await openPage(server.url);
    await page.fill('#new-todo-text', 'before restart');
    await page.click('#new-todo button[type=submit]');
    await expect.poll(() => todoTexts(page)).toEqual(['before restart']);

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      await server.kill(signal);
      // While the page's server is down, another server on the same database takes a change.
      const other = await serverOn(db, await freePort());
      expect(
        (await sendCommand(other.url, { type: 'create', text: `while down (${signal})` })).status,
      ).toBe(202);
      await other.kill('SIGTERM');
      server = await serverOn(db, port);
      await expect
        .poll(() => todoTexts(page), { timeout: 20_000 })
        .toContain(`while down (${signal})`);
    }
    // And it is live again: a change through the API shows up without a reload.
    await sendCommand(server.url, { type: 'create', text: 'after restarts' });
    await expect
      .poll(() => todoTexts(page))
      .toEqual([
        'before restart',
        'while down (SIGTERM)',
        'while down (SIGKILL)',
        'after restarts',
      ]);
    expect(problems).toEqual([]);
  });

  it('never loses an update when two tabs edit the same todo at once', async () => {
    const { dir } = await servers.database();
    const server = await serverOn(join(dir, 'lost-update.db'), await freePort());
    await sendCommand(server.url, { type: 'create', text: 'original' });
    const a = await openPage(server.url);
    // Tab B has seen the same version but hears nothing more (its feed is cut), like a tab
    // whose user is typing while the other tab saves.
    const contextB = await browser.newContext();
    servers.defer(() => contextB.close());
    const b = await contextB.newPage();
    const bProblems = watchPage(b);
    // Its feed says "live" once and then ends, as a stream that has stalled would look.
    await b.route('**/feed**', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: 'event: datastar-merge-signals\ndata: signals {"_conn":"live"}\n\n',
      }),
    );
    await b.goto(server.url);
    await waitLive(b);
    await expect.poll(() => todoTexts(b)).toEqual(['original']);

    await renameTodo(a.page, 0, 'edited in A');
    await expect
      .poll(async () => (await (await fetch(`${server.url}/api/todos`)).json()) as unknown)
      .toMatchObject({
        todos: [{ text: 'edited in A', version: 2 }],
      });
    await renameTodo(b, 0, 'edited in B');
    // B is told, on the row itself, and A's edit stands; B's row shows its text, not B's edit.
    await expect
      .poll(() => b.locator('#todo-items li .row-problem').textContent())
      .toContain('changed elsewhere');
    expect(await todoTexts(b)).toEqual(['original']);
    const final = (await (await fetch(`${server.url}/api/todos`)).json()) as {
      todos: Array<{ text: string }>;
    };
    expect(final.todos.map((t) => t.text)).toEqual(['edited in A']);
    expect([...a.problems, ...bProblems]).toEqual([]);
  });

  it('shows a todo added on one server in a tab on another, through the bus proxy', async () => {
    const { dir } = await servers.database();
    const proxyEnv = {
      BUS_PROXY_PUBLISH: `tcp://127.0.0.1:${await freeStablePort()}`,
      BUS_PROXY_SUBSCRIBE: `tcp://127.0.0.1:${await freeStablePort()}`,
    };
    const proxy = await spawnBusProxy(proxyEnv);
    servers.defer(() => proxy.kill('SIGKILL'));
    const db = `file:${join(dir, 'two-servers.db')}`;
    const a = await servers.start({
      ...proxyEnv,
      DATABASE_URL: db,
      PORT: String(await freePort()),
    });
    const b = await servers.start({
      ...proxyEnv,
      DATABASE_URL: db,
      PORT: String(await freePort()),
    });
    const onA = await openPage(a.url);
    const onB = await openPage(b.url);
    await onA.page.fill('#new-todo-text', 'added on server A');
    await onA.page.click('#new-todo button[type=submit]');
    await expect.poll(() => todoTexts(onB.page)).toEqual(['added on server A']);
    await onB.page.click('#todos li input[aria-label=Complete]');
    await expect.poll(() => onA.page.locator('#todos li').getAttribute('class')).toBe('completed');
    expect([...onA.problems, ...onB.problems]).toEqual([]);
  });
});
