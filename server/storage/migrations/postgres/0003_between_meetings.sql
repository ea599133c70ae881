ALTER TABLE "tables" ADD COLUMN "timeboxes" text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "tables" ADD COLUMN "next_meeting_at" bigint;--> statement-breakpoint
ALTER TABLE "tables" ADD COLUMN "next_presenters" text DEFAULT '[]' NOT NULL;