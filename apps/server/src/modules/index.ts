import type { AnyProcessManager } from '@ironstar/application';
import type { Module } from '@ironstar/web';
import type { Config } from '../config';
import { orderFulfilmentProcess } from './fulfilment/order-fulfilment-process';
import { orderModule } from './order/order-module';
import { createInProcessPaymentGateway, type PaymentGateway } from './payment/payment-gateway';
import { paymentModule } from './payment/payment-module';
import {
  type QuerySessionsModuleOptions,
  querySessionsModule,
} from './query-sessions/query-sessions-module';
import { EVENT_LOG_QUERIES } from './query-sessions/saved-queries';
import { shipmentModule } from './shipment/shipment-module';
import { todoModule } from './todo/todo-module';
import { TODO_SAVED_QUERIES } from './todo/todo-saved-queries';

/** What the modules run on that the server opens (an adapter of its choice). */
export type AppPorts = {
  readonly analyticsEngine: QuerySessionsModuleOptions['engine'];
  /** Default: the in-process gateway (PAYMENT_LATENCY_MS, PAYMENT_LIMIT_CENTS). */
  readonly paymentGateway?: PaymentGateway;
};

/** The reference app's aggregate modules: register a new one here, one line. */
export const appModules = (config: Config, ports: AppPorts): readonly Module[] => [
  todoModule({ pageSize: config.todoPageSize, snapshotEvery: config.todoSnapshotEvery }),
  querySessionsModule({
    engine: ports.analyticsEngine,
    limits: {
      timeoutMs: config.analyticsQueryTimeoutMs,
      maxRows: config.analyticsMaxRows,
      maxBytes: config.analyticsMaxResultBytes,
    },
    cacheTtlMs: config.analyticsCacheTtlMs,
    cacheMaxBytes: config.analyticsCacheMaxBytes,
    maxInFlight: config.analyticsMaxConcurrent,
    maxPerClient: config.analyticsMaxPerClient,
    keepResultBytes: config.analyticsCacheMaxBytes,
    savedQueries: [...EVENT_LOG_QUERIES, ...TODO_SAVED_QUERIES],
  }),
  orderModule(),
  paymentModule({
    gateway:
      ports.paymentGateway ??
      createInProcessPaymentGateway({
        latencyMs: config.paymentLatencyMs,
        limitCents: config.paymentLimitCents,
      }),
  }),
  shipmentModule({ latencyMs: config.shippingLatencyMs }),
];

/** The reference app's process managers: they run beside the modules, one line each. */
export const appProcessManagers = (config: Config): readonly AnyProcessManager[] => [
  orderFulfilmentProcess({ paymentTimeoutMs: config.paymentTimeoutMs }),
];
