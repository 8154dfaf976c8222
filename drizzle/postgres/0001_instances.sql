ALTER TABLE "outbox" ADD COLUMN "sender" text;--> statement-breakpoint
ALTER TABLE "workers" ADD COLUMN "tags" jsonb DEFAULT '[]'::jsonb NOT NULL;