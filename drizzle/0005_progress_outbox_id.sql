ALTER TABLE `runs` ADD `progress_outbox_id` integer;--> statement-breakpoint
UPDATE `runs` SET `progress_outbox_id` = CAST(substr(`progress_ts`, 8) AS INTEGER) WHERE `progress_ts` LIKE 'outbox:%';
