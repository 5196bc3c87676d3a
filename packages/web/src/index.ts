export { parseCommandId } from './api/command-headers';
export { COMMAND_BODY_LIMIT } from './api/command-routes';
export { nonNegativeInt } from './api/query-params';
export { ADMIN_PATHS, type App, type AppDeps, createApp, type RequestLog } from './app';
export type { AppEnv } from './app-env';
export { type Auth, type AuthSettings, createAuth } from './auth/auth';
export { type CsrfPolicy, csrfRefusal } from './auth/csrf';
export {
  ANONYMOUS,
  API_TOKEN,
  hashToken,
  isPublicPath,
  localIdentity,
  requireAdmin,
  sessionIdentity,
} from './auth/identity';
export {
  type GithubSettings,
  githubApiBase,
  isLoopbackUrl,
  type OidcSettings,
  type PendingLogin,
  type Provider,
  type ProviderIdentity,
} from './auth/providers';
export { createRateLimiter, type RateLimiter } from './auth/rate-limit';
export { createSessionCookie, SESSION_TTL_MS, type SessionCookie } from './auth/session-cookie';
export { ADMIN_ROLE, isAdmin, LOCAL_USER, type User } from './auth/user';
export { userAggregate } from './auth/user-aggregate';
export {
  USER_AGGREGATE_TYPE,
  type UserCommand,
  type UserEvent,
  userDecider,
} from './auth/user-decider';
export { type UsersState, usersProjection } from './auth/users-read-model';
export { isJsonContentType, jsonBodyLimit, MAX_BODY_BYTES } from './boundary/boundary-guard';
export {
  createHostPolicy,
  type HostPolicy,
  LOOPBACK_HOSTS,
  normalizeAllowedHost,
} from './boundary/host-policy';
export { refuseMisdirected } from './boundary/node-host-guard';
export { SECURITY_HEADERS } from './boundary/security-headers';
export {
  layOut,
  type MachineShape,
} from './dashboard/state-machines/state-machine-layout';
export {
  AggregateMachine,
  type DrawnMachine,
  machineUrl,
} from './dashboard/state-machines/state-machine-routes';
export { StateMachineSvg, type StateTrace } from './dashboard/state-machines/state-machine-svg';
export { BarChart, formatNumber, LineChart, PALETTE, type Series } from './dashboard/svg-chart';
export {
  createMetricsSampler,
  type MetricsSampler,
  type MetricsSamplerOptions,
} from './dashboard/system/metrics-sampler';
export { clockTime, queryString, shortId, signalsOf } from './dashboard/urls';
export {
  action,
  DATASTAR_SCRIPT_PATH,
  DATASTAR_VERSION,
  mergeFragments,
  mergeSignals,
  removeFragments,
} from './datastar/datastar-wire';
export {
  commandProblem,
  type DomainErrorAnswer,
  type DomainErrorAnswers,
  type ErrorCode,
  errorJson,
  HttpError,
  type Problem,
  problem,
  respond,
  storeUnavailable,
} from './http-errors';
export { createMetrics, type Metrics } from './metrics';
export {
  type CommandHttp,
  defineModule,
  type HttpCommand,
  type JsonObject,
  type Module,
  type ModuleContext,
  type ModuleParts,
  type ModuleSpec,
  type ReadModelStatus,
  type RuntimeLog,
  type TimeTravelProps,
  type TimeTravelView,
} from './module';
export { Layout, LiveFeed, type NavItem, Page, type PageShell, pageShell } from './pages/layout';
export {
  createRuntime,
  type Runtime,
  type RuntimeConfig,
  type RuntimePorts,
  readerBus,
  readerStore,
} from './runtime';
export { latestPush } from './sse/latest-push';
export { encodeSseComment, encodeSseMessage, SSE_HEADERS, type SseMessage } from './sse/sse-frame';
export {
  createSseHub,
  encodeText,
  type FeedOwner,
  type SseConnection,
  type SseHub,
  type SseHubOptions,
} from './sse/sse-hub';
export { sseFrames, sseStream } from './sse/sse-response';
export { sseTransport } from './sse/sse-transport';
export {
  Badge,
  Button,
  type ButtonKind,
  EmptyState,
  JsonView,
  Panel,
  Shortcuts,
  Stat,
  Table,
  type TableHead,
  type TableRow,
  type Tone,
} from './ui/components';
export {
  askRow,
  COMMAND_DONE_EVENT,
  COMMAND_TIMEOUT_MS,
  COMMANDS_BLOCKED,
  ConnectionIndicator,
  commandAction,
  FEED_OPENED,
  liveSignals,
  RowCommandButton,
} from './ui/live';
export { STYLES } from './ui/styles';
