import { createInMemoryEventStore } from './in-memory-event-store';
import { createInMemoryProcessStore } from './in-memory-process-store';
import { describeProcessStoreContract } from './process-store-contract';

describeProcessStoreContract(
  'in memory',
  async () => {
    const store = createInMemoryEventStore();
    return { store, processes: createInMemoryProcessStore(store) };
  },
  { durable: false },
);
