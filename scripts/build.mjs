// The production build: apps/server/src/main.ts, bus-proxy.ts and the DuckDB engine process,
// bundled by esbuild into apps/server/dist as ES modules that plain `node` runs (no tsx).
// The workspace packages are bundled from their TypeScript sources (so they keep exporting
// src/index.ts for vitest and tsx), and so are the pure-JavaScript packages (hono, drizzle,
// prom-client...: one file to load instead of hundreds, measured ~27% less CPU to start). The
// packages in RUNTIME stay external and must be dependencies of @ironstar/server, where
// `node` and `pnpm deploy --prod` find them.
//
//   node scripts/build.mjs            build
//   node scripts/build.mjs --if-stale build only when an input changed since the last build
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = join(ROOT, 'apps/server');
export const DIST = join(SERVER, 'dist');
/** What the last build read, with sizes and mtimes: `--if-stale` compares against it. */
const STAMP = join(DIST, 'build-inputs.json');
const MIGRATIONS = join(ROOT, 'packages/infrastructure/drizzle');
const PG_MIGRATIONS = join(ROOT, 'packages/infrastructure/drizzle-pg');
/** Held (with the holder's pid) while one process checks and builds dist. */
const LOCK = join(SERVER, '.build.lock');

const ENTRIES = {
  main: 'apps/server/src/main.ts',
  'bus-proxy': 'apps/server/src/bus-proxy.ts',
  // duckdb-engine-client.ts forks './duckdb-engine-process.js' next to itself: in the bundle
  // that is next to main.js, so the entry keeps its name at the top of dist.
  'duckdb-engine-process': 'packages/infrastructure/src/duckdb/duckdb-engine-process.ts',
};

/** Files that change the output without being imported: this script, configs, manifests. */
const CONFIG_INPUTS = [
  'scripts/build.mjs',
  'tsconfig.base.json',
  'apps/server/tsconfig.json',
  'packages/domain/tsconfig.json',
  'packages/application/tsconfig.json',
  'packages/infrastructure/tsconfig.json',
  'packages/web/tsconfig.json',
  'apps/server/package.json',
  'packages/domain/package.json',
  'packages/application/package.json',
  'packages/infrastructure/package.json',
  'packages/web/package.json',
  'pnpm-lock.yaml',
  // Rewritten by every `pnpm install`: stands for the bundled files under node_modules.
  'node_modules/.modules.yaml',
];

/**
 * Loaded from node_modules at run time: native binaries (libsql, zeromq, DuckDB), or files
 * loaded by path (pino's transports run pino-pretty in a worker thread).
 */
const RUNTIME = new Set([
  '@libsql/client',
  'libsql',
  'zeromq',
  '@duckdb/node-api',
  'pino',
  'pino-pretty',
]);

const BUILTINS = new Set(builtinModules);
const packageName = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/', 2).join('/') : specifier.split('/', 1)[0];

/**
 * Externalizes node's modules and the RUNTIME packages, bundling the rest; refuses a RUNTIME
 * package the compiled server could not resolve (not a dependency of @ironstar/server).
 */
const externals = (dependencies) => ({
  name: 'ironstar-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || BUILTINS.has(args.path)) {
        return { path: args.path, external: true };
      }
      const name = packageName(args.path);
      if (!RUNTIME.has(name)) return undefined;
      if (!dependencies.has(name)) {
        return {
          errors: [
            {
              text: `${name} (imported by ${relative(ROOT, args.importer)}) is not a dependency of @ironstar/server: the compiled server could not load it`,
            },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
});

/** Size and mtime of each file; one saved while the build ran cannot be trusted as built. */
const fingerprint = (files, since = Number.POSITIVE_INFINITY) =>
  Object.fromEntries(
    files.map((file) => {
      try {
        const { size, mtimeMs } = statSync(join(ROOT, file));
        return [file, mtimeMs >= since ? 'edited during the build' : `${size}:${mtimeMs}`];
      } catch {
        return [file, 'missing'];
      }
    }),
  );

/** True when dist was built from exactly the files on disk now. */
export const isFresh = () => {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return false;
  }
  const now = fingerprint(Object.keys(stamp.inputs));
  return Object.entries(stamp.inputs).every(([file, print]) => now[file] === print);
};

export const build = async () => {
  const started = performance.now();
  const startedAt = Date.now();
  // Loaded only when building: a start with a fresh build never pays for esbuild.
  const { build: esbuild } = await import('esbuild');
  const manifest = JSON.parse(readFileSync(join(SERVER, 'package.json'), 'utf8'));
  const dependencies = new Set(Object.keys(manifest.dependencies ?? {}));
  rmSync(DIST, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: DIST,
    bundle: true,
    splitting: true, // main and the engine process share modules (the engine protocol)
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true, // stack traces point into the TypeScript sources
    // Chunks beside the entries: bundled code finds files relative to its own module URL.
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
    plugins: [externals(dependencies)],
    // Bundled CommonJS packages require() node's modules; ES modules have no require of their own.
    banner: {
      js: "import { createRequire as __ironstarRequire } from 'node:module'; const require = __ironstarRequire(import.meta.url);",
    },
  });
  // libsql-database.ts finds its migrations at ./drizzle next to the compiled code.
  copyTree(MIGRATIONS, join(DIST, 'drizzle'));
  // postgres-database.ts finds its migrations at ./drizzle-pg.
  copyTree(PG_MIGRATIONS, join(DIST, 'drizzle-pg'));
  const inputs = [
    // Packages change only through `pnpm install` (see CONFIG_INPUTS): fewer files to stat.
    ...Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/')),
    ...CONFIG_INPUTS,
    ...listFiles(MIGRATIONS).map((file) => relative(ROOT, file)),
    ...listFiles(PG_MIGRATIONS).map((file) => relative(ROOT, file)),
  ];
  // Written last: a build cut short leaves no stamp, so the next start builds again.
  writeFileSync(STAMP, `${JSON.stringify({ inputs: fingerprint(inputs, startedAt) }, null, 1)}\n`);
  return { ms: Math.round(performance.now() - started), inputs: inputs.length };
};

const holderAlive = () => {
  try {
    process.kill(Number(readFileSync(LOCK, 'utf8')), 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

/**
 * Builds when stale (or always, with `force`), one process at a time: two `pnpm start`s at
 * once (README's several processes) must not both rewrite dist while the other loads it.
 * Resolves with the build's figures, or undefined when dist was up to date.
 */
export const ensureBuilt = async ({ force = false } = {}) => {
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A holder killed mid-build (Ctrl-C) leaves its lock behind.
      if (!holderAlive()) rmSync(LOCK, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return !force && isFresh() ? undefined : await build();
  } finally {
    rmSync(LOCK, { force: true });
  }
};

const listFiles = (dir) => {
  const files = [];
  for (const entry of readdirSyncSafe(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path));
    else files.push(path);
  }
  return files.sort();
};

const readdirSyncSafe = (dir) => {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
};

const copyTree = (from, to) => {
  for (const file of listFiles(from)) {
    const target = join(to, relative(from, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const built = await ensureBuilt({ force: !process.argv.includes('--if-stale') });
  if (built) {
    process.stderr.write(
      `ironstar: built apps/server/dist from ${built.inputs} files in ${built.ms} ms\n`,
    );
  }
}
