ALTER TABLE `tables` ADD `timeboxes` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `tables` ADD `next_meeting_at` integer;--> statement-breakpoint
ALTER TABLE `tables` ADD `next_presenters` text DEFAULT '[]' NOT NULL;