import { defineModule } from '@ironstar/web';
import { orderAggregate } from './order-aggregate';
import { orderErrors, parseOrderCommand } from './order-commands';
import { createOrderIndex } from './order-index';
import { orderListProjection } from './order-list-projection';
import { ORDER_STYLES } from './order-page';
import { orderRoutes } from './order-routes';

/** Orders: created, changed, submitted and cancelled over HTTP; fulfilled by the manager. */
export const orderModule = () =>
  defineModule({
    aggregate: orderAggregate,
    http: { name: 'order', parse: parseOrderCommand, errors: orderErrors },
    projections: { list: orderListProjection },
    nav: [{ path: '/orders', label: 'Orders' }],
    styles: ORDER_STYLES,
    setup: ({ shell, hub, compression, projections }) => {
      const index = createOrderIndex(projections.list);
      return {
        routes: orderRoutes({
          shell,
          index,
          hub,
          compression,
          onChange: (listener) =>
            projections.list.onChange((_, event) =>
              listener(event.aggregateId, event.globalSequence),
            ),
        }),
      };
    },
  });
