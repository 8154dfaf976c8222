CREATE TABLE "schedule_slots" (
	"schedule" text NOT NULL,
	"slot_at" bigint NOT NULL,
	"outcome" text NOT NULL,
	"decided_at" bigint NOT NULL,
	"decided_by" text NOT NULL,
	"run_id" integer,
	CONSTRAINT "schedule_slots_schedule_slot_at_pk" PRIMARY KEY("schedule","slot_at")
);
--> statement-breakpoint
CREATE TABLE "schedule_state" (
	"schedule" text PRIMARY KEY NOT NULL,
	"since" bigint NOT NULL,
	"paused_at" bigint,
	"paused_by" text
);
