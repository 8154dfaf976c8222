DROP INDEX `outbox_due_idx`;--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`door`,`id`) WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX `runs_awaiting_idx` ON `runs` (`approval_expires_at`) WHERE state = 'awaiting_approval';