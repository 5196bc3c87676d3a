import pino from 'pino';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './server';

const config = loadConfig();
const logger = pino({
  level: config.logLevel,
  ...(config.logPretty
    ? { transport: { target: 'pino-pretty', options: { colorize: true } } }
    : {}),
});

let server: RunningServer | undefined;
let stopping: string | undefined;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = signal;
  // A signal while starting is honoured once the server is up (or has failed to start).
  if (!server) return;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown took over 10 s; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
// Installed before starting: a SIGTERM during start (docker stop, pnpm start stopped early)
// must not kill the process half-way, nor be ignored (node as a container's PID 1 would).
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
logger.info({ node: process.version }, 'ironstar starting');

try {
  server = await startServer(config, logger);
  if (stopping) {
    const signal = stopping;
    stopping = undefined;
    stop(signal);
  }
} catch (error) {
  logger.fatal({ err: error }, 'ironstar failed to start');
  process.exitCode = 1;
}
