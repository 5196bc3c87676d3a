import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSandbox, type Sandbox } from './duckdb-sandbox';

const MB = 2 ** 20;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sandbox = async (memoryMb = 256, tempMb = 64): Promise<Sandbox & { temp: string }> => {
  const dir = await mkdtemp(join(tmpdir(), 'ironstar-sandbox-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const opened = await openSandbox({
    tempDirectory: dir,
    memoryLimitBytes: memoryMb * MB,
    tempMaxBytes: tempMb * MB,
    threads: 1,
  });
  cleanups.push(() => opened.instance.closeSync());
  return { ...opened, temp: dir };
};

// DuckDB caps the temp folder by the bytes it has written; we sample the blocks the file
// system allocated, which can run ahead by part of an extent (measured once: 64 KiB over a
// 16 MiB cap). One DuckDB block (256 KiB) of slack, far below what an uncapped spill reaches.
const ALLOCATION_SLACK = 256 * 1024;

/** Disk the folder's files take now (allocated blocks, not apparent size). */
const folderBytes = async (dir: string) => {
  let bytes = 0;
  for (const file of await readdir(dir)) {
    const info = await stat(join(dir, file)).catch(() => undefined);
    bytes += (info?.blocks ?? 0) * 512;
  }
  return bytes;
};

const failure = async (run: () => Promise<unknown>) => {
  try {
    await run();
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
  return 'it ran';
};

describe('the DuckDB sandbox configuration', () => {
  it('is set as configured, and locked on every connection, the engine’s own included', async () => {
    const db = await sandbox(256, 64);
    const settings = await db.writer.runAndReadAll(
      `SELECT name, value FROM duckdb_settings() WHERE name IN ('memory_limit',
        'max_temp_directory_size', 'temp_directory', 'threads', 'enable_external_access',
        'autoload_known_extensions', 'autoinstall_known_extensions', 'allow_community_extensions',
        'lock_configuration') ORDER BY name`,
    );
    expect(Object.fromEntries(settings.getRowsJson())).toEqual({
      allow_community_extensions: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      enable_external_access: 'false',
      lock_configuration: 'true',
      max_temp_directory_size: '64.0 MiB',
      memory_limit: '256.0 MiB',
      temp_directory: db.temp,
      threads: '1',
    });
    const other = await db.instance.connect();
    for (const connection of [db.writer, other]) {
      for (const sql of [
        "SET memory_limit = '10GB'",
        "SET GLOBAL memory_limit = '10GB'",
        'RESET memory_limit',
        "PRAGMA memory_limit = '10GB'",
        'SET threads = 64',
        "SET max_temp_directory_size = '1TB'",
        "SET temp_directory = '/tmp'",
        'SET enable_external_access = true',
        'SET allow_community_extensions = true',
        'SET autoload_known_extensions = true',
        'SET enable_logging = true',
        "SET enable_profiling = 'json'",
        'SET lock_configuration = false',
      ]) {
        expect(await failure(() => connection.run(sql)), sql).toMatch(
          /the configuration has been locked/,
        );
      }
    }
    const still = await other.runAndReadAll("SELECT current_setting('memory_limit')");
    expect(still.getRowsJson()).toEqual([['256.0 MiB']]);
  });

  it('reaches no file, network or extension even outside the allow-list', async () => {
    const db = await sandbox();
    const connection = await db.instance.connect();
    expect(await failure(() => connection.run("SELECT * FROM read_text('/etc/hostname')"))).toMatch(
      /disabled by configuration/,
    );
    expect(
      await failure(() => connection.run("COPY (SELECT 1) TO '/tmp/ironstar-leak.csv'")),
    ).toMatch(/disabled by configuration/);
    expect(await failure(() => connection.run("ATTACH '/tmp/ironstar-other.db'"))).toMatch(
      /disabled by configuration/,
    );
    expect(await failure(() => connection.run('LOAD httpfs'))).toMatch(/disabled/);
    expect(await failure(() => connection.run('INSTALL httpfs'))).toMatch(/disabled/);
  });

  it('spills into its private folder only up to the cap, then fails the query, not the process', async () => {
    const db = await sandbox(32, 16);
    const connection = await db.instance.connect();
    let peak = 0;
    const watch = setInterval(() => {
      void folderBytes(db.temp).then((bytes) => {
        peak = Math.max(peak, bytes);
      });
    }, 10);
    cleanups.push(() => clearInterval(watch));
    // Sorting ~190 MB of text in 32 MB of memory needs ~230 MB of temp space: over the cap.
    const big = await failure(() =>
      connection.run(
        `SELECT s FROM (SELECT md5(range::VARCHAR) || md5(range::VARCHAR) AS s FROM range(3000000))
         ORDER BY s OFFSET 2999999`,
      ),
    );
    expect(big).toMatch(/Out of Memory Error: failed to offload/);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(16 * MB + ALLOCATION_SLACK);
    const after = await connection.runAndReadAll('SELECT 42');
    expect(after.getRowsJson()).toEqual([[42]]);
  });
});
