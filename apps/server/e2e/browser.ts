import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import { freePort, type ServerProcess, spawnServer, tempDir } from '../src/testing/spawn-server';

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

/**
 * Watches every page a test opens (`watch(page, path)`) and fails the test, after it, if any
 * showed a script error or a dialog. The problem arrays are held, not copied: watchPage keeps
 * filling them.
 */
export const usePageWatch = () => {
  let watched: Array<{ path: string; problems: string[] }> = [];
  afterEach(() => {
    const seen = watched.flatMap(({ path, problems }) => problems.map((p) => `${path}: ${p}`));
    watched = [];
    expect(seen).toEqual([]);
  });
  return (page: Page, path: string) => {
    watched.push({ path, problems: watchPage(page) });
  };
};

/** A server of its own on a fresh database file (`env` adds settings), and screenshots beside. */
export const startServer = async (
  database: string,
  env: Record<string, string> = {},
): Promise<{
  server: ServerProcess;
  shoot: ReturnType<typeof screenshots>;
  stop: () => Promise<void>;
}> => {
  const dir = await tempDir();
  try {
    const server = await spawnServer({
      DATABASE_URL: `file:${join(dir.dir, database)}`,
      PORT: String(await freePort()),
      ...env,
    });
    const stop = async () => {
      await server.kill('SIGTERM');
      await dir.remove();
    };
    return { server, shoot: screenshots(dir.dir), stop };
  } catch (error) {
    await dir.remove();
    throw error;
  }
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
