-- Edited after generation: STRICT (drizzle-kit cannot emit it).
CREATE TABLE `commands` (
	`id` text PRIMARY KEY NOT NULL,
	`fingerprint` text NOT NULL,
	`aggregate_type` text NOT NULL,
	`aggregate_id` text NOT NULL,
	`version` integer NOT NULL,
	`global_sequence` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
) STRICT;
--> statement-breakpoint
CREATE TABLE `snapshots` (
	`aggregate_type` text NOT NULL,
	`aggregate_id` text NOT NULL,
	`version` integer NOT NULL,
	`global_sequence` integer NOT NULL,
	`schema_version` integer NOT NULL,
	`state` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`aggregate_type`, `aggregate_id`)
) STRICT;
