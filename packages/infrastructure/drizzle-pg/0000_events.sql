CREATE TABLE "commands" (
	"id" text PRIMARY KEY NOT NULL,
	"fingerprint" text NOT NULL,
	"aggregate_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"version" integer NOT NULL,
	"global_sequence" bigint NOT NULL,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"global_sequence" bigint PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"aggregate_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"aggregate_sequence" integer NOT NULL,
	"event_type" text NOT NULL,
	"event_version" integer DEFAULT 1 NOT NULL,
	"payload" json NOT NULL,
	"metadata" json,
	"created_at" text NOT NULL,
	CONSTRAINT "events_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "process_instances" (
	"manager" text NOT NULL,
	"instance_id" text NOT NULL,
	"version" integer NOT NULL,
	"state" json NOT NULL,
	"done" integer NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "process_instances_manager_instance_id_pk" PRIMARY KEY("manager","instance_id")
);
--> statement-breakpoint
CREATE TABLE "process_managers" (
	"name" text PRIMARY KEY NOT NULL,
	"checkpoint" bigint DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_expires_at" text
);
--> statement-breakpoint
CREATE TABLE "process_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"manager" text NOT NULL,
	"instance_id" text NOT NULL,
	"key" text NOT NULL,
	"aggregate_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"command" json NOT NULL,
	"correlation_id" text,
	"causation_id" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"next_attempt_at" text NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "process_timers" (
	"id" text PRIMARY KEY NOT NULL,
	"manager" text NOT NULL,
	"instance_id" text NOT NULL,
	"name" text NOT NULL,
	"due_at" text NOT NULL,
	"correlation_id" text
);
--> statement-breakpoint
CREATE TABLE "projection_snapshots" (
	"name" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"position" bigint NOT NULL,
	"data" json NOT NULL,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"aggregate_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"version" integer NOT NULL,
	"global_sequence" bigint NOT NULL,
	"schema_version" integer NOT NULL,
	"state" json NOT NULL,
	"created_at" text NOT NULL,
	CONSTRAINT "snapshots_aggregate_type_aggregate_id_pk" PRIMARY KEY("aggregate_type","aggregate_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "events_stream_version" ON "events" USING btree ("aggregate_type","aggregate_id","aggregate_sequence");--> statement-breakpoint
CREATE INDEX "process_instances_recent" ON "process_instances" USING btree ("manager","updated_at");--> statement-breakpoint
CREATE INDEX "process_outbox_due" ON "process_outbox" USING btree ("manager","status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "process_timers_due" ON "process_timers" USING btree ("manager","due_at");--> statement-breakpoint
CREATE INDEX "process_timers_instance" ON "process_timers" USING btree ("manager","instance_id","name");