import type { EventBus, EventStore, ProcessRunner } from '@ironstar/application';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import type { EventFanout } from '../feeds/event-fanout';
import type { Metrics } from '../metrics';
import type { NavItem, PageShell } from '../pages/layout';
import type { SseHub } from '../sse/sse-hub';
import { eventLogRoutes } from './event-log/event-log-routes';
import type { EventCatalog } from './event-log/event-log-view';
import { processesRoutes } from './processes/processes-routes';
import type { MetricsSampler } from './system/metrics-sampler';
import { systemRoutes } from './system/system-routes';
import { type PastViewAt, timeTravelRoutes } from './time-travel/time-travel-routes';

export type DashboardDeps = {
  readonly store: EventStore;
  readonly bus: EventBus;
  readonly hub: SseHub;
  readonly metrics: Metrics;
  readonly shell: PageShell;
  /** The shared reader the dashboard's live feeds follow. */
  readonly fanout: EventFanout;
  /** The registered aggregates' types and event types, for the event log's filters. */
  readonly catalog: EventCatalog;
  /** The registered read models time travel rebuilds. */
  readonly pastViews: readonly PastViewAt[];
  /** The aggregate types those read models follow: time travel steps from one to the next. */
  readonly travelTypes?: readonly string[];
  /** Without it there is no /system page. */
  readonly sampler?: MetricsSampler;
  /** Compress the dashboard's feeds for clients that accept it (SSE_COMPRESSION). */
  readonly compression?: boolean;
  /** The process managers' runners, for /processes. */
  readonly processes?: readonly ProcessRunner[];
};

/** The framework's own pages in the navigation, after the application's. */
export const DASHBOARD_NAV: readonly NavItem[] = [
  { path: '/events', label: 'Event log', section: 'dashboard' },
  { path: '/time-travel', label: 'Time travel', section: 'dashboard' },
  { path: '/system', label: 'System', section: 'dashboard' },
  { path: '/state-machines', label: 'State machines', section: 'dashboard' },
];

/** In the navigation when process managers are registered. */
export const PROCESSES_NAV: NavItem = {
  path: '/processes',
  label: 'Processes',
  section: 'dashboard',
};

/** The dashboard: event log, time travel and system pages with their feeds. */
export const dashboardRoutes = (deps: DashboardDeps) => {
  const app = new Hono<AppEnv>();
  app.route('/', eventLogRoutes(deps));
  app.route(
    '/',
    timeTravelRoutes({ ...deps, views: deps.pastViews, travelTypes: deps.travelTypes ?? [] }),
  );
  app.route('/', processesRoutes({ ...deps, runners: deps.processes ?? [] }));
  if (deps.sampler) {
    app.route(
      '/',
      systemRoutes({
        sampler: deps.sampler,
        hub: deps.hub,
        shell: deps.shell,
        ...(deps.compression === undefined ? {} : { compression: deps.compression }),
      }),
    );
  }
  return app;
};
