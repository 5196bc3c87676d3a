import { readFileSync } from 'node:fs';
import { getLibsqlEventStore } from '@ironstar/infrastructure';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { useServers } from './testing/spawn-server';

const servers = useServers();

const FIXTURE = readFileSync(
  new URL('./testing/fixtures/todo-events-v1.sql', import.meta.url),
  'utf8',
);
const ID = '3f6c1b7e-5d2a-4c8e-9b1f-0a2b3c4d5e01';

describe('a database written by version 1', () => {
  it("loads its TodoCreated rows as version 3 (priority normal, owner 'local') in the aggregate, the projection and the API, never rewriting them", async () => {
    const { env } = await servers.database('v1.db');
    const url = env.DATABASE_URL;
    // Create the schema with the real migrations, then put the old rows in as v1 wrote them.
    await (await getLibsqlEventStore({ url })).close();
    const raw = createClient({ url });
    await raw.executeMultiple(FIXTURE);

    const server = await servers.start(env);
    const api = (await (await fetch(`${server.url}/api/events?after=0`)).json()) as {
      events: Array<{ eventType: string; eventVersion: number; payload: Record<string, unknown> }>;
    };
    expect(api.events[0]).toMatchObject({
      eventType: 'TodoCreated',
      eventVersion: 3,
      payload: { priority: 'normal', owner: 'local' },
    });
    expect(await (await fetch(`${server.url}/api/todos/${ID}`)).json()).toMatchObject({
      text: 'written by v1',
      priority: 'normal',
      completed: true,
      version: 2,
    });
    // The old todo is the local user's: listed, and it takes that user's commands.
    const list = (await (await fetch(`${server.url}/api/todos`)).json()) as {
      todos: Array<{ id: string }>;
    };
    expect(list.todos.map((todo) => todo.id)).toContain(ID);
    // The aggregate folds the upcast history and takes new commands on it.
    const reopen = await fetch(`${server.url}/api/commands/todo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-match': '"2"' },
      body: JSON.stringify({ type: 'reopen', id: ID }),
    });
    expect(reopen.status).toBe(202);
    const rows = await raw.execute(
      'SELECT event_version, payload FROM events ORDER BY global_sequence',
    );
    expect(rows.rows.map((r) => Number(r.event_version))).toEqual([1, 1, 1]);
    expect(String(rows.rows[0]?.payload)).not.toContain('priority');
    raw.close();
  });
});
