// `pnpm start` (and `pnpm bus-proxy`): runs the compiled server in this very process, so the
// SIGTERM pnpm forwards reaches the server's own handler. The build is checked first: when a
// source file changed since the last build (or there is none yet, as after a fresh clone),
// it is rebuilt, so a start never runs stale code.
//
//   node scripts/start.mjs [main|bus-proxy]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ensureBuilt } from './build.mjs';

const ENTRIES = new Set(['main', 'bus-proxy']);
const entry = process.argv[2] ?? 'main';
if (!ENTRIES.has(entry)) {
  process.stderr.write(`usage: node scripts/start.mjs [${[...ENTRIES].join('|')}]\n`);
  process.exit(2);
}
const built = await ensureBuilt();
if (built) {
  process.stderr.write(
    `ironstar: built apps/server/dist from ${built.inputs} files in ${built.ms} ms\n`,
  );
}
await import(pathToFileURL(join(DIST, `${entry}.js`)).href);
