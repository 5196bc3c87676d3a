import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, sendCommand } from '../src/testing/spawn-server';
import {
  expectFits,
  launchChromium,
  SCREENSHOTS_DIR,
  SIZES,
  type screenshots,
  startServer,
  usePageWatch,
  waitLive,
} from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());
const watch = usePageWatch();

// Each numbered point of the dashboard, at both sizes, each against a server of its own with
// the same small history.
for (const size of SIZES) {
  let server: ServerProcess;
  let stop: () => Promise<void>;
  let shoot: ReturnType<typeof screenshots>;
  const ids: string[] = [];

  const open = async (path: string) => {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    watch(page, path);
    await page.goto(`${server.url}${path}`);
    await waitLive(page);
    await expectFits(page, path);
    return page;
  };
  const shot = (page: Page, name: string) => shoot(page, `${name}-in-use-${size.name}`);
  const topRow = (page: Page) => page.locator('#event-rows > li').first().getAttribute('id');

  describe(`the dashboard in Chromium at ${size.width}×${size.height}`, () => {
    beforeAll(async () => {
      ({ server, shoot, stop } = await startServer('dashboard.db', {
        ANALYTICS_QUERY_TIMEOUT_MS: '1500',
      }));
      // A small history: three todos, one completed, one renamed.
      ids.length = 0;
      for (const text of ['buy milk', 'write the report', 'call <b>Ada</b>']) {
        const priority = text === 'call <b>Ada</b>' ? 'high' : 'normal';
        ids.push(
          String((await sendCommand(server.url, { type: 'create', text, priority })).body.id),
        );
      }
      await sendCommand(server.url, { type: 'complete', id: ids[0] });
      await sendCommand(server.url, { type: 'rename', id: ids[1], text: 'write the long report' });
    });
    afterAll(async () => stop?.());

    it('event log: a new event appears without reload, filters narrow it, rows expand', async () => {
      const page = await open('/events');
      expect(await page.title()).toBe('Event log · ironstar');
      expect(await page.locator('#event-rows > li').count()).toBe(5);
      // The feed is open once the server counts it; then a command shows up at the top.
      const created = await sendCommand(server.url, { type: 'create', text: 'seen live' });
      await expect.poll(() => topRow(page)).toBe(`ev-${created.body.sequence}`);
      expect(await page.locator('#event-rows > li').count()).toBe(6);

      // Expand the newest row: payload and metadata, with the correlation link.
      await page.locator('#event-rows > li').first().locator('summary').click();
      await expect
        .poll(() => page.locator('#event-rows > li').first().locator('pre').first().textContent())
        .toContain('seen live');
      await expectFits(page, '/events with a row open');
      await shot(page, 'events');

      // Filter by event type (a plain GET form, so the filter is in the URL).
      await page.fill('#filter-eventType', 'TodoCompleted');
      await page.click('#event-filters button[type=submit]');
      await page.waitForURL(/eventType=TodoCompleted/);
      expect(await page.locator('#event-rows .etype').allTextContents()).toEqual(['TodoCompleted']);
      await sendCommand(server.url, { type: 'create', text: 'not a completion' });
      const done = await sendCommand(server.url, { type: 'complete', id: created.body.id });
      await expect.poll(() => topRow(page)).toBe(`ev-${done.body.sequence}`);
      expect(await page.locator('#event-rows .etype').allTextContents()).toEqual([
        'TodoCompleted',
        'TodoCompleted',
      ]);

      // Dates on every row; ids match by prefix (the short id a row shows), types by part.
      expect(await page.locator('#event-rows time').first().textContent()).toMatch(
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
      );
      await page.fill('#filter-eventType', 'Renamed');
      await page.click('#event-filters button[type=submit]');
      await page.waitForURL(/eventType=Renamed/);
      expect(await page.locator('#event-rows .etype').allTextContents()).toEqual(['TodoRenamed']);
      const short = await page.locator('#event-rows .meta a.mono').first().textContent();
      await page.goto(`${server.url}/events?aggregateId=${encodeURIComponent(short ?? '')}`);
      expect(await page.locator('#event-rows .etype').allTextContents()).toEqual([
        'TodoRenamed',
        'TodoCreated',
      ]);
      // Highlighted JSON in an expanded row; nothing matching says so once.
      await page.locator('#event-rows > li').first().locator('summary').click();
      expect(await page.locator('#event-rows .j-key').first().textContent()).toBe('"id"');
      await page.goto(`${server.url}/events?eventType=NoSuchThing`);
      expect(await page.locator('#no-events').isVisible()).toBe(true);
      expect(await page.locator('#event-older').textContent()).toBe('');
      await page.goto(`${server.url}/events?eventType=TodoCompleted`);

      // Following a correlation id shows every event of that request.
      await page.locator('#event-rows > li').first().locator('summary').click();
      await page
        .locator('#event-rows > li')
        .first()
        .locator('a', { hasText: /^[\w-]{36}$/ })
        .first()
        .click();
      await page.waitForURL(/correlationId=/);
      expect(await page.locator('#event-rows > li').count()).toBe(1);
      await page.context().close();
    });

    it('time travel: an earlier sequence shows the earlier list, and "Now" follows live', async () => {
      const page = await open('/time-travel');
      expect(await page.title()).toBe('Time travel · ironstar');
      const texts = () => page.locator('#tt-todos .text').allTextContents();
      await expect.poll(texts).toContain('write the long report');

      await page.fill('#tt-at', '2');
      await page.press('#tt-at', 'Tab');
      await expect.poll(texts).toEqual(['buy milk', 'write the report']);
      expect(await page.locator('#tt-todos li.completed').count()).toBe(0);
      await page.click('#tt-forward');
      await expect.poll(texts).toEqual(['buy milk', 'write the report', 'call <b>Ada</b>']);
      // The priority shows as a badge, as on the live page.
      expect(await page.locator('#tt-todos .badge').allTextContents()).toEqual(['high']);
      await page.click('#tt-forward');
      await expect
        .poll(() => page.locator('#tt-todos li.completed .text').allTextContents())
        .toEqual(['buy milk']);
      // Pick a todo: its history up to this point, later events faded.
      await page.locator('#tt-todos li', { hasText: 'write the report' }).click();
      await expect
        .poll(() => page.locator('#tt-history li:not(.later) .etype').allTextContents())
        .toEqual(['TodoCreated']);
      expect(await page.locator('#tt-history-name').textContent()).toBe('“write the report”');
      expect(await page.locator('#tt-history li.later .etype').allTextContents()).toEqual([
        'TodoRenamed',
      ]);
      await expectFits(page, '/time-travel with a history');
      await shot(page, 'time-travel');
      // A todo picked at a point before it was created says it does not exist yet.
      await page.goto(`${server.url}/time-travel?at=1&aggregateType=Todo&aggregate=${ids[2]}`);
      await waitLive(page);
      expect(await page.locator('#tt-not-yet').isVisible()).toBe(true);
      await page.click('#tt-now');

      await page.click('#tt-now');
      await expect.poll(texts).toContain('write the long report');
      // While live, a new event moves the view along.
      await sendCommand(server.url, { type: 'create', text: 'arrived while watching' });
      await expect.poll(texts).toContain('arrived while watching');
      expect(await page.locator('#tt-todos img, #tt-todos b').count()).toBe(0);
      await page.context().close();
    });

    it('system: figures and charts move when commands are sent', async () => {
      const page = await open('/system');
      expect(await page.title()).toBe('System · ironstar');
      await page.waitForSelector('#fig-commands svg polyline', { state: 'attached' });
      const samples = async () =>
        Number(await page.locator('#system-view').getAttribute('data-samples'));
      const before = await samples();
      await expect.poll(samples, { timeout: 5000 }).toBeGreaterThan(before); // live, once per second
      for (let i = 0; i < 20; i++)
        await sendCommand(server.url, { type: 'create', text: `load ${i}` });
      // The peak of the last minutes' rates: it rises with the burst and stays in the window.
      const peak = (chart: string) =>
        page.locator(`${chart} svg`).getAttribute('data-peak').then(Number);
      await expect.poll(() => peak('#fig-commands'), { timeout: 5000 }).toBeGreaterThan(0);
      await expect.poll(() => peak('#fig-events'), { timeout: 5000 }).toBeGreaterThan(0);
      expect(await page.locator('#fig-commands .legend').textContent()).toContain('accepted');
      expect(Number(await page.locator('#fig-feeds .figure').textContent())).toBeGreaterThanOrEqual(
        1,
      );
      // Legible: charts at least 120 px tall, labels at least 11 px; values on hover.
      const chart = await page.locator('#fig-commands svg').boundingBox();
      expect(chart?.height ?? 0).toBeGreaterThanOrEqual(120);
      const labelPx = await page
        .locator('#fig-commands svg text')
        .first()
        .evaluate((t) => (t as SVGTextElement).getBoundingClientRect().height);
      expect(labelPx).toBeGreaterThanOrEqual(11);
      expect(await page.locator('#fig-commands svg rect.band title').last().textContent()).toMatch(
        /^now: accepted /,
      );
      // Accepted is drawn in the "ok" colour, whatever its position.
      expect(await page.locator('#fig-commands .legend .s-ok').textContent()).toContain('accepted');
      if (SCREENSHOTS_DIR) {
        // A few seconds of steady traffic make the committed picture worth looking at.
        for (let i = 0; i < 16; i++) {
          for (let j = 0; j < 1 + (i % 4); j++) {
            await sendCommand(server.url, { type: 'create', text: `steady ${i}.${j}` });
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      await expectFits(page, '/system with traffic');
      await shot(page, 'system');
      await page.click('#range-1h');
      await page.waitForURL(/range=1h/);
      await waitLive(page);
      expect(await page.locator('#system-view').getAttribute('data-range')).toBe('1h');
      await page.context().close();
    });

    it('analytics: saved queries run and show rows; hostile SQL is refused or stopped, changing nothing', async () => {
      const page = await open('/analytics');
      expect(await page.title()).toBe('Analytics · ironstar');
      // Every run is sent as a command: with an Idempotency-Key, a fresh one per run.
      const runKeys: string[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/analytics/run')) {
          runKeys.push(request.headers()['idempotency-key'] ?? '');
        }
      });
      const countTodos = async () => {
        const res = await fetch(`${server.url}/api/events?limit=1000`);
        const { events } = (await res.json()) as { events: Array<{ aggregateType: string }> };
        return events.filter((e) => e.aggregateType === 'Todo').length;
      };
      const todoEvents = await countTodos();

      await page.click('#saved-busiest-aggregates');
      await expect
        .poll(() => page.locator('#result').getAttribute('data-status'), { timeout: 10_000 })
        .toBe('completed');
      expect(await page.locator('#result-table tbody tr').count()).toBeGreaterThan(5);
      expect(await page.locator('#result-chart .bar').count()).toBeGreaterThan(5);
      // Bar labels stay legible and inside their column at either size.
      const label = page.locator('#result-chart .bar-label').first();
      expect(
        await label.evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize)),
      ).toBeGreaterThanOrEqual(12);
      const labelBox = await label.boundingBox();
      const trackBox = await page.locator('#result-chart .bar-track').first().boundingBox();
      expect((labelBox?.x ?? 0) + (labelBox?.width ?? 0)).toBeLessThanOrEqual(trackBox?.x ?? 0);
      await expectFits(page, '/analytics with a result');

      await page.click('#saved-todo-completion-times');
      await expect
        .poll(() => page.locator('#result-table tbody tr').count(), { timeout: 10_000 })
        .toBe(2);
      // A saved query opens in the editor; Ctrl+Enter runs what is there.
      await page.click('#edit-busiest-aggregates');
      expect(await page.inputValue('#sql')).toContain('FROM events');
      await page.fill('#sql', 'SELECT 10000000000 AS big');
      await expect
        .poll(() => page.locator('#ad-hoc button[type=submit]').isEnabled(), { timeout: 10_000 })
        .toBe(true);
      await page.press('#sql', 'Control+Enter');
      await expect
        .poll(() => page.locator('#result-summary').textContent(), { timeout: 10_000 })
        .toMatch(/^1 row /);
      // The chart and the table show the same number.
      expect(await page.locator('#result-table tbody td').first().textContent()).toBe(
        '10000000000',
      );
      expect(await page.locator('#result-chart .bar-value').allTextContents()).toEqual([
        '10000000000',
      ]);
      await page.click('#saved-events-per-minute');
      await expect
        .poll(() => page.locator('#result b').textContent(), { timeout: 10_000 })
        .toBe('events-per-minute');
      await expect
        .poll(() => page.locator('#result').getAttribute('data-status'), { timeout: 10_000 })
        .toBe('completed');
      // The sessions list is live: every run is there, newest first.
      await expect
        .poll(() => page.locator('#sessions li[data-status=completed]').count(), {
          timeout: 10_000,
        })
        .toBe(4);
      await expectFits(page, '/analytics after four runs');
      await shot(page, 'analytics');

      const adHoc = async (sql: string) => {
        await page.fill('#sql', sql);
        await page.click('#ad-hoc button[type=submit]');
      };
      await adHoc('DROP TABLE events');
      await expect
        .poll(() => page.locator('#query-error').textContent(), { timeout: 10_000 })
        .toBe('only a read-only SELECT is allowed');
      await adHoc('SELECT 1; DELETE FROM events');
      await expect
        .poll(() => page.locator('#query-error').textContent(), { timeout: 10_000 })
        .toBe('only one statement is allowed; got 2');
      await adHoc("SELECT * FROM enable_logging(storage='stdout')");
      await expect
        .poll(() => page.locator('#query-error').textContent(), { timeout: 10_000 })
        .toBe('table function enable_logging is not allowed; query the events table');
      await adHoc(
        'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r',
      );
      await expect
        .poll(() => page.locator('#result').getAttribute('data-status'), { timeout: 10_000 })
        .toBe('failed');
      expect(await page.locator('#result-summary').textContent()).toBe(
        'stopped at the 1500 ms time limit',
      );
      expect(await page.locator('#query-error').textContent()).toBe('');

      // Nothing changed: DuckDB still holds every Todo event the store has.
      await adHoc("SELECT count(*) AS todo_events FROM events WHERE aggregate_type = 'Todo'");
      await expect
        .poll(() => page.locator('#result-table tbody td').first().textContent(), {
          timeout: 10_000,
        })
        .toBe(String(todoEvents));
      expect(runKeys.length).toBeGreaterThanOrEqual(9);
      expect(runKeys.every((key) => /^[\x21-\x7e]{8,}$/.test(key))).toBe(true);
      expect(new Set(runKeys).size).toBe(runKeys.length);
      await page.context().close();

      // The log now ends with analytics sessions: time travel steps back over them to the last
      // event that changes a read model it shows.
      const travel = await open('/time-travel');
      const head = Number(await travel.locator('#tt-view').getAttribute('data-at'));
      const { events } = (await (await fetch(`${server.url}/api/events?limit=1000`)).json()) as {
        events: Array<{ aggregateType: string; globalSequence: number }>;
      };
      expect(events.at(-1)?.aggregateType).toBe('QuerySession');
      const lastTodo = events.filter((e) => e.aggregateType === 'Todo').at(-1)?.globalSequence;
      expect(lastTodo).toBeLessThan(head - 1);
      await travel.click('#tt-back');
      await expect
        .poll(() => travel.locator('#tt-view').getAttribute('data-at'))
        .toBe(String(lastTodo));
      await travel.context().close();
    });
  });
}
