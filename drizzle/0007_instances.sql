ALTER TABLE `outbox` ADD `sender` text;--> statement-breakpoint
ALTER TABLE `workers` ADD `tags` text DEFAULT '[]' NOT NULL;