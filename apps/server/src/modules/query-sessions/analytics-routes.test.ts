import type { IncomingMessage } from 'node:http';
import { readSse } from '@ironstar/web/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DISPLAY_CELL_CHARS, DISPLAY_ROWS } from './analytics-view';
import { createAnalyticsTestApp } from './query-sessions-test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async (options: Parameters<typeof createAnalyticsTestApp>[0] = {}) => {
  const t = await createAnalyticsTestApp(options);
  close = t.close;
  const query = (body: unknown, headers: Record<string, string> = {}, from?: string) =>
    t.app.request(
      '/api/analytics/queries',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      // As @hono/node-server passes it: the socket the request came in on.
      from ? { incoming: { socket: { remoteAddress: from } } as IncomingMessage } : undefined,
    );
  const session = async (id: string) => {
    const res = await t.app.request(`/api/analytics/sessions/${id}`);
    return (await res.json()) as { session: { status: string }; result: unknown };
  };
  /** Resolves once the session has ended, as the API shows it. */
  const ended = (id: string) =>
    vi.waitFor(async () => {
      const body = await session(id);
      expect(body.session.status).not.toBe('executing');
      return body;
    });
  return { ...t, query, session, ended };
};

describe('analytics query sessions over HTTP', () => {
  it('starts a saved query (202), records its outcome, and serves its rows', async () => {
    const t = await setup();
    const res = await t.query({ saved: 'busiest-aggregates' });
    expect(res.status).toBe(202);
    const { id, sequence } = await res.json();
    expect(sequence).toBe(1);
    const session = await t.ended(id);
    expect(session.session).toMatchObject({
      id,
      name: 'busiest-aggregates',
      status: 'completed',
      rowCount: 1,
    });
    expect(session.result).toMatchObject({ rows: [[1]], truncated: false, truncatedBy: null });
    expect(t.events.map((e) => e.eventType)).toEqual(['QueryStarted', 'QueryCompleted']);
    // Both carry who ran the query, the completion too (appended by the service itself).
    expect(t.events.map((e) => e.metadata?.actor)).toEqual(['local', 'local']);
    expect((await t.app.request('/api/analytics/sessions/nope')).status).toBe(404);
  });

  it('refuses bad queries with clear 4xx errors and stores nothing', async () => {
    const t = await setup();
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect((await res.json()).error.code).toBe(code);
    };
    await expectError(await t.query({ sql: 'DROP TABLE events' }), 422, 'sql_refused');
    await expectError(await t.query({ sql: 'SELECT 1; DROP TABLE events' }), 422, 'sql_refused');
    await expectError(await t.query({ sql: '' }), 400, 'validation');
    // JSON can carry a lone surrogate as an escape; it has no UTF-8 form.
    await expectError(await t.query('{"sql": "SELECT \'\\ud800\'"}'), 400, 'validation');
    await expectError(await t.query({ sql: 'SELECT 1\u0000' }), 400, 'validation');
    await expectError(await t.query({ saved: 'no-such-query' }), 400, 'validation');
    await expectError(await t.query('{not json'), 400, 'malformed');
    await expectError(await t.query({ sql: 'x'.repeat(17_000) }), 413, 'payload_too_large');
    await expectError(
      await t.query({ sql: 'SELECT 1' }, { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
    expect(t.events).toEqual([]);
    const metrics = await (await t.app.request('/metrics')).text();
    // The lone-surrogate body never reaches the route: the boundary guard refuses it for every
    // route alike.
    expect(metrics).toContain('ironstar_analytics_queries_total{outcome="refused"} 5');
  });

  it('runs from the page: the Datastar answer streams the result, or the refusal', async () => {
    const t = await setup();
    const page = await (await t.app.request('/analytics')).text();
    expect(page).toContain('<title>Analytics · ironstar</title>');
    expect(page).toContain(
      '$saved = &#39;todo-completion-times&#39;; @post(&#39;/analytics/run&#39;)',
    );

    const run = (body: unknown) =>
      t.app.request('/analytics/run', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'datastar-request': 'true' },
        body: JSON.stringify(body),
      });
    const ok = await readSse(await run({ saved: 'events-per-minute', sql: '' }), (s) =>
      s.includes('id="result-table"'),
    );
    expect(ok).toContain('data-status="completed"');
    expect(ok).toMatch(/<td class="num">1<\/td>/);

    const refused = await readSse(await run({ sql: 'DELETE FROM events', saved: '' }), (s) =>
      s.includes('query-error'),
    );
    expect(refused).toContain('only a single read-only SELECT is allowed');

    const failed = await readSse(await run({ sql: 'SELECT sleep(600)', saved: '' }), (s) =>
      s.includes('data-status="failed"'),
    );
    expect(failed).toContain('stopped at the time limit');
  });

  it('refuses a form post to the page action, and never puts a foreign session id in an expression', async () => {
    const t = await setup();
    const form = await t.app.request('/analytics/run', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"saved":"busiest-aggregates"}',
    });
    expect(form.status).toBe(415);
    // Another writer stored a session with a hostile id.
    const id = "x'); alert(1); ('";
    const appended = await t.store.append({
      aggregateType: 'QuerySession',
      aggregateId: id,
      expectedVersion: 0,
      events: [
        {
          id: 'e1',
          type: 'QueryStarted',
          data: { id, sql: 'select 1', name: null, startedAt: 'T' },
        },
      ],
    });
    await t.bus.publish(appended._unsafeUnwrap().events);
    const page = await (await t.app.request('/analytics')).text();
    expect(page).toContain('<b>ad hoc</b>');
    // It shows (escaped) as data, never inside a Datastar expression.
    expect(page).toContain('data-session="x&#39;); alert(1); (&#39;"');
    expect(page).not.toMatch(/data-on-[\w-]+="[^"]*alert\(1\)/);
    expect(t.events).toHaveLength(1);
  });

  it('keeps the session list live over its feed', async () => {
    const t = await setup();
    const res = await t.app.request('/analytics/feed');
    setTimeout(() => void t.query({ saved: 'busiest-aggregates' }), 20);
    const text = await readSse(res, (s) => s.includes('data-status="completed"'));
    expect(text).toContain('data: fragments <section id="sessions">');
    expect(text).toContain('<b>busiest-aggregates</b>');
  });

  it('caps running sessions per client and in total, with Retry-After, storing nothing refused', async () => {
    const t = await setup();
    const held = (from: string) => t.query({ sql: 'SELECT hold' }, {}, from);
    expect((await held('10.0.0.1')).status).toBe(202);
    expect((await held('10.0.0.1')).status).toBe(202);
    const mine = await held('10.0.0.1');
    expect(mine.status).toBe(429);
    expect(mine.headers.get('retry-after')).toBe('1');
    expect((await mine.json()).error).toEqual({
      code: 'busy',
      message: 'you already run 2 queries; wait for one to finish',
    });
    expect((await held('10.0.0.2')).status).toBe(202);
    expect((await held('10.0.0.3')).status).toBe(202);
    const full = await held('10.0.0.4');
    expect(full.status).toBe(429);
    expect((await full.json()).error.message).toBe(
      '4 queries are already running; try again shortly',
    );
    expect(t.events.filter((e) => e.eventType === 'QueryStarted')).toHaveLength(4);
    t.engine.releaseHeld();
    // Each slot is given back once its session's outcome is recorded.
    await vi.waitFor(() =>
      expect(t.events.filter((e) => e.eventType === 'QueryCompleted')).toHaveLength(4),
    );
    expect((await held('10.0.0.4')).status).toBe(202);
    t.engine.releaseHeld();
  });

  it('answers 503 with Retry-After while the engine restarts, storing nothing', async () => {
    const t = await setup();
    const res = await t.query({ sql: 'SELECT unavailable' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await res.json()).error.code).toBe('unavailable');
    expect(t.events).toEqual([]);
  });

  it('shows the first rows with clipped cells, and serves the whole kept result as CSV and JSON', async () => {
    const long = `<b>${'x'.repeat(1000)}</b>`;
    const t = await setup({
      answer: () => ({
        columns: [
          { name: 'n', type: 'BIGINT' },
          { name: 'text', type: 'VARCHAR' },
        ],
        rows: Array.from({ length: 1000 }, (_, i) => [i, i === 0 ? long : `=cell ${i}`]),
        truncated: true,
        truncatedBy: 'bytes',
        bytes: 60_000,
      }),
    });
    const { id } = await (await t.query({ sql: 'SELECT many' })).json();
    await t.ended(id);
    const page = await (await t.app.request(`/analytics?session=${id}`)).text();
    expect(page.match(/<tr>/g)).toHaveLength(DISPLAY_ROWS + 1); // the header row, then rows
    expect(page).toContain(`&lt;b&gt;${'x'.repeat(DISPLAY_CELL_CHARS - 3)}…`);
    expect(page).not.toContain(long);
    expect(page).toContain('Showing 100 of 1,000 rows (cut at the 60,000-byte result limit)');
    expect(page).toContain(`href="/api/analytics/sessions/${id}/result.csv"`);

    const csv = await t.app.request(`/api/analytics/sessions/${id}/result.csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="query-${id}.csv"`);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1001);
    expect(lines[2]).toBe("1,'=cell 1");
    const json = await (await t.app.request(`/api/analytics/sessions/${id}/result.json`)).json();
    expect(json.rows).toHaveLength(1000);
    expect(json.rows[0][1]).toBe(long);
    const missing = await t.app.request('/api/analytics/sessions/nope/result.csv');
    expect(missing.status).toBe(404);
  });
});
