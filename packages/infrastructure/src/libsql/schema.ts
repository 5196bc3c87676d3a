import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/**
 * The one table that is the truth. `global_sequence` orders everything (SSE ids,
 * projections); `aggregate_sequence` is the per-stream version optimistic locking checks.
 * The migration adds STRICT, which drizzle's table builder cannot express.
 */
export const events = sqliteTable(
  'events',
  {
    globalSequence: integer('global_sequence').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    aggregateSequence: integer('aggregate_sequence').notNull(),
    eventType: text('event_type').notNull(),
    eventVersion: integer('event_version').notNull().default(1),
    payload: text('payload').notNull(),
    metadata: text('metadata'),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
  },
  (table) => [
    uniqueIndex('events_stream_version').on(
      table.aggregateType,
      table.aggregateId,
      table.aggregateSequence,
    ),
  ],
);

export type EventRow = typeof events.$inferSelect;

/**
 * Commands that were applied, keyed by their id (the Idempotency-Key). Written in the same
 * transaction as the command's events; the primary key makes a racing duplicate fail.
 */
export const commands = sqliteTable('commands', {
  id: text('id').primaryKey(),
  fingerprint: text('fingerprint').notNull(),
  aggregateType: text('aggregate_type').notNull(),
  aggregateId: text('aggregate_id').notNull(),
  version: integer('version').notNull(),
  globalSequence: integer('global_sequence').notNull(),
  createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
});

/** The newest snapshot of each stream: an optimisation, safe to delete at any time. */
export const snapshots = sqliteTable(
  'snapshots',
  {
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    version: integer('version').notNull(),
    globalSequence: integer('global_sequence').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    state: text('state').notNull(),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
  },
  (table) => [primaryKey({ columns: [table.aggregateType, table.aggregateId] })],
);

/** Each projection's latest saved state and the global sequence it reflects; derived data. */
export const projectionSnapshots = sqliteTable('projection_snapshots', {
  name: text('name').primaryKey(),
  version: integer('version').notNull(),
  position: integer('position').notNull(),
  data: text('data').notNull(),
  createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
});

/**
 * One row per process manager: its checkpoint (global sequence of the last event handled) and
 * its lease (who consumes, until when). Written in the same transaction as each input.
 */
export const processManagers = sqliteTable('process_managers', {
  name: text('name').primaryKey(),
  checkpoint: integer('checkpoint').notNull().default(0),
  leaseOwner: text('lease_owner'),
  /** ISO time; compared as text (every time here has the same ISO format). */
  leaseExpiresAt: text('lease_expires_at'),
});

/** Each instance's state after its last input, for the dashboard (its stream is the truth). */
export const processInstances = sqliteTable(
  'process_instances',
  {
    manager: text('manager').notNull(),
    instanceId: text('instance_id').notNull(),
    version: integer('version').notNull(),
    state: text('state').notNull(),
    done: integer('done').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.manager, table.instanceId] }),
    index('process_instances_recent').on(table.manager, table.updatedAt),
  ],
);

/** Commands decided and not yet applied (the outbox); parked rows stay until retried. */
export const processOutbox = sqliteTable(
  'process_outbox',
  {
    id: text('id').primaryKey(),
    manager: text('manager').notNull(),
    instanceId: text('instance_id').notNull(),
    key: text('key').notNull(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    command: text('command').notNull(),
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
export const processTimers = sqliteTable(
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
