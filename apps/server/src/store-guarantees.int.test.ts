import { describe, expect, it } from 'vitest';
import {
  allEvents,
  freePort,
  STORES,
  sendCommand,
  usePostgresCluster,
  useServers,
} from './testing/spawn-server';

const servers = useServers({ postgres: usePostgresCluster() });
const { start } = servers;
const post = sendCommand;

// The same HTTP contract on each store.
describe.each(STORES)('store guarantees over HTTP, real processes, on %s', (store) => {
  const database = async (name: string) => (await servers.database(name, store)).env;

  it('serves 200 concurrent commands on one todo with no 5xx and no lost update', async () => {
    const server = await start(await database('contention.db'));
    // The server says which store it opened (its settings, in the listening line).
    expect(server.logs.join('')).toMatch(
      store === 'postgres' ? /"store":"postgres"/ : /"journalMode":"wal"/,
    );
    const { body } = await post(server.url, { type: 'create', text: 'contended' });
    const id = String(body.id);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(server.url, { type: 'rename', id, text: `rename ${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    const accepted = statuses.filter((s) => s === 202).length;
    const events = (await allEvents(server.url)).filter((e) => e.aggregateId === id);
    expect(events).toHaveLength(accepted + 1);
    expect(events.map((e) => e.aggregateSequence)).toEqual(events.map((_, i) => i + 1));
    // The projection equals the fold of what was stored.
    const stored = (await (await fetch(`${server.url}/api/events?after=0&limit=1000`)).json()) as {
      events: Array<{ aggregateId: string; payload: { text: string } }>;
    };
    const lastText = stored.events.filter((e) => e.aggregateId === id).at(-1)?.payload.text;
    await expect
      .poll(async () => (await fetch(`${server.url}/api/todos/${id}`)).json())
      .toMatchObject({ text: lastText, version: events.length });
  });

  it('makes a retried command idempotent across a restart and across two racing processes', async () => {
    const env = await database('idempotent.db');
    let server = await start(env);
    const key = { 'idempotency-key': 'order-7f3a' };
    const first = await post(server.url, { type: 'create', text: 'only once' }, key);
    expect(first.status).toBe(202);
    await server.kill('SIGTERM');
    server = await start(env);
    const retried = await post(server.url, { type: 'create', text: 'only once' }, key);
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect((await post(server.url, { type: 'create', text: 'other' }, key)).status).toBe(422);

    // The same new key sent at once to two processes sharing the database.
    const other = await start({ ...env, PORT: String(await freePort()) });
    const raceKey = { 'idempotency-key': 'race-key' };
    const raced = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(i % 2 ? server.url : other.url, { type: 'create', text: 'raced' }, raceKey),
      ),
    );
    expect(raced.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);
    const events = await allEvents(server.url);
    expect(events.filter((e) => e.eventType === 'TodoCreated')).toHaveLength(2);
  });

  it('lets two processes append to one database concurrently, with no 5xx and no gaps', async () => {
    const env = await database('two.db');
    const a = await start(env);
    const b = await start({ ...env, PORT: String(await freePort()) });
    const shared = String((await post(a.url, { type: 'create', text: 'shared' })).body.id);
    const results = await Promise.all(
      Array.from({ length: 160 }, (_, i) => {
        const url = i % 2 ? a.url : b.url;
        return i % 4 < 2
          ? post(url, { type: 'create', text: `own ${i}` })
          : post(url, { type: 'rename', id: shared, text: `shared ${i}` });
      }),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 202 && s !== 409)).toEqual([]);
    const events = await allEvents(a.url);
    expect(events.map((e) => e.globalSequence)).toEqual(events.map((_, i) => i + 1));
    const accepted = results.filter((r) => r.status === 202);
    expect(events).toHaveLength(accepted.length + 1);
    const sharedEvents = events.filter((e) => e.aggregateId === shared);
    expect(sharedEvents.map((e) => e.aggregateSequence)).toEqual(sharedEvents.map((_, i) => i + 1));
  });
});
