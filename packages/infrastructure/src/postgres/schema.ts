import {
  bigint,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// The same tables as the libSQL store (../libsql/schema.ts), in PostgreSQL types. JSON columns
// are `json`, not `jsonb`: json keeps the text as written (jsonb refuses a \u0000 escape, which a
// hostile text field may carry, and reorders keys). Times are ISO text from the store's clock,
// as on libSQL, so both stores answer the same strings.

/**
 * The one table that is the truth. `global_sequence` is assigned by the appender (max + 1 under
 * a transaction-level advisory lock, see postgres-append.ts), not by a sequence: a sequence is
 * neither gap-free nor in commit order under concurrent transactions.
 */
export const events = pgTable(
  'events',
  {
    globalSequence: bigint('global_sequence', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    aggregateSequence: integer('aggregate_sequence').notNull(),
    eventType: text('event_type').notNull(),
    eventVersion: integer('event_version').notNull().default(1),
    payload: json('payload').notNull(),
    metadata: json('metadata'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [
    uniqueIndex('events_stream_version').on(
      table.aggregateType,
      table.aggregateId,
      table.aggregateSequence,
    ),
  ],
);

/** Commands that were applied, keyed by their id (the Idempotency-Key). */
export const commands = pgTable('commands', {
  id: text('id').primaryKey(),
  fingerprint: text('fingerprint').notNull(),
  aggregateType: text('aggregate_type').notNull(),
  aggregateId: text('aggregate_id').notNull(),
  version: integer('version').notNull(),
  globalSequence: bigint('global_sequence', { mode: 'number' }).notNull(),
  createdAt: text('created_at').notNull(),
});

/** The newest snapshot of each stream: an optimisation, safe to delete at any time. */
export const snapshots = pgTable(
  'snapshots',
  {
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    version: integer('version').notNull(),
    globalSequence: bigint('global_sequence', { mode: 'number' }).notNull(),
    schemaVersion: integer('schema_version').notNull(),
    state: json('state').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.aggregateType, table.aggregateId] })],
);

/** Each projection's latest saved state and the global sequence it reflects; derived data. */
export const projectionSnapshots = pgTable('projection_snapshots', {
  name: text('name').primaryKey(),
  version: integer('version').notNull(),
  position: bigint('position', { mode: 'number' }).notNull(),
  data: json('data').notNull(),
  createdAt: text('created_at').notNull(),
});

/** One row per process manager: its checkpoint and its lease. */
export const processManagers = pgTable('process_managers', {
  name: text('name').primaryKey(),
  checkpoint: bigint('checkpoint', { mode: 'number' }).notNull().default(0),
  leaseOwner: text('lease_owner'),
  /** ISO time; compared as text (every time here has the same ISO format). */
  leaseExpiresAt: text('lease_expires_at'),
});

/** Each instance's state after its last input, for the dashboard (its stream is the truth). */
export const processInstances = pgTable(
  'process_instances',
  {
    manager: text('manager').notNull(),
    instanceId: text('instance_id').notNull(),
    version: integer('version').notNull(),
    state: json('state').notNull(),
    done: integer('done').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.manager, table.instanceId] }),
    index('process_instances_recent').on(table.manager, table.updatedAt),
  ],
);

/** Commands decided and not yet applied (the outbox); parked rows stay until retried. */
export const processOutbox = pgTable(
  'process_outbox',
  {
    id: text('id').primaryKey(),
    manager: text('manager').notNull(),
    instanceId: text('instance_id').notNull(),
    key: text('key').notNull(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    command: json('command').notNull(),
    correlationId: text('correlation_id'),
    causationId: text('causation_id').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: text('next_attempt_at').notNull(),
    lastError: text('last_error'),
  },
  (table) => [index('process_outbox_due').on(table.manager, table.status, table.nextAttemptAt)],
);

/** Pending timers; a fired or cancelled timer's row is deleted in its step's transaction. */
export const processTimers = pgTable(
  'process_timers',
  {
    id: text('id').primaryKey(),
    manager: text('manager').notNull(),
    instanceId: text('instance_id').notNull(),
    name: text('name').notNull(),
    dueAt: text('due_at').notNull(),
    correlationId: text('correlation_id'),
  },
  (table) => [
    index('process_timers_due').on(table.manager, table.dueAt),
    index('process_timers_instance').on(table.manager, table.instanceId, table.name),
  ],
);
