import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  childrenOf,
  cpuTicks,
  enginePid,
  folderBytes,
  isRunning,
  openRawFeed,
  postQuery,
  rawRequest,
  sampleMax,
  startHealthProbe,
  treeRss,
} from '../testing/hostile-client';
import {
  allEvents,
  freePort,
  type ServerProcess,
  sendCommand,
  spawnServer,
} from '../testing/spawn-server';

// The bounds this suite holds the server to (with the limits set below).
const TIME_LIMIT_MS = 3000;
const MEMORY = 128 * 2 ** 20; // ANALYTICS_MEMORY: the engine is killed past it + 512 MB
const TEMP_MAX = 32 * 2 ** 20;
// DuckDB caps its temp folder by the bytes it wrote; sampled allocated blocks can run ahead by
// part of a file-system extent. One DuckDB block (256 KiB) of slack.
const TEMP_SAMPLED_MAX = TEMP_MAX + 256 * 1024;
const MAX_RESULT_BYTES = 4 * 2 ** 20;
/** Server and engine together, resident. */
const RSS_BOUND = 1.2 * 2 ** 30;
// What the test proves is that no attack blocks the event loop (the old planning attacks held it
// for 14.5 s): no probe may stall. How fast /healthz answers is a timing goal, and on two shared
// cores the scheduler alone held probes back 150-570 ms at load 12 while the server used 4-24 ms
// of CPU; the latencies are printed below, not asserted.
const HEALTHZ_STALL_MS = 3000;

let server: ServerProcess;
let url: string;
let tmp: string;
let probe: ReturnType<typeof startHealthProbe>;
let rss: ReturnType<typeof sampleMax>;
let temp: ReturnType<typeof sampleMax>;
const ROOT = join(import.meta.dirname, '../../../..');

beforeAll(async () => {
  // The attacker would be on another machine; here it shares two cores with the server, so
  // this test's own thread yields to it (the /healthz probe keeps its own, normal thread).
  setPriority(10);
  tmp = mkdtempSync(join(tmpdir(), 'ironstar-hostile-'));
  server = await spawnServer({
    DATABASE_URL: `file:${join(tmp, 'events.db')}`,
    PORT: String(await freePort()),
    // DuckDB's private temp folder goes under TMPDIR, so this suite can watch its size.
    TMPDIR: tmp,
    ANALYTICS_QUERY_TIMEOUT_MS: String(TIME_LIMIT_MS),
    ANALYTICS_MEMORY: String(MEMORY),
    ANALYTICS_TEMP_MAX: String(TEMP_MAX),
    ANALYTICS_CACHE_TTL_MS: '0',
  });
  url = server.url;
  for (let i = 0; i < 30; i++) {
    expect((await sendCommand(url, { type: 'create', text: `todo ${i}` })).status).toBe(202);
  }
  await vi.waitFor(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), {
    timeout: 30_000,
  });
  const pid = server.child.pid ?? 0;
  rss = sampleMax(() => treeRss(pid));
  // DuckDB's private folder(s) only (not the database's own files).
  const duckdbTemp = () =>
    readdirSync(tmp)
      .filter((f) => f.startsWith('ironstar-duckdb-'))
      .reduce((sum, f) => sum + folderBytes(join(tmp, f)), 0);
  temp = sampleMax(duckdbTemp, 20);
  probe = startHealthProbe(url);
}, 60_000);

afterAll(async () => {
  rss?.stop();
  temp?.stop();
  await probe?.stop();
  await server?.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

/** The store's last global sequence. */
const head = async () => (await allEvents(url)).at(-1)?.globalSequence ?? 0;

type Session = {
  session: { status: string; error: string | null; truncated: boolean };
  result: { rows: unknown[][]; bytes: number; truncatedBy: string | null } | null;
};
/** The session once it has ended, as the API shows it. */
const ended = (id: string, timeout = 20_000) =>
  vi.waitFor(
    async () => {
      const res = await fetch(`${url}/api/analytics/sessions/${id}`);
      const body = (await res.json()) as Session;
      expect(body.session.status).not.toBe('executing');
      return body;
    },
    { timeout, interval: 100 },
  );

/**
 * Runs SQL to its end: a failed session, a result within the byte limit, or (for work done
 * while planning) 422 at the time limit with nothing stored. Like a polite client it comes
 * back after a 503 (the engine restarting after an earlier attack).
 */
const boundedOrFailed = async (sql: string, from?: string) => {
  mark(sql.slice(0, 40));
  const post = () => postQuery(url, { sql }, from ? { from } : {});
  let res = await post();
  for (let retry = 0; res.status === 503 && retry < 20; retry++) {
    const seconds = Number(res.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    res = await post();
  }
  if (res.status === 422) {
    expect(res.json.error?.message).toBe(
      `planning the query took longer than the ${TIME_LIMIT_MS} ms time limit`,
    );
    return { id: '', session: { status: 'refused', error: null, truncated: false }, result: null };
  }
  expect(res.status, `${sql}: ${res.text}`).toBe(202);
  const id = String(res.json.id);
  const body = await ended(id);
  if (body.session.status === 'completed') {
    expect(body.result?.bytes).toBeLessThanOrEqual(MAX_RESULT_BYTES);
  } else {
    expect(body.session.status).toBe('failed');
    expect(body.session.error).toBeTruthy();
  }
  return { ...body, id };
};

const expectRefused = async (
  body: unknown,
  status: number,
  code: string,
  options: { from?: string; contentType?: string } = {},
) => {
  const before = await head();
  const res = await postQuery(url, body, options);
  const what = typeof body === 'string' ? body.slice(0, 80) : JSON.stringify(body).slice(0, 80);
  expect(res.status, `${what}: ${res.text}`).toBe(status);
  expect(res.json.error?.code, what).toBe(code);
  expect(await head(), `${what} stored something`).toBe(before);
  return res;
};

/** Resolves once the engine answers again (after an attack got it killed and rebuilt). */
const engineUp = () =>
  vi.waitFor(async () => expect((await boundedOrFailed('SELECT 1')).result?.rows).toEqual([[1]]), {
    timeout: 30_000,
  });

/** Loopback addresses as distinct clients: 127.0.0.2, 127.0.0.3, … */
const client = (i: number) => `127.0.0.${i + 2}`;
const marks: Array<[number, string]> = [];
const mark = (what: string) => marks.push([Date.now(), what]);
const clients = (n: number) => Array.from({ length: n }, (_, i) => client(i));
const joins = (n: number) =>
  `SELECT count(*) FROM events t0 ${Array.from({ length: n - 1 }, (_, i) => `JOIN events t${i + 1} ON t${i + 1}.id = t${i}.id`).join(' ')}`;

describe('hostile analytics requests against a real server', () => {
  it('observation 1: state-changing and disclosing table functions are refused; the projection stays up', async () => {
    for (const sql of [
      "SELECT * FROM enable_logging(storage='file', storage_path='/tmp/x')",
      "SELECT * FROM enable_logging(storage='memory')",
      "SELECT * FROM enable_logging(storage='stdout')",
      'SELECT * FROM disable_logging()',
      'SELECT * FROM enable_peg_parser()',
      'SELECT * FROM enable_profiling()',
      'SELECT * FROM checkpoint()',
      'SELECT * FROM duckdb_settings()',
      "SELECT current_setting('temp_directory')",
      'SELECT * FROM duckdb_databases()',
    ]) {
      await expectRefused({ sql }, 422, 'sql_refused');
    }
    // The query that used to abort the process (exit 134) now just runs.
    const after = await boundedOrFailed(
      "SELECT count(*) FROM events WHERE aggregate_type = 'Todo'",
    );
    expect(after.result?.rows).toEqual([[30]]);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    // Nothing DuckDB prints reaches our JSON log.
    for (const line of server.logs.join('').split('\n').filter(Boolean)) {
      expect(() => JSON.parse(line), line).not.toThrow();
    }
  });

  it('refuses 30+ other hostile requests with the right 4xx, storing nothing', async () => {
    const refusals: Array<[unknown, number, string, string?]> = [
      [{ sql: "SELECT * FROM read_csv('/etc/passwd')" }, 422, 'sql_refused'],
      [{ sql: "SELECT * FROM read_text('/etc/hostname')" }, 422, 'sql_refused'],
      [{ sql: "SELECT * FROM read_blob('/etc/hostname')" }, 422, 'sql_refused'],
      [{ sql: "SELECT * FROM glob('/*')" }, 422, 'sql_refused'],
      [{ sql: "SELECT * FROM 'https://example.com/x.csv'" }, 422, 'sql_refused'],
      [{ sql: "SELECT * FROM '/etc/passwd'" }, 422, 'sql_refused'],
      [{ sql: "SELECT getenv('HOME')" }, 422, 'sql_refused'],
      [{ sql: "SELECT getvariable('x')" }, 422, 'sql_refused'],
      [{ sql: 'SELECT sleep_ms(600000)' }, 422, 'sql_refused'],
      [{ sql: "SELECT write_log('pwned')" }, 422, 'sql_refused'],
      [{ sql: 'SELECT current_query(), version()' }, 422, 'sql_refused'],
      [
        { sql: "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))" },
        422,
        'sql_refused',
      ],
      [{ sql: "SELECT * FROM query('SELECT 1')" }, 422, 'sql_refused'],
      [{ sql: 'SELECT * FROM pragma_version()' }, 422, 'sql_refused'],
      [{ sql: 'SELECT * FROM information_schema.tables' }, 422, 'sql_refused'],
      [{ sql: 'SELECT * FROM duckdb_tables' }, 422, 'sql_refused'],
      [{ sql: 'WITH duckdb_tables AS (SELECT 1) SELECT * FROM duckdb_tables' }, 422, 'sql_refused'],
      [{ sql: 'PRAGMA database_list' }, 422, 'sql_refused'],
      [{ sql: "SET memory_limit = '10GB'" }, 422, 'sql_refused'],
      [{ sql: 'SET VARIABLE x = 1' }, 422, 'sql_refused'],
      [{ sql: 'RESET ALL' }, 422, 'sql_refused'],
      [{ sql: "ATTACH ':memory:' AS other" }, 422, 'sql_refused'],
      [{ sql: "COPY events TO '/tmp/ironstar-leak.csv'" }, 422, 'sql_refused'],
      [{ sql: "EXPORT DATABASE '/tmp/ironstar-leak'" }, 422, 'sql_refused'],
      [{ sql: 'CALL enable_logging()' }, 422, 'sql_refused'],
      [{ sql: 'INSTALL httpfs' }, 422, 'sql_refused'],
      [{ sql: 'LOAD httpfs' }, 422, 'sql_refused'],
      [{ sql: 'CHECKPOINT' }, 422, 'sql_refused'],
      [{ sql: 'DROP TABLE events' }, 422, 'sql_refused'],
      [{ sql: "INSERT INTO events (id) VALUES ('x')" }, 422, 'sql_refused'],
      [{ sql: 'CREATE MACRO m(x) AS x' }, 422, 'sql_refused'],
      [{ sql: 'SELECT 1; DELETE FROM events' }, 422, 'sql_refused'],
      [{ sql: 'EXPLAIN ANALYZE SELECT * FROM events' }, 422, 'sql_refused'],
      [{ sql: 'SUMMARIZE events' }, 422, 'sql_refused'],
      [{ sql: 'PIVOT events ON event_type USING count(*)' }, 422, 'sql_refused'],
      [{ sql: 'SELECT $1' }, 422, 'sql_refused'],
      [{ sql: `SELECT 1${'+1'.repeat(2000)}` }, 422, 'sql_refused'],
      [{ sql: `SELECT ${'x'.repeat(10_001)}` }, 400, 'validation'],
      [{ sql: 'x'.repeat(17_000) }, 413, 'payload_too_large'],
      ['{"sql": "SELECT \'\\ud800\'"}', 400, 'validation'],
      [{ sql: 'SELECT 1\u0000; DROP TABLE events' }, 400, 'validation'],
      [{ sql: 42 }, 400, 'validation'],
      [{ sql: ['SELECT 1'] }, 400, 'validation'],
      [{ saved: '../../etc/passwd' }, 400, 'validation'],
      ['{"sql": "SELECT 1"', 400, 'malformed'],
      ['["SELECT 1"]', 400, 'malformed'],
      ['', 400, 'malformed'],
      ['{"sql": "SELECT 1"}', 415, 'unsupported_media_type', 'text/plain'],
      ['sql=SELECT+1', 415, 'unsupported_media_type', 'application/x-www-form-urlencoded'],
    ];
    for (const [body, status, code, contentType] of refusals) {
      await expectRefused(body, status, code, contentType ? { contentType } : {});
    }
  });

  it('ends expensive queries in a failed session or a bounded result', async () => {
    const heavy = [
      'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r',
      'SELECT count(*) FROM events a, events b, events c, events d, events e, events f',
      "SELECT repeat('x', 100000000) AS huge",
      'SELECT range(200000000) AS list',
      "SELECT regexp_matches(repeat('a', 100000), '(a*)*b')",
      `SELECT count(*) FROM events WHERE global_sequence IN (${Array.from({ length: 1500 }, (_, i) => i).join(',')})`,
      "SELECT string_agg(repeat(a.id, 1000), ',') FROM events a, events b",
      'SELECT unnest(range(5000000)) AS n',
      `SELECT ${'('.repeat(3000)}1${')'.repeat(3000)} AS deep`,
    ];
    // Four at a time: the total cap.
    for (let i = 0; i < heavy.length; i += 4) {
      await Promise.all(heavy.slice(i, i + 4).map((sql, j) => boundedOrFailed(sql, client(j))));
    }
    // ~34 s on a quiet machine, longer when the engines killed by these queries take time to be
    // rebuilt (each 503 is waited out as Retry-After says): once over 60 s in a flake hunt.
  }, 180_000);

  it('observation 2: work while planning is stopped by the same clock and never blocks the server', async () => {
    let fed = 0;
    const closeFeed = openRawFeed(`${url}/feed`, { 'accept-encoding': 'gzip' }, (n) => {
      fed += n;
    });
    const attacks = [
      ...clients(4).map((from) => ({ from, sql: "SELECT length(repeat('x', 3000000000))" })),
      ...clients(4).map((from, i) => ({
        from,
        sql: `${joins(170)} WHERE t0.global_sequence > ${i}`,
      })),
    ];
    const answers = Promise.all(
      attacks.map((a) => postQuery(url, { sql: a.sql }, { from: a.from })),
    );
    // A compressed feed keeps delivering while the engine plans: its frame for a new todo arrives.
    await vi.waitFor(() => expect(fed).toBeGreaterThan(0), { timeout: 5000 });
    const before = fed;
    expect((await sendCommand(url, { type: 'create', text: 'during the attack' })).status).toBe(
      202,
    );
    await vi.waitFor(() => expect(fed).toBeGreaterThan(before), { timeout: 5000 });
    for (const res of await answers) {
      // Refused at the time limit (planning never got far enough to store anything), over the
      // per-client cap, or unavailable while the engine killed for another one restarts.
      expect([422, 429, 503], res.text).toContain(res.status);
    }
    closeFeed();
    await engineUp();
  });

  it('observation 3: results are bounded in bytes and pages stay small', async () => {
    const wide = await boundedOrFailed(
      "SELECT repeat('x', 100000) AS c FROM (SELECT unnest(range(100)))",
    );
    expect(wide.result?.truncatedBy).toBe('bytes');
    expect(wide.result?.rows.length).toBe(41);
    // The 1000 x 560 KB result: truncated, or its engine killed for memory; either way bounded.
    const cells = await boundedOrFailed(
      "SELECT repeat('y', 560000) AS c FROM (SELECT unnest(range(1000)))",
    );
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        clients(4).map((from, i) =>
          boundedOrFailed(
            `SELECT repeat('z${round}${i}', 50000) FROM (SELECT unnest(range(120)))`,
            from,
          ),
        ),
      );
    }
    // The pages that answered 500 for everyone: small and fine.
    for (const session of [wide, cells].filter((s) => s.id)) {
      const page = await rawRequest(`${url}/analytics?session=${session.id}`);
      expect(page.status).toBe(200);
      expect(page.text.length).toBeLessThan(512 * 1024);
      const api = await rawRequest(`${url}/api/analytics/sessions/${session.id}`);
      expect(api.status).toBe(200);
      expect(api.text.length).toBeLessThan(MAX_RESULT_BYTES + 64 * 1024);
    }
  });

  it('observation 4: the caps hold exactly under a race, per client too', async () => {
    await engineUp();
    const slow =
      'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';
    const race = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        postQuery(url, { sql: `${slow} -- ${i}` }, { from: client(i % 6) }),
      ),
    );
    expect(race.filter((r) => r.status === 202)).toHaveLength(4);
    const busy = race.filter((r) => r.status === 429);
    expect(busy).toHaveLength(8);
    for (const r of busy) expect(r.headers['retry-after']).toBe('1');
    await Promise.all(race.filter((r) => r.status === 202).map((r) => ended(String(r.json.id))));

    const mine = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        postQuery(url, { sql: `${slow} -- mine ${i}` }, { from: '127.0.0.9' }),
      ),
    );
    expect(mine.filter((r) => r.status === 202)).toHaveLength(2);
    expect(mine.filter((r) => r.status === 429).map((r) => r.json.error?.message)).toEqual([
      'you already run 2 queries; wait for one to finish',
      'you already run 2 queries; wait for one to finish',
    ]);
    await Promise.all(mine.filter((r) => r.status === 202).map((r) => ended(String(r.json.id))));
  });

  it('observation 5: DuckDB spills only into its private folder, up to ANALYTICS_TEMP_MAX', async () => {
    // Its own server, with a time limit long enough to reach the cap on a busy machine.
    const dir = mkdtempSync(join(tmpdir(), 'ironstar-spill-'));
    const spiller = await spawnServer({
      DATABASE_URL: `file:${join(dir, 'events.db')}`,
      PORT: String(await freePort()),
      TMPDIR: dir,
      ANALYTICS_QUERY_TIMEOUT_MS: '60000',
      ANALYTICS_MEMORY: String(MEMORY),
      ANALYTICS_TEMP_MAX: String(TEMP_MAX),
    });
    try {
      for (let i = 0; i < 30; i++)
        await sendCommand(spiller.url, { type: 'create', text: `t${i}` });
      const spill = sampleMax(
        () =>
          readdirSync(dir)
            .filter((f) => f.startsWith('ironstar-duckdb-'))
            .reduce((sum, f) => sum + folderBytes(join(dir, f)), 0),
        20,
      );
      // 27,000 rows of 7 KB sorted in 128 MB of memory: it must spill, and past 32 MB.
      const res = await postQuery(spiller.url, {
        sql: `WITH t AS (SELECT id FROM events ORDER BY global_sequence LIMIT 30)
              SELECT s FROM (SELECT repeat(a.id || b.id, 100) || c.id AS s FROM t a, t b, t c)
              ORDER BY s OFFSET 20000`,
      });
      expect(res.status, res.text).toBe(202);
      const session = await vi.waitFor(
        async () => {
          const body = (await (
            await fetch(`${spiller.url}/api/analytics/sessions/${res.json.id}`)
          ).json()) as Session;
          expect(body.session.status).not.toBe('executing');
          return body.session;
        },
        { timeout: 60_000, interval: 100 },
      );
      spill.stop();
      expect(session).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/Out of Memory Error: failed to offload/),
      });
      expect(spill.peak()).toBeGreaterThan(0);
      expect(spill.peak()).toBeLessThanOrEqual(TEMP_SAMPLED_MAX);
      expect(existsSync(join(ROOT, '.tmp'))).toBe(false);
    } finally {
      await spiller.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('never stalled /healthz, and kept memory and temp space under their bounds throughout', async () => {
    const probes = await probe.stop();
    rss.stop();
    const latencies = probes.map(([, ms]) => ms);
    expect(latencies.length).toBeGreaterThan(100);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `healthz: ${latencies.length} probes, p50 ${sorted[sorted.length >> 1]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms;`,
      `peak RSS server + engine ${(rss.peak() / 2 ** 20).toFixed(0)} MB; peak temp ${(temp.peak() / 2 ** 20).toFixed(1)} MB; load ${loadavg().map((l) => l.toFixed(1))}`,
    );
    const slow = probes.filter(([, ms]) => ms > 100);
    if (slow.length) console.log('slow healthz', JSON.stringify(slow), JSON.stringify(marks));
    expect(Math.max(...latencies)).toBeLessThan(HEALTHZ_STALL_MS);
    expect(rss.peak()).toBeLessThan(RSS_BOUND);
    expect(temp.peak()).toBeLessThanOrEqual(TEMP_SAMPLED_MAX);
  });

  it('ends on SIGTERM within 10 s while the engine plans four self-joins', async () => {
    await engineUp();
    const children = childrenOf(server.child.pid ?? 0);
    const engine = enginePid(server.child.pid ?? 0) ?? 0;
    expect(children).toContain(engine);
    const idle = cpuTicks(engine);
    const attacks = clients(4).map((from, i) =>
      postQuery(url, { sql: `${joins(170)} WHERE t0.global_sequence > ${i + 10}` }, { from }).catch(
        () => undefined, // the connection closed as the server stopped: nothing was answered
      ),
    );
    // The signal that the engine is busy planning: it burns CPU (0.3 s of it).
    await vi.waitFor(() => expect(cpuTicks(engine) - idle).toBeGreaterThan(30), {
      timeout: 10_000,
    });
    const exited = await Promise.race([
      server.kill('SIGTERM'),
      new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000)),
    ]);
    expect(exited).toBe(0);
    for (const res of await Promise.all(attacks)) {
      if (res) expect([422, 503], res.text).toContain(res.status);
    }
    // The engine went with it, and so did its private folder.
    expect(children.filter(isRunning)).toEqual([]);
    expect(readdirSync(tmp).filter((f) => f.startsWith('ironstar-duckdb-'))).toEqual([]);
  });
});
