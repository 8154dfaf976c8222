CREATE INDEX "runs_namespace_idx" ON "runs" USING btree ("namespace","id");--> statement-breakpoint
CREATE INDEX "runs_state_idx" ON "runs" USING btree ("state","id");--> statement-breakpoint
CREATE INDEX "runs_requester_idx" ON "runs" USING btree ("requested_by","id");--> statement-breakpoint
CREATE INDEX "runs_queued_idx" ON "runs" USING btree ("queued_at");