import { createTopicRouter } from '@ironstar/application';
import { defineModule } from '@ironstar/web';
import { orderAggregate } from './order-aggregate';
import { orderErrors, parseOrderCommand } from './order-commands';
import { createOrderIndex } from './order-index';
import { orderListProjection } from './order-list-projection';
import { ORDER_STYLES } from './order-page';
import { type OrderChange, orderRoutes, routeOrderChanges } from './order-routes';

/**
 * Orders: created, changed, submitted and cancelled over HTTP by the user who placed them (for
 * anyone else an order does not exist); fulfilled by the manager.
 */
export const orderModule = () =>
  defineModule({
    aggregate: orderAggregate,
    http: { name: 'order', parse: parseOrderCommand, errors: orderErrors },
    projections: { list: orderListProjection },
    nav: [{ path: '/orders', label: 'Orders' }],
    styles: ORDER_STYLES,
    setup: ({ shell, hub, compression, projections }) => {
      // Each change is published under its owner's topic, where that user's feeds hear it.
      const indexes = createOrderIndex(projections.list);
      const router = createTopicRouter<OrderChange>();
      const unroute = routeOrderChanges(projections.list, router);
      return {
        routes: orderRoutes({ shell, indexes, router, hub, compression }),
        stop: () => {
          unroute();
        },
      };
    },
  });
