import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { freePort, sendCommand, useServers } from './testing/spawn-server';

const servers = useServers();

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });

/** A small tmpfs of our own: the only honest way to make a real read-only or full disk. */
const mountTmpfs = (sizeKb: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'ironstar-fs-'));
  sh('mount', '-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir);
  servers.defer(() => {
    sh('umount', '-l', dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
};

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

const canMount = (() => {
  try {
    const dir = mkdtempSync(join(tmpdir(), 'ironstar-probe-'));
    sh('mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir);
    sh('umount', dir);
    rmSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
})();

const post = (url: string, text: string) => sendCommand(url, { type: 'create', text });

const count = async (url: string) =>
  ((await (await fetch(`${url}/api/events?limit=1000`)).json()) as { events: unknown[] }).events
    .length;

const start = async (env: Record<string, string>, as: { uid?: number; gid?: number } = {}) =>
  servers.start({ PORT: String(await freePort()), ...env }, as);

describe('when the database cannot be written', () => {
  it('answers 503 while another process holds the lock past the busy timeout, then recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ironstar-lock-'));
    servers.defer(() => rmSync(dir, { recursive: true, force: true }));
    const url = `file:${join(dir, 'locked.db')}`;
    const server = await start({ DATABASE_URL: url, SQLITE_BUSY_TIMEOUT_MS: '200' });
    expect((await post(server.url, 'before')).status).toBe(202);
    const other = createClient({ url });
    servers.defer(() => other.close());
    const lock = await other.transaction('write');
    const blocked = await post(server.url, 'while locked');
    expect(blocked.status).toBe(503);
    expect(blocked.body.error?.code).toBe('unavailable');
    await lock.rollback();
    expect((await post(server.url, 'after')).status).toBe(202);
    expect(await count(server.url)).toBe(2);
  });

  // Root ignores file permissions, so this runs the server as `nobody`.
  it.skipIf(!asRoot)(
    'answers 503 when the database file is read-only, and recovers when it is writable',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ironstar-ro-'));
      servers.defer(() => rmSync(dir, { recursive: true, force: true }));
      chownSync(dir, NOBODY, NOBODY);
      const db = join(dir, 'ro.db');
      const env = { DATABASE_URL: `file:${db}`, HOME: dir, TMPDIR: dir };
      const first = await start(env, { uid: NOBODY, gid: NOBODY });
      expect((await post(first.url, 'before')).status).toBe(202);
      await first.kill('SIGTERM');
      chmodSync(db, 0o444);
      const server = await start(env, { uid: NOBODY, gid: NOBODY });
      const refused = await post(server.url, 'read-only');
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe('unavailable');
      chmodSync(db, 0o644);
      await expect.poll(async () => (await post(server.url, 'writable again')).status).toBe(202);
      const texts = (
        (await (await fetch(`${server.url}/api/todos`)).json()) as {
          todos: Array<{ text: string }>;
        }
      ).todos.map((t) => t.text);
      expect(texts[0]).toBe('before');
      expect(texts).not.toContain('read-only');
    },
  );

  // SQLite's own page cap raises the same SQLITE_FULL a full disk does, with no privileges, so
  // this runs everywhere (the tmpfs variant below needs mount).
  it('answers 503 when the database is full, storing nothing partial, and recovers with room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ironstar-full-'));
    servers.defer(() => rmSync(dir, { recursive: true, force: true }));
    const url = `file:${join(dir, 'full.db')}`;
    const first = await start({ DATABASE_URL: url });
    expect((await post(first.url, 'before')).status).toBe(202);
    await first.kill('SIGTERM');
    const reader = createClient({ url });
    const pages = Number((await reader.execute('PRAGMA page_count')).rows[0]?.[0]);
    reader.close();
    expect(pages).toBeGreaterThan(0);

    const capped = await start({ DATABASE_URL: url, SQLITE_MAX_PAGE_COUNT: String(pages + 8) });
    const big = 'x'.repeat(400);
    const create = (i: number) =>
      sendCommand(
        capped.url,
        { type: 'create', text: `${big} ${i}` },
        { 'idempotency-key': `fill-${i}` },
      );
    let refused: Awaited<ReturnType<typeof create>> | undefined;
    let last = 0;
    for (; last < 500 && !refused; last++) {
      const answer = await create(last);
      if (answer.status !== 202) refused = answer;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body.error?.code).toBe('unavailable');
    const refusedKey = `fill-${last - 1}`;
    const stored = await count(capped.url);
    expect(stored).toBe(last); // "before" and every one answered 202, not the refused one
    await capped.kill('SIGTERM');

    // With room again, the refused command is new: neither its event nor its command record
    // was kept (a kept record would make this a replay).
    const roomy = await start({ DATABASE_URL: url, SQLITE_MAX_PAGE_COUNT: String(pages + 1000) });
    const retried = await sendCommand(
      roomy.url,
      { type: 'create', text: `${big} ${last - 1}` },
      { 'idempotency-key': refusedKey },
    );
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await count(roomy.url)).toBe(stored + 1);
  });

  it.skipIf(!canMount)(
    'answers 503 when the disk is full, storing nothing partial, and recovers',
    async () => {
      const dir = mountTmpfs(2048);
      const server = await start({ DATABASE_URL: `file:${join(dir, 'full.db')}` });
      expect((await post(server.url, 'before')).status).toBe(202);
      // Fill the file system to the last byte.
      try {
        sh('dd', 'if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k');
      } catch {
        // dd stops with "No space left on device": that is the point
      }
      const big = 'x'.repeat(400);
      let status = 202;
      for (let i = 0; i < 200 && status === 202; i++)
        status = (await post(server.url, `${big} ${i}`)).status;
      expect(status).toBe(503);
      const stored = await count(server.url);
      rmSync(join(dir, 'filler'));
      writeFileSync(join(dir, 'marker'), 'space again');
      await expect.poll(async () => (await post(server.url, 'after')).status).toBe(202);
      // Every stored event is whole: the count grew by exactly the one accepted after recovery.
      expect(await count(server.url)).toBe(stored + 1);
    },
  );
});
