import pino from 'pino';
import { loadConfig } from './config';
import { startServer } from './server';

const config = loadConfig();
const logger = pino({
  level: config.logLevel,
  ...(config.logPretty
    ? { transport: { target: 'pino-pretty', options: { colorize: true } } }
    : {}),
});

try {
  const server = await startServer(config, logger);
  const stop = (signal: string) => {
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
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  logger.fatal({ err: error }, 'ironstar failed to start');
  process.exitCode = 1;
}
