import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, readSse } from '../../testing/test-app';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const setup = async () => {
  const t = await createTestApp();
  close = t.close;
  const query = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.request('/api/analytics/queries', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { ...t, query };
};

describe('analytics query sessions over HTTP', () => {
  it('starts a saved query (202), records its outcome, and serves its rows', async () => {
    const t = await setup();
    const res = await t.query({ saved: 'busiest-aggregates' });
    expect(res.status).toBe(202);
    const { id, sequence } = await res.json();
    expect(sequence).toBe(1);
    await t.service.drain();
    await new Promise((r) => setTimeout(r, 5));
    const session = await (await t.app.request(`/api/analytics/sessions/${id}`)).json();
    expect(session.session).toMatchObject({
      id,
      name: 'busiest-aggregates',
      status: 'completed',
      rowCount: 1,
    });
    expect(session.result.rows).toEqual([[1]]);
    expect(t.events.map((e) => e.eventType)).toEqual(['QueryStarted', 'QueryCompleted']);
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
    expect(metrics).toContain('ironstar_analytics_queries_total{outcome="refused"} 4');
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
});
