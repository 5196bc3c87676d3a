import { sql } from 'drizzle-orm';
import { integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
