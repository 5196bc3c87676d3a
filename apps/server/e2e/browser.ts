import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no browser download). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

/** Collects what would show a broken page: script errors and dialogs (an executed onerror=alert). */
export const watchPage = (page: Page) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
};

/** The todo texts the list shows, in order. */
export const todoTexts = (page: Page) => page.locator('#todo-items > li .text').allTextContents();

/** Waits until the page's connection indicator says its feed is live. */
export const waitLive = (page: Page) =>
  page.waitForSelector('#connection[data-conn=live]', { state: 'attached' });

/** Renames the todo in the n-th row the way a user does: Edit, type, Enter. */
export const renameTodo = async (page: Page, row: number, text: string) => {
  const li = page.locator('#todo-items > li').nth(row);
  await li.locator('button[aria-label=Edit]').click();
  await li.locator('input[type=text]').fill(text);
  await li.locator('input[type=text]').press('Enter');
};
