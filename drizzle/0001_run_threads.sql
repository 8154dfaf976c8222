ALTER TABLE `runs` ADD `quiet` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `progress_ts` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `progress_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `approval` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `approval_by` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `approval_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `approval_expires_at` integer;--> statement-breakpoint
CREATE INDEX `runs_thread_idx` ON `runs` (`channel`,`thread_ts`);