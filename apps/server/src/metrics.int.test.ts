import { describe, expect, it } from 'vitest';
import { sendCommand, useServers } from './testing/spawn-server';
import { openSseClient } from './testing/sse-client';

const servers = useServers();

const value = (metrics: string, series: string) => {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('GET /metrics after known traffic', () => {
  it('counts exactly what happened', async () => {
    const { env } = await servers.database('metrics.db');
    const server = await servers.start(env);
    const feed = await openSseClient(`${server.url}/api/events/stream?after=0`);
    servers.defer(() => feed.close());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(String((await sendCommand(server.url, { type: 'create', text: `t${i}` })).body.id));
    }
    await sendCommand(server.url, { type: 'complete', id: ids[0] });
    await sendCommand(server.url, { type: 'complete', id: ids[0] }); // rejected: already completed
    await sendCommand(server.url, { type: 'explode' }); // invalid
    await expect.poll(() => feed.ids.length).toBe(6);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(value(metrics, 'ironstar_events_appended_total{aggregate_type="Todo"}')).toBe(6);
    expect(
      value(metrics, 'ironstar_commands_total{aggregate="todo",type="create",outcome="accepted"}'),
    ).toBe(5);
    expect(
      value(
        metrics,
        'ironstar_commands_total{aggregate="todo",type="complete",outcome="accepted"}',
      ),
    ).toBe(1);
    expect(
      value(
        metrics,
        'ironstar_commands_total{aggregate="todo",type="complete",outcome="rejected"}',
      ),
    ).toBe(1);
    expect(
      value(metrics, 'ironstar_commands_total{aggregate="todo",type="unknown",outcome="invalid"}'),
    ).toBe(1);
    expect(
      value(
        metrics,
        'ironstar_command_duration_seconds_count{aggregate="todo",type="create",outcome="accepted"}',
      ),
    ).toBe(5);
    // Each append's write transaction, its COMMIT timed.
    expect(value(metrics, 'ironstar_store_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(metrics, 'ironstar_store_commit_seconds_sum')).toBeGreaterThan(0);
    expect(value(metrics, 'ironstar_bus_messages_total{direction="out"}')).toBe(6);
    expect(value(metrics, 'ironstar_bus_messages_total{direction="in"}')).toBe(6);
    expect(value(metrics, 'ironstar_sse_connections{feed="events"}')).toBe(1);
    expect(value(metrics, 'ironstar_projection_position{projection="todo-list"}')).toBe(6);
    expect(value(metrics, 'ironstar_projection_lag_events{projection="todo-list"}')).toBe(0);
    expect(
      value(metrics, 'ironstar_feed_bytes_total{feed="events",stage="encoded"}'),
    ).toBeGreaterThan(6 * 300);
  });
});
