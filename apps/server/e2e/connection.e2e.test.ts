import { join } from 'node:path';
import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, sendCommand, useServers } from '../src/testing/spawn-server';
import { launchChromium, todoTexts, waitLive, watchPage } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

const servers = useServers();
const conn = (page: import('playwright-core').Page) =>
  page.locator('#connection').getAttribute('data-conn');

const apiTodos = async (server: ServerProcess) =>
  ((await (await fetch(`${server.url}/api/todos`)).json()) as { todos: Array<{ text: string }> })
    .todos;

describe('connection state and safe resends in Chromium', () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`shows offline while the server is down and live once it is back, at ${viewport.width}px; commands are disabled meanwhile`, async () => {
      const { dir } = await servers.database();
      const db = `file:${join(dir, 'offline.db')}`;
      const port = String(await freePort());
      let server = await servers.start({ DATABASE_URL: db, PORT: port });
      const context = await browser.newContext({ viewport });
      servers.defer(() => context.close());
      const page = await context.newPage();
      watchPage(page);
      for (const path of ['/events', '/']) {
        await page.goto(`${server.url}${path}`);
        await waitLive(page);
      }
      await page.fill('#new-todo-text', 'typed before the outage');

      await server.kill('SIGKILL');
      await expect.poll(() => conn(page), { timeout: 20_000 }).toBe('offline');
      expect(await page.locator('#connection').textContent()).toBe('offline');
      // Nothing can be sent, and what was typed stays.
      expect(await page.locator('#new-todo button[type=submit]').isDisabled()).toBe(true);
      expect(await page.inputValue('#new-todo-text')).toBe('typed before the outage');

      server = await servers.start({ DATABASE_URL: db, PORT: port });
      await expect.poll(() => conn(page), { timeout: 20_000 }).toBe('live');
      await page.click('#new-todo button[type=submit]');
      await expect.poll(() => todoTexts(page)).toEqual(['typed before the outage']);
      await expect.poll(() => page.inputValue('#new-todo-text')).toBe('');
      expect((await apiTodos(server)).map((t) => t.text)).toEqual(['typed before the outage']);
    });
  }

  it('resends a create whose answer was lost with the same Idempotency-Key, applying it once; nothing else is sent meanwhile', async () => {
    const { env } = await servers.database('resend.db');
    const server = await servers.start(env);
    const context = await browser.newContext();
    servers.defer(() => context.close());
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(server.url);
    await waitLive(page);

    // The first POST reaches the server, which stores the todo, but its answer is lost on the
    // way back; the resend is held until the test has looked at the page.
    const posts: Request[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/commands/todo', async (route) => {
      posts.push(route.request());
      if (posts.length === 1) {
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      if (posts.length === 2) await held;
      await route.continue();
    });

    await page.fill('#new-todo-text', 'buy milk');
    await page.press('#new-todo-text', 'Enter');
    // The page says so, keeps the text, and lets nothing else through.
    await page.waitForSelector('#queued', { state: 'visible' });
    expect(await page.inputValue('#new-todo-text')).toBe('buy milk');
    await expect.poll(() => posts.length).toBe(2);
    expect(await page.locator('#new-todo button[type=submit]').isDisabled()).toBe(true);
    // The server stored it once already (the lost answer).
    await expect.poll(async () => (await apiTodos(server)).length).toBe(1);
    expect(await page.locator('#todo-items input[type=checkbox]').first().isDisabled()).toBe(true);

    release();
    await expect.poll(() => page.inputValue('#new-todo-text')).toBe('');
    await page.waitForSelector('#queued', { state: 'hidden' });
    const keys = posts.map((p) => p.headers()['idempotency-key']);
    expect(keys[0]).toMatch(/^[\x21-\x7e]{8,}$/);
    expect(keys[1]).toBe(keys[0]);
    expect((await apiTodos(server)).map((t) => t.text)).toEqual(['buy milk']);
    expect(await todoTexts(page)).toEqual(['buy milk']);

    // The next intent gets a fresh key.
    await page.fill('#new-todo-text', 'buy bread');
    await page.press('#new-todo-text', 'Enter');
    await expect.poll(() => todoTexts(page)).toEqual(['buy milk', 'buy bread']);
    const third = posts[2]?.headers()['idempotency-key'];
    expect(third).toBeDefined();
    expect(third).not.toBe(keys[0]);
    expect(problems).toEqual([]);
  });

  it('gives up on commands a hanging server (SIGSTOP) never answers, after 10 s: the page says so and is usable again; sending the same again applies it once', async () => {
    const { env } = await servers.database('hang.db');
    const server = await servers.start(env);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    servers.defer(() => context.close());
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(server.url);
    await waitLive(page);
    await sendCommand(server.url, { type: 'create', text: 'already there' });
    await expect.poll(() => todoTexts(page)).toEqual(['already there']);
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/commands/todo')) {
        keys.push(request.headers()['idempotency-key'] ?? '');
      }
    });

    // The server still accepts connections (the kernel does) but answers nothing.
    server.child.kill('SIGSTOP');
    servers.defer(() => server.child.kill('SIGCONT'));
    const box = page.locator('#todo-items input[type=checkbox]').first();
    await box.check();
    const rowProblem = page.locator('#todo-items > li .row-problem').first();
    await expect
      .poll(() => rowProblem.textContent(), { timeout: 20_000 })
      .toMatch(/did not answer within 10 s/);
    // The row is usable again and shows what the server last said.
    expect(await box.isChecked()).toBe(false);
    expect(await box.isDisabled()).toBe(false);

    await page.fill('#new-todo-text', 'sent into the void');
    await page.press('#new-todo-text', 'Enter');
    await page.waitForSelector('#saving', { state: 'visible' });
    expect(await page.locator('#new-todo button[type=submit]').isDisabled()).toBe(true);
    await page.waitForSelector('#new-todo-problem', { state: 'visible', timeout: 20_000 });
    expect(await page.locator('#new-todo-problem').textContent()).toMatch(
      /did not answer within 10 s/,
    );
    expect(await page.locator('#saving').isVisible()).toBe(false);
    expect(await page.locator('#new-todo button[type=submit]').isDisabled()).toBe(false);
    expect(await page.inputValue('#new-todo-text')).toBe('sent into the void');

    // Back: the same create again reuses its key, so it lands once whether or not the first
    // try reached the server before it stopped answering.
    server.child.kill('SIGCONT');
    await page.press('#new-todo-text', 'Enter');
    await expect.poll(() => page.inputValue('#new-todo-text'), { timeout: 15_000 }).toBe('');
    const texts = (await apiTodos(server)).map((t) => t.text);
    expect(texts.filter((t) => t === 'sent into the void')).toHaveLength(1);
    await expect.poll(() => todoTexts(page)).toEqual(['already there', 'sent into the void']);
    expect(keys).toHaveLength(3);
    expect(keys[2]).toBe(keys[1]);
    expect(keys[1]).not.toBe(keys[0]);
    expect(problems).toEqual([]);
  });
});
