CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`door` text NOT NULL,
	`run_id` integer,
	`payload` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`result` text
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`door`,`next_attempt_at`,`id`) WHERE state = 'pending';--> statement-breakpoint
CREATE TABLE `runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`namespace` text NOT NULL,
	`job` text NOT NULL,
	`job_type` text NOT NULL,
	`state` text NOT NULL,
	`due_at` integer NOT NULL,
	`queued_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`door` text NOT NULL,
	`requested_by` text NOT NULL,
	`channel` text NOT NULL,
	`thread_ts` text,
	`message_ts` text,
	`is_dm` integer DEFAULT false NOT NULL,
	`request_text` text NOT NULL,
	`params` text NOT NULL,
	`command` text NOT NULL,
	`exit_code` integer,
	`signal` text,
	`owner` text,
	`pid` integer,
	`pid_start` text,
	`stdout_path` text,
	`stderr_path` text,
	`cancel_requested_by` text,
	`cancelled_by` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `runs_claim_idx` ON `runs` (`due_at`,`id`) WHERE state = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX `runs_one_pending_per_type` ON `runs` (`job_type`) WHERE state = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX `runs_one_running_per_type` ON `runs` (`job_type`) WHERE state = 'running';--> statement-breakpoint
CREATE INDEX `runs_history_idx` ON `runs` (`job_type`,`id`);--> statement-breakpoint
CREATE TABLE `seen` (
	`source` text NOT NULL,
	`key` text NOT NULL,
	`seen_at` integer NOT NULL,
	`run_id` integer,
	PRIMARY KEY(`source`, `key`)
);
--> statement-breakpoint
CREATE TABLE `suppressions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_type` text NOT NULL,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `suppressions_type_idx` ON `suppressions` (`job_type`,`end_at`);--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`pid_start` text,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL,
	`stopped_at` integer
);
