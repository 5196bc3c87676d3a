export { COMMAND_BODY_LIMIT } from './api/todo-commands';
export { type App, type AppDeps, createApp, type RequestLog } from './app';
export {
  action,
  DATASTAR_SCRIPT_PATH,
  DATASTAR_VERSION,
  mergeFragments,
  mergeSignals,
} from './datastar/datastar-wire';
export { createMetrics, type Metrics } from './metrics';
export { encodeSseComment, encodeSseMessage, type SseMessage } from './sse/sse-frame';
export { createSseHub, type SseConnection, type SseHub, type SseHubOptions } from './sse/sse-hub';
