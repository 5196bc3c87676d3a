import { describeEventStoreContract } from './event-store-contract';
import { createInMemoryEventStore } from './in-memory-event-store';

describeEventStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }));
