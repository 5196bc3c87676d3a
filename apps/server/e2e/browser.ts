import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** The two sizes every page is tried at: a laptop and a phone. */
export const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
export type Size = (typeof SIZES)[number];

/** The committed screenshots (docs/screenshots), written only with UPDATE_SCREENSHOTS=1. */
export const SCREENSHOTS_DIR = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
  : undefined;

/**
 * A screenshot taker: into SCREENSHOTS_DIR when refreshing them, else into `scratchDir`
 * (the test's temp dir), so every run still draws every picture.
 */
export const screenshots = (scratchDir: string) => {
  const dir = SCREENSHOTS_DIR ?? join(scratchDir, 'shots');
  mkdirSync(dir, { recursive: true });
  return (page: Page, name: string, options: { fullPage?: boolean } = {}) =>
    page.screenshot({ path: join(dir, `${name}.png`), fullPage: options.fullPage ?? false });
};

/** Asserts that the page is no wider than its viewport (nothing scrolls sideways). */
export const expectFits = async (page: Page, label: string) => {
  const [scrollWidth, innerWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  expect(scrollWidth, `${label}: page width at a ${innerWidth} px viewport`).toBeLessThanOrEqual(
    innerWidth ?? 0,
  );
};

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
