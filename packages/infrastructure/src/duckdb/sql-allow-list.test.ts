import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSandbox, type Sandbox } from './duckdb-sandbox';
import { refusalOfTree } from './sql-allow-list';

let db: Sandbox;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironstar-allow-'));
  db = await openSandbox({
    tempDirectory: dir,
    memoryLimitBytes: 256 * 2 ** 20,
    tempMaxBytes: 16 * 2 ** 20,
    threads: 1,
  });
});
afterAll(async () => {
  db.instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** The refusal, or 'planned' when the query may run. */
const verdict = async (sql: string) => {
  const connection = await db.instance.connect();
  try {
    const prepared = await db.prepare(connection, sql);
    if (typeof prepared === 'string') return prepared;
    prepared.destroySync();
    return 'planned';
  } finally {
    connection.disconnectSync();
  }
};

describe('what an analytics query may name', () => {
  it('plans the useful queries', async () => {
    const useful = [
      'SELECT count(*) FROM events',
      'SELECT event_type, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC LIMIT 10',
      "SELECT json_extract(payload, '$.text'), payload->>'text', payload->>'$.id' FROM events",
      "SELECT date_trunc('minute', created_at) AS m, count(*) FROM events GROUP BY m",
      `SELECT aggregate_id, row_number() OVER (PARTITION BY aggregate_id ORDER BY global_sequence),
              lag(event_type) OVER w, sum(1) OVER w FROM events WINDOW w AS (ORDER BY created_at)`,
      'WITH t AS (SELECT * FROM events WHERE event_type = $$TodoCreated$$) SELECT count(*) FROM t',
      'WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM b',
      'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r',
      'WITH events AS (SELECT 1 AS x) SELECT * FROM events',
      'SELECT * FROM events WHERE global_sequence IN (SELECT max(global_sequence) FROM events)',
      'SELECT (SELECT count(*) FROM events) AS n, EXISTS (SELECT 1 FROM events e2) AS any',
      'SELECT e.id FROM events e JOIN events f USING (aggregate_id) LIMIT 5',
      'SELECT * FROM events e, LATERAL (SELECT e.id AS same) x LIMIT 1',
      'FROM events SELECT id LIMIT 1',
      'VALUES (1, 2), (3, 4)',
      'SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3',
      "SELECT CASE WHEN event_version > 1 THEN 'new' ELSE 'old' END, event_version::VARCHAR FROM events",
      "SELECT list_transform([1, 2], x -> x * 2), {'a': 1}.a, [1, 2][1], unnest([1, 2])",
      "SELECT string_agg(event_type, ','), median(aggregate_sequence), approx_count_distinct(id) FROM events",
      "SELECT regexp_matches(event_type, '^Todo'), lower(id) LIKE 'a%', strftime(now(), '%H') FROM events",
      'SELECT * FROM events QUALIFY row_number() OVER (PARTITION BY aggregate_id) = 1',
      'SELECT * EXCLUDE (payload) FROM events USING SAMPLE 10%',
      'SELECT current_date, today(), epoch_ms(created_at) FROM events',
    ];
    for (const sql of useful) expect(await verdict(sql), sql).toBe('planned');
  });

  it('refuses table functions, settings, logging, files and other tables, saying why', async () => {
    const refused: Array<[string, RegExp]> = [
      [
        "SELECT * FROM enable_logging(storage='file', storage_path='/tmp/x')",
        /table function enable_logging/,
      ],
      ["SELECT * FROM enable_logging(storage='stdout')", /table function enable_logging/],
      ['SELECT * FROM disable_logging()', /table function disable_logging/],
      ['SELECT * FROM enable_peg_parser()', /table function enable_peg_parser/],
      ['SELECT * FROM enable_profiling()', /table function enable_profiling/],
      ['SELECT * FROM checkpoint()', /table function checkpoint/],
      ['SELECT * FROM duckdb_settings()', /table function duckdb_settings/],
      ['SELECT * FROM duckdb_databases()', /table function duckdb_databases/],
      ["SELECT * FROM read_text('/etc/passwd')", /table function read_text/],
      ["SELECT * FROM read_csv('/etc/passwd')", /table function read_csv/],
      ["SELECT * FROM glob('/*')", /table function glob/],
      ['SELECT * FROM range(10)', /table function range/],
      ["SELECT * FROM query('SELECT 1')", /table function query/],
      ["SELECT current_setting('memory_limit')", /function current_setting is not allowed/],
      ["SELECT getenv('HOME')", /function getenv is not allowed/],
      ["SELECT getvariable('x')", /function getvariable is not allowed/],
      ["SELECT write_log('x')", /function write_log is not allowed/],
      ['SELECT sleep_ms(100000)', /function sleep_ms is not allowed/],
      ["SELECT json_deserialize_sql('{}')", /function json_deserialize_sql is not allowed/],
      ['SELECT current_database()', /function current_database is not allowed/],
      ['SELECT version()', /function version is not allowed/],
      ["SELECT * FROM 'data.csv'", /only the events table can be queried, not data\.csv/],
      ['SELECT * FROM duckdb_tables', /not duckdb_tables/],
      ['SELECT * FROM information_schema.tables', /not information_schema\.tables/],
      ['SELECT * FROM pg_settings', /not pg_settings/],
      ['SELECT * FROM main.events', /not main\.events/],
      ['SELECT other.lower(id) FROM events', /function other\.lower is not allowed/],
      ['SELECT memory.main.lower(id) FROM events', /function memory\.main\.lower is not allowed/],
      ['SUMMARIZE events', /SHOW_REF is not allowed/],
      ['DESCRIBE events', /SHOW_REF is not allowed/],
      ['SELECT $1', /PARAMETER expressions are not allowed/],
      ['PRAGMA version', /only a read-only SELECT/],
      ["SET memory_limit = '10GB'", /only a read-only SELECT/],
      ["ATTACH ':memory:' AS other", /only a read-only SELECT/],
      ["COPY events TO '/tmp/leak.csv'", /only a read-only SELECT/],
      ["EXPORT DATABASE '/tmp/leak'", /only a read-only SELECT/],
      ['CALL checkpoint()', /only a read-only SELECT/],
      ['DROP TABLE events', /only a read-only SELECT/],
      ['SELECT 1; SELECT 2', /only one statement is allowed; got 2/],
      ['SELECT 1; DROP TABLE events', /only one statement is allowed; got 2/],
      ['SELECT * FROM events WHERE', /the SQL does not parse: syntax error/],
      ['SELECT nope FROM events', /Referenced column "nope" not found/],
    ];
    for (const [sql, why] of refused) expect(await verdict(sql), sql).toMatch(why);
  });

  it('counts a CTE as a table only where it is in scope, and lets no CTE borrow a system name', async () => {
    // `x` is defined inside the subquery only; outside it would be some other table.
    expect(await verdict('SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x), x')).toMatch(
      /not x/,
    );
    // A CTE sees the ones before it, not the ones after.
    expect(
      await verdict('WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS y) SELECT * FROM a'),
    ).toMatch(/not b/);
    expect(await verdict('WITH duckdb_tables AS (SELECT 1) SELECT * FROM duckdb_tables')).toMatch(
      /taken by a system table/,
    );
    expect(await verdict('WITH "a.csv" AS (SELECT 1) SELECT * FROM "a.csv"')).toMatch(
      /must be a plain identifier/,
    );
  });

  it('refuses any kind of node it does not know, wherever it sits', () => {
    const allow = db.allowList;
    const wrap = (node: unknown) => ({
      error: false,
      statements: [{ node: { type: 'SELECT_NODE', select_list: [], from_table: node } }],
    });
    expect(refusalOfTree(wrap({ type: 'EMPTY' }), allow)).toBeUndefined();
    expect(refusalOfTree(wrap({ type: 'SOMETHING_NEW' }), allow)).toBe(
      'SOMETHING_NEW is not allowed',
    );
    expect(refusalOfTree(wrap({ deep: [{ class: 'DEFAULT' }] }), allow)).toBe(
      'DEFAULT expressions are not allowed',
    );
    expect(refusalOfTree({ error: false, statements: [] }, allow)).toBe(
      'only one statement is allowed; got 0',
    );
    expect(refusalOfTree('nonsense', allow)).toBe('the SQL could not be parsed');
  });

  it('builds the function allow-list from the catalog, without what reads or changes state', () => {
    const { functions } = db.allowList;
    for (const name of [
      'count_star',
      'sum',
      'json_extract',
      '->>',
      'date_trunc',
      'row_number',
      'lag',
    ]) {
      expect(functions.has(name), name).toBe(true);
    }
    for (const name of [
      'current_setting',
      'getenv',
      'write_log',
      'sleep_ms',
      'setseed',
      'nextval',
      'random',
      'json_execute_serialized_sql',
      'read_text',
      'enable_logging',
      'checkpoint',
    ]) {
      expect(functions.has(name), name).toBe(false);
    }
  });
});
