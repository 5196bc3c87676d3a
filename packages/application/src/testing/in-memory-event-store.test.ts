import { describeEventStoreContract } from './event-store-contract';
import { createInMemoryEventStore } from './in-memory-event-store';

// Memory is gone with the process: the reopen tests are skipped (and reported so), not passed.
describeEventStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }), {
  durable: false,
});
