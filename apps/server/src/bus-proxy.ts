import { startZeroMqBusProxy } from '@ironstar/infrastructure';
import pino from 'pino';

/**
 * `pnpm bus-proxy`: the ZeroMQ forwarder several server processes share. Servers started with
 * the same BUS_PROXY_PUBLISH and BUS_PROXY_SUBSCRIBE connect to it.
 */
const logger = pino({ level: process.env.LOG_LEVEL || 'info' });
const publishEndpoint = process.env.BUS_PROXY_PUBLISH || 'tcp://127.0.0.1:5601';
const subscribeEndpoint = process.env.BUS_PROXY_SUBSCRIBE || 'tcp://127.0.0.1:5602';

try {
  const proxy = await startZeroMqBusProxy({ publishEndpoint, subscribeEndpoint });
  logger.info(
    { publish: proxy.publishEndpoint, subscribe: proxy.subscribeEndpoint },
    'ironstar bus proxy listening',
  );
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  logger.fatal({ err: error }, 'bus proxy failed to start');
  process.exitCode = 1;
}
