import type { EventBus, EventStore } from '@ironstar/application';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import type { EventFanout } from '../feeds/event-fanout';
import type { Metrics } from '../metrics';
import type { SseHub } from '../sse/sse-hub';
import { type AnalyticsDeps, analyticsRoutes } from './analytics/analytics-routes';
import { eventLogRoutes } from './event-log/event-log-routes';
import type { MetricsSampler } from './system/metrics-sampler';
import { systemRoutes } from './system/system-routes';
import { timeTravelRoutes } from './time-travel/time-travel-routes';

export type DashboardDeps = {
  readonly store: EventStore;
  readonly bus: EventBus;
  readonly hub: SseHub;
  readonly metrics: Metrics;
  /** The shared reader the dashboard's live feeds follow. */
  readonly fanout: EventFanout;
  /** Without it there is no /system page. */
  readonly sampler?: MetricsSampler;
  /** Without it there are no /analytics pages. */
  readonly analytics?: AnalyticsDeps;
};

/** The dashboard: event log, time travel, system and analytics pages with their feeds. */
export const dashboardRoutes = (deps: DashboardDeps) => {
  const app = new Hono<AppEnv>();
  app.route('/', eventLogRoutes(deps));
  app.route('/', timeTravelRoutes(deps));
  if (deps.sampler) app.route('/', systemRoutes({ sampler: deps.sampler, hub: deps.hub }));
  if (deps.analytics) {
    app.route('/', analyticsRoutes({ ...deps.analytics, hub: deps.hub, metrics: deps.metrics }));
  }
  return app;
};
