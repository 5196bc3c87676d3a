export { COMMAND_BODY_LIMIT } from './api/todo-commands';
export { type App, type AppDeps, createApp, type RequestLog } from './app';
export { MAX_BODY_BYTES } from './boundary/boundary-guard';
export {
  createHostPolicy,
  type HostPolicy,
  LOOPBACK_HOSTS,
  normalizeAllowedHost,
} from './boundary/host-policy';
export { refuseMisdirected } from './boundary/node-host-guard';
export { SECURITY_HEADERS } from './boundary/security-headers';
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
