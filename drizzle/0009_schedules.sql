CREATE TABLE `schedule_slots` (
	`schedule` text NOT NULL,
	`slot_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`decided_at` integer NOT NULL,
	`decided_by` text NOT NULL,
	`run_id` integer,
	PRIMARY KEY(`schedule`, `slot_at`)
);
--> statement-breakpoint
CREATE TABLE `schedule_state` (
	`schedule` text PRIMARY KEY NOT NULL,
	`since` integer NOT NULL,
	`paused_at` integer,
	`paused_by` text
);
