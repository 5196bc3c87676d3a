export { DeciderSpecification } from '@ironstar/domain/testing';
export {
  CART_CHECKOUT_PROCESS,
  type CartCheckoutInput,
  type CartCheckoutState,
  cartCheckoutProcess,
  giftCartOf,
} from './cart-checkout-process';
export { cartStateMachine } from './cart-state-machine';
export {
  describeEventStoreContract,
  type StoreCapabilities,
  type StoreFixture,
} from './event-store-contract';
export { describeEventStoreModel, type ModelStorage } from './event-store-model';
export { createInMemoryEventBus } from './in-memory-event-bus';
export { createInMemoryEventStore } from './in-memory-event-store';
export { createInMemoryProcessStore } from './in-memory-process-store';
export { createInMemoryProjectionSnapshots } from './in-memory-projection-snapshots';
export { normalize as normalizeDecision, ProcessSpecification } from './process-specification';
export { describeProcessStoreContract, type ProcessStoreFixture } from './process-store-contract';
export { createScriptedAnalyticsEngine } from './scripted-analytics-engine';
export {
  type AddItem,
  CART_AGGREGATE_TYPE,
  type CartCommand,
  type CartError,
  type CartEvent,
  type CartService,
  type CartState,
  type Carts,
  type CartView,
  type CheckOut,
  cartAggregate,
  cartDecider,
  cartsProjection,
  cartUpcasters,
  createCartService,
  type OpenCart,
  type RemoveItem,
} from './shopping-cart';
export { checkSnapshotsAgainstFold } from './snapshot-property';
export { checkStateMachine, type StateMachineCheck } from './state-machine-specification';
