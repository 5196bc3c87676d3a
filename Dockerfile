# syntax=docker/dockerfile:1
# The ironstar server as an image: the compiled build (scripts/build.mjs) plus the production
# dependencies of @ironstar/server, as `pnpm deploy --prod` lays them out. glibc (Debian), as
# @libsql/client and libsql, zeromq and @duckdb/node-api load native binaries built for it.
#   docker build -t ironstar .
#   docker run -p 3000:3000 -v ironstar-data:/data -e PUBLIC_URL=http://localhost:3000 ironstar
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
ENV CI=true TURBO_TELEMETRY_DISABLED=1
# The version package.json's packageManager names.
RUN npm install -g pnpm@10.34.9
WORKDIR /src
# Dependencies first, into pnpm's store: this layer is reused until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm build
# --legacy: pnpm 10 deploys a workspace without injected packages only so; the workspace
# packages are inside the bundle anyway, so the deployed node_modules holds only what
# @ironstar/server lists as dependencies.
RUN pnpm --filter @ironstar/server deploy --prod --legacy /app

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=file:/data/ironstar.db \
    LOG_FORMAT=json
WORKDIR /app
# Owned by root, read-only to the server: it writes only to /data and (DuckDB spills) /tmp.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# Probes 127.0.0.1, which the host check always allows; exits 1 unless /healthz says 200.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and gets the SIGTERM of `docker stop` itself: it drains and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
