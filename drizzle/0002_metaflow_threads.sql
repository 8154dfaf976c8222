CREATE TABLE `metaflow_threads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`door` text NOT NULL,
	`channel` text NOT NULL,
	`thread_ts` text NOT NULL,
	`flow` text NOT NULL,
	`run_id` text,
	`watching` integer DEFAULT false NOT NULL,
	`last_status` text,
	`ebmbot_run_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metaflow_threads_thread` ON `metaflow_threads` (`channel`,`thread_ts`);--> statement-breakpoint
CREATE INDEX `metaflow_threads_ebmbot_idx` ON `metaflow_threads` (`ebmbot_run_id`);