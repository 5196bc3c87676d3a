import type { AppendRequest } from '@ironstar/application';
import { describe, expect, it } from 'vitest';
import { Abort, createAppender } from './libsql-append';
import type { Connection } from './libsql-writer';

/**
 * A connection that answers the appender's reads from a tiny model of the two tables and
 * numbers inserted rows as SQLite does (consecutively), recording every statement it runs.
 */
const fakeConnection = () => {
  const statements: Array<{ sql: string; rows: number }> = [];
  const versions = new Map<string, number>();
  const commands = new Set<string>();
  let rowid = 0;
  const connection: Connection = {
    query: async (sql, args) => {
      statements.push({ sql, rows: 0 });
      if (sql.includes('max(aggregate_sequence)')) {
        return [[versions.get(`${args[0]}/${args[1]}`) ?? 0]];
      }
      if (sql.includes('FROM commands')) {
        return commands.has(String(args[0]))
          ? [[JSON.stringify({ id: args[0], version: 1, globalSequence: 1 })]]
          : [];
      }
      throw new Error(`unexpected query ${sql}`);
    },
    run: async (sql, args) => {
      if (sql.startsWith('INSERT INTO events')) {
        const rows = args.length / 9;
        statements.push({ sql: 'events', rows });
        for (let i = 0; i < rows; i++) {
          const stream = `${args[i * 9 + 1]}/${args[i * 9 + 2]}`;
          versions.set(stream, Number(args[i * 9 + 3]));
        }
        rowid += rows;
      } else if (sql.startsWith('INSERT INTO commands')) {
        const rows = args.length / 7;
        statements.push({ sql: 'commands', rows });
        for (let i = 0; i < rows; i++) commands.add(String(args[i * 7]));
      } else throw new Error(`unexpected statement ${sql}`);
      return rowid;
    },
  };
  const writes = () => statements.filter((s) => s.rows > 0).map((s) => `${s.sql} ${s.rows}`);
  return { connection, writes };
};

const create = (id: string, expectedVersion: AppendRequest['expectedVersion'] = 0) => ({
  aggregateType: 'Todo',
  aggregateId: id,
  expectedVersion,
  events: [{ id: `event-${id}-${String(expectedVersion)}`, type: 'Created', data: { id } }],
});

describe('the batched appender', () => {
  it("writes a batch's events in a few multi-row INSERTs of power-of-two sizes", async () => {
    const { connection, writes } = fakeConnection();
    const appender = createAppender(() => '2026-12-01T00:00:00.000Z');
    const requests = Array.from({ length: 200 }, (_, i) => ({
      ...create(`t${i}`),
      command: { id: `c${i}`, fingerprint: 'f' },
    }));
    const outcomes = await appender.appendAll(connection, requests);
    expect(writes()).toEqual([
      'events 64',
      'events 64',
      'events 64',
      'events 8',
      'commands 64',
      'commands 64',
      'commands 64',
      'commands 8',
    ]);
    // Consecutive global sequences in request order, each with its stream version.
    expect(
      outcomes.map((o) => (o instanceof Abort ? 'refused' : o.events[0]?.globalSequence)),
    ).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(outcomes[7]).toMatchObject({
      version: 1,
      events: [{ aggregateId: 't7', aggregateSequence: 1, payload: { id: 't7' } }],
    });
  });

  it('writes what waits before a request on the same stream or command id, so its checks see it', async () => {
    const { connection, writes } = fakeConnection();
    const appender = createAppender(() => '2026-12-01T00:00:00.000Z');
    const outcomes = await appender.appendAll(connection, [
      create('a'),
      create('b'),
      create('a', 1), // same stream: sees version 1 only once 'a' is written
      create('a', 0), // stale by then: refused, nothing of it written
      { ...create('c'), command: { id: 'once', fingerprint: 'f' } },
      { ...create('d'), command: { id: 'once', fingerprint: 'f' } }, // already recorded
    ]);
    expect(writes()).toEqual(['events 2', 'events 1', 'events 1', 'commands 1']);
    expect(outcomes.map((o) => (o instanceof Abort ? o.error : o.version))).toEqual([
      1,
      1,
      2,
      2,
      1,
      expect.objectContaining({ id: 'once' }),
    ]);
    expect(
      outcomes.flatMap((o) => (o instanceof Abort ? [] : o.events.map((e) => e.globalSequence))),
    ).toEqual([1, 2, 3, 4]);
  });

  it('refuses to guess sequences when the rows were not numbered consecutively', async () => {
    const { connection } = fakeConnection();
    let calls = 0;
    const skipping: Connection = {
      ...connection,
      // The second INSERT's rows come back one further than they should.
      run: async (sql, args) => (await connection.run(sql, args)) + (++calls > 1 ? 1 : 0),
    };
    const appender = createAppender(() => '2026-12-01T00:00:00.000Z');
    await expect(
      appender.appendAll(
        skipping,
        Array.from({ length: 65 }, (_, i) => create(`t${i}`)),
      ),
    ).rejects.toThrow(/not numbered consecutively/);
  });
});
