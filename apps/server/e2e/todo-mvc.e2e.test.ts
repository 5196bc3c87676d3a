import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, sendCommand, useServers } from '../src/testing/spawn-server';
import { launchChromium, renameTodo, todoTexts, waitLive, watchPage } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

const servers = useServers();

const open = async (server: ServerProcess, viewport: { width: number; height: number }) => {
  const context = await browser.newContext({ viewport });
  servers.defer(() => context.close());
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url);
  await waitLive(page);
  return { page, problems };
};

const add = async (page: Page, text: string) => {
  const before = (await todoTexts(page)).length;
  await page.fill('#new-todo-text', text);
  await page.press('#new-todo-text', 'Enter');
  await expect.poll(async () => (await todoTexts(page)).length).toBe(before + 1);
};

const row = (page: Page, n: number) => page.locator('#todo-items > li').nth(n);
const counts = (page: Page) => page.locator('#todo-counts').textContent();
const apiTodos = async (server: ServerProcess) =>
  (
    (await (await fetch(`${server.url}/api/todos`)).json()) as {
      todos: Array<{ text: string; completed: boolean; priority: string }>;
    }
  ).todos;

describe('the todo page as TodoMVC in Chromium', () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`edits, refuses in place, filters, toggles, clears and undoes at ${viewport.width}px`, async () => {
      const { env } = await servers.database();
      const server = await servers.start(env);
      const { page, problems } = await open(server, viewport);

      // Empty: a clear empty state, and "0 items left".
      expect(await page.locator('#todo-summary .none-at-all').isVisible()).toBe(true);
      expect(await counts(page)).toBe('0 items left');
      // Keyboard shortcuts are listed; N focuses the new-todo field.
      expect(await page.locator('#shortcuts').textContent()).toContain('undo a delete');
      await page.locator('h1').click();
      await page.keyboard.press('n');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('new-todo-text');

      // Whitespace only: refused in place with the server's words, the field untouched.
      await page.fill('#new-todo-text', '    ');
      await page.press('#new-todo-text', 'Enter');
      await expect
        .poll(() => page.locator('#new-todo-problem').textContent())
        .toBe('text must be 1-500 characters');
      expect(await page.inputValue('#new-todo-text')).toBe('    ');
      expect(await apiTodos(server)).toEqual([]);

      await add(page, 'buy milk');
      expect(await counts(page)).toBe('1 item left');
      await add(page, 'להתקשר לאמא');
      await add(page, `a long todo ${'that goes on '.repeat(12)}until the end`);
      expect(await counts(page)).toBe('3 items left');
      expect(await row(page, 1).locator('.text').getAttribute('dir')).toBe('auto');
      // Long text is shown whole (it wraps), not cut off.
      const long = row(page, 2).locator('.text');
      expect(await long.textContent()).toContain('until the end');
      const box = await long.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(viewport.width);

      // Rename to empty: the server's message on the row, and the row keeps its text.
      await renameTodo(page, 0, '');
      await expect
        .poll(() => row(page, 0).locator('.row-problem').textContent())
        .toBe('text must be 1-500 characters');
      expect(await row(page, 0).locator('.text').textContent()).toBe('buy milk');
      expect(await row(page, 0).locator('.text').isVisible()).toBe(true);
      // Escape cancels an edit: nothing is sent, even after Tab.
      await row(page, 0).locator('button[aria-label=Edit]').click();
      await row(page, 0).locator('input[type=text]').fill('never saved');
      await row(page, 0).locator('input[type=text]').press('Escape');
      await page.keyboard.press('Tab');
      expect(await row(page, 0).locator('.text').textContent()).toBe('buy milk');
      expect((await apiTodos(server))[0]?.text).toBe('buy milk');
      // A real edit, by double-click.
      await row(page, 0).locator('.text').dblclick();
      await row(page, 0).locator('input[type=text]').fill('buy oat milk');
      await row(page, 0).locator('input[type=text]').press('Enter');
      await expect.poll(() => row(page, 0).locator('.text').textContent()).toBe('buy oat milk');

      // Priority, after creation.
      await row(page, 0).locator('select').selectOption('high');
      await expect.poll(async () => (await apiTodos(server))[0]?.priority).toBe('high');

      // A real checkbox completes; filters and counts are in the URL. (A click, then the outcome:
      // a patch of an earlier change may morph the box back for a moment before this one lands.)
      await row(page, 0).locator('input[type=checkbox]').click();
      await expect.poll(() => counts(page)).toBe('2 items left');
      await expect.poll(() => row(page, 0).locator('input[type=checkbox]').isChecked()).toBe(true);
      await page.click('#filter-active');
      await page.waitForURL(/\?filter=active$/);
      await waitLive(page);
      expect(await page.locator('#todo-items > li:visible .text').allInnerTexts()).toHaveLength(2);
      expect(await page.locator('#filter-active').getAttribute('aria-current')).toBe('page');
      await page.click('#filter-completed');
      await page.waitForURL(/\?filter=completed$/);
      await waitLive(page);
      expect(await page.locator('#todo-items > li:visible .text').allInnerTexts()).toEqual([
        'buy oat milk',
      ]);

      // Clear completed; then delete one todo and undo that.
      await page.click('#filter-all');
      await waitLive(page);
      await page.click('#clear-completed');
      await expect.poll(() => todoTexts(page)).toHaveLength(2);
      expect((await apiTodos(server)).map((t) => t.text)).not.toContain('buy oat milk');
      await row(page, 0).locator('button[aria-label=Delete]').click();
      await expect.poll(() => todoTexts(page)).toHaveLength(1);
      await page.waitForSelector('#undo', { state: 'visible' });
      expect(await page.locator('#undo-text').textContent()).toBe('להתקשר לאמא');
      await page.click('#undo-button');
      // Back where it was, above the todo created after it (not at the end).
      await expect
        .poll(() => todoTexts(page))
        .toEqual(['להתקשר לאמא', `a long todo ${'that goes on '.repeat(12)}until the end`]);
      await page.waitForSelector('#undo', { state: 'hidden' });

      // Toggle all, both ways.
      await page.click('#toggle-all');
      await expect.poll(() => counts(page)).toBe('0 items left');
      await expect.poll(() => page.isChecked('#toggle-all')).toBe(true);
      expect((await apiTodos(server)).every((t) => t.completed)).toBe(true);
      await page.click('#toggle-all');
      await expect.poll(() => counts(page)).toBe('2 items left');
      await expect.poll(() => page.isChecked('#toggle-all')).toBe(false);
      expect(problems).toEqual([]);
    });
  }

  it('shows a todo restored elsewhere, and refuses to restore one that is not deleted', async () => {
    const { env } = await servers.database('restore.db');
    const server = await servers.start(env);
    const created = await sendCommand(server.url, { type: 'create', text: 'comes back' });
    const id = String(created.body.id);
    const { page } = await open(server, { width: 1280, height: 800 });
    await expect.poll(() => todoTexts(page)).toEqual(['comes back']);
    expect((await sendCommand(server.url, { type: 'restore', id })).status).toBe(409);
    expect((await sendCommand(server.url, { type: 'delete', id })).status).toBe(202);
    await expect.poll(() => todoTexts(page)).toEqual([]);
    expect((await sendCommand(server.url, { type: 'restore', id })).status).toBe(202);
    await expect.poll(() => todoTexts(page)).toEqual(['comes back']);
  });
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`keeps an open edit while other rows change, at ${viewport.width}px`, async () => {
      const { env } = await servers.database('edit.db');
      const server = await servers.start(env);
      const ids: string[] = [];
      for (const text of ['first', 'second', 'third']) {
        ids.push(String((await sendCommand(server.url, { type: 'create', text })).body.id));
      }
      const { page, problems } = await open(server, viewport);
      await expect.poll(() => todoTexts(page)).toEqual(['first', 'second', 'third']);
      const editing = page.locator(`#todo-${ids[1]}`);
      const field = editing.locator('input[type=text]');
      await editing.locator('button[aria-label=Edit]').click();
      await field.fill('second, half typed');

      // Elsewhere, meanwhile: a rename, a completion, a new todo, a delete and its undo.
      await sendCommand(server.url, { type: 'rename', id: ids[0], text: 'first, renamed' });
      await expect.poll(() => todoTexts(page)).toEqual(['first, renamed', 'second', 'third']);
      await sendCommand(server.url, { type: 'complete', id: ids[2] });
      await expect.poll(() => page.locator(`#toggle-${ids[2]}`).isChecked()).toBe(true);
      await sendCommand(server.url, { type: 'create', text: 'fourth' });
      await expect.poll(async () => (await todoTexts(page)).length).toBe(4);
      await sendCommand(server.url, { type: 'delete', id: ids[0] });
      await expect.poll(async () => (await todoTexts(page)).length).toBe(3);
      await sendCommand(server.url, { type: 'restore', id: ids[0] });
      await expect
        .poll(() => todoTexts(page))
        .toEqual(['first, renamed', 'second', 'third', 'fourth']);

      // The editor is still open, with what was typed, and still has the focus.
      expect(await field.isVisible()).toBe(true);
      expect(await editing.locator('.text').isVisible()).toBe(false);
      expect(await field.inputValue()).toBe('second, half typed');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(`text-${ids[1]}`);
      await field.press('Enter');
      await expect.poll(() => editing.locator('.text').textContent()).toBe('second, half typed');
      expect(await field.isVisible()).toBe(false);
      expect(problems).toEqual([]);
    });
  }

  it('keeps an open edit through a redraw of the whole list (a reconnect that missed changes)', async () => {
    const { dir } = await servers.database();
    const db = { DATABASE_URL: `file:${dir}/redraw.db` };
    const port = String(await freePort());
    let server = await servers.start({ ...db, PORT: port });
    const ids: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      ids.push(String((await sendCommand(server.url, { type: 'create', text })).body.id));
    }
    const { page, problems } = await open(server, { width: 390, height: 844 });
    await expect.poll(() => todoTexts(page)).toEqual(['first', 'second', 'third']);
    const editing = page.locator(`#todo-${ids[1]}`);
    const field = editing.locator('input[type=text]');
    await editing.locator('button[aria-label=Edit]').click();
    await field.fill('second, half typed');

    // The server goes away; another process changes the list meanwhile, so the page, once it
    // is back, is sent the whole window (its last event id is behind).
    await server.kill('SIGKILL');
    await expect
      .poll(() => page.locator('#connection').getAttribute('data-conn'), { timeout: 20_000 })
      .not.toBe('live');
    const other = await servers.start({ ...db, PORT: String(await freePort()) });
    await sendCommand(other.url, { type: 'rename', id: ids[0], text: 'first, renamed' });
    await sendCommand(other.url, { type: 'create', text: 'fourth' });
    await other.kill('SIGTERM');
    server = await servers.start({ ...db, PORT: port });
    await expect
      .poll(() => todoTexts(page), { timeout: 20_000 })
      .toEqual(['first, renamed', 'second', 'third', 'fourth']);
    await waitLive(page);

    expect(await field.isVisible()).toBe(true);
    await expect.poll(() => field.inputValue()).toBe('second, half typed');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`text-${ids[1]}`);
    await field.press('Enter');
    await expect.poll(() => editing.locator('.text').textContent()).toBe('second, half typed');
    expect(problems).toEqual([]);
  });
});
