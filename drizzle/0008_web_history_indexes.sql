CREATE INDEX `runs_namespace_idx` ON `runs` (`namespace`,`id`);--> statement-breakpoint
CREATE INDEX `runs_state_idx` ON `runs` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `runs_requester_idx` ON `runs` (`requested_by`,`id`);--> statement-breakpoint
CREATE INDEX `runs_queued_idx` ON `runs` (`queued_at`);