export { COMMAND_BODY_LIMIT } from './api/todo-commands';
export { type App, type AppDeps, createApp, type RequestLog } from './app';
export {
  type AnalyticsDeps,
  countQueryEvents,
  QUERY_BODY_LIMIT,
} from './dashboard/analytics/analytics-routes';
export {
  createMetricsSampler,
  type MetricsSampler,
  type MetricsSamplerOptions,
} from './dashboard/system/metrics-sampler';
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
