import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommand, useServers } from '../src/testing/spawn-server';
import { launchChromium, todoTexts, watchPage } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

const servers = useServers();
const PAGE = 20;

/** The page shows exactly the newest `n` todos the API has (both read afresh each poll). */
const showsNewest = async (page: Page, url: string, n: number) =>
  JSON.stringify(await todoTexts(page)) === JSON.stringify(await newestTexts(url, n));

/** The newest `n` todo texts, as the API has them. */
const newestTexts = async (url: string, n: number) => {
  const body = (await (await fetch(`${url}/api/todos`)).json()) as {
    todos: Array<{ text: string }>;
  };
  return body.todos.map((t) => t.text).slice(-n);
};

describe('the todo page with more todos than one page, in Chromium', () => {
  it('shows the newest page with counts, stays right through changes, and refuses bidi text', async () => {
    const { env } = await servers.database('window.db');
    const server = await servers.start({ ...env, TODO_PAGE_SIZE: String(PAGE) });
    for (let i = 1; i <= 50; i++) {
      expect((await sendCommand(server.url, { type: 'create', text: `todo ${i}` })).status).toBe(
        202,
      );
    }
    const context = await browser.newContext();
    servers.defer(() => context.close());
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(server.url);
    // biome-ignore lint/performance/useDomNodeTextContent: only what shows (the summary also holds hidden empty-state lines)
    const summary = () => page.locator('#todo-summary').innerText();
    expect(await todoTexts(page)).toEqual(await newestTexts(server.url, PAGE));
    expect(await summary()).toContain('50 items left');
    expect(await summary()).toContain('Completed 0');
    expect(await summary()).toContain(`showing the newest ${PAGE}`);
    // The feed is open once the server counts it.
    await expect
      .poll(async () =>
        (await (await fetch(`${server.url}/metrics`)).text()).includes(
          'ironstar_sse_connections{feed="todos"} 1',
        ),
      )
      .toBe(true);

    // Added here: the newest row at the bottom, the oldest shown one leaves.
    await page.fill('#new-todo-text', 'added in the browser');
    await page.click('#new-todo button[type=submit]');
    // Wait for the row itself: the window already showed the newest todos before the click.
    await expect.poll(async () => (await todoTexts(page)).at(-1)).toBe('added in the browser');
    await expect.poll(() => showsNewest(page, server.url, PAGE)).toBe(true);
    await expect.poll(summary).toContain('51 items left');

    // Deleted here: an older todo moves into the window, at its top.
    await page.locator('#todo-items li').last().locator('button[aria-label=Delete]').click();
    await expect.poll(summary).toContain('50 items left');
    await expect.poll(() => showsNewest(page, server.url, PAGE)).toBe(true);
    expect(await page.locator('#todo-items li').count()).toBe(PAGE);

    // Completed elsewhere: the row and the counts follow.
    const { todos } = (await (await fetch(`${server.url}/api/todos`)).json()) as {
      todos: Array<{ id: string }>;
    };
    const last = todos.at(-1)?.id ?? '';
    await sendCommand(server.url, { type: 'complete', id: last });
    await expect.poll(summary).toContain('49 items left');
    expect(await summary()).toContain('Completed 1');
    await expect.poll(() => page.locator(`#todo-${last}`).getAttribute('class')).toBe('completed');

    // Text that would reorder what is shown is refused, and nothing is stored.
    const before = await newestTexts(server.url, 1000);
    await page.fill('#new-todo-text', 'invoice \u202Efdp.exe');
    await page.click('#new-todo button[type=submit]');
    await expect
      .poll(() => page.locator('#new-todo-problem').textContent())
      .toBe('text must not contain bidi overrides, embeddings or isolates');
    // What was typed stays, to be corrected.
    expect(await page.inputValue('#new-todo-text')).toBe('invoice \u202Efdp.exe');
    expect(await newestTexts(server.url, 1000)).toEqual(before);

    // "Show more" widens the window, and its feed keeps it live.
    await page.click('#todo-more a');
    await expect.poll(() => page.locator('#todo-items li').count()).toBe(2 * PAGE);
    await sendCommand(server.url, { type: 'create', text: 'seen in the wider window' });
    await expect.poll(() => showsNewest(page, server.url, 2 * PAGE)).toBe(true);
    expect(problems).toEqual([]);
  });
});
