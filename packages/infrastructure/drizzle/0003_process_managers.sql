-- Edited after generation: STRICT (drizzle-kit cannot emit it).
CREATE TABLE `process_instances` (
	`manager` text NOT NULL,
	`instance_id` text NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL,
	`done` integer NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`manager`, `instance_id`)
) STRICT;
--> statement-breakpoint
CREATE INDEX `process_instances_recent` ON `process_instances` (`manager`,`updated_at`);--> statement-breakpoint
CREATE TABLE `process_managers` (
	`name` text PRIMARY KEY NOT NULL,
	`checkpoint` integer DEFAULT 0 NOT NULL,
	`lease_owner` text,
	`lease_expires_at` text
) STRICT;
--> statement-breakpoint
CREATE TABLE `process_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`manager` text NOT NULL,
	`instance_id` text NOT NULL,
	`key` text NOT NULL,
	`aggregate_type` text NOT NULL,
	`aggregate_id` text NOT NULL,
	`command` text NOT NULL,
	`correlation_id` text,
	`causation_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` text NOT NULL,
	`last_error` text
) STRICT;
--> statement-breakpoint
CREATE INDEX `process_outbox_due` ON `process_outbox` (`manager`,`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `process_timers` (
	`id` text PRIMARY KEY NOT NULL,
	`manager` text NOT NULL,
	`instance_id` text NOT NULL,
	`name` text NOT NULL,
	`due_at` text NOT NULL,
	`correlation_id` text
) STRICT;
--> statement-breakpoint
CREATE INDEX `process_timers_due` ON `process_timers` (`manager`,`due_at`);--> statement-breakpoint
CREATE INDEX `process_timers_instance` ON `process_timers` (`manager`,`instance_id`,`name`);