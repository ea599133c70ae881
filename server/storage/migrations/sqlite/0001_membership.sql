-- Written by hand to match 0001_snapshot.json: drizzle-kit's version rebuilt `tables` (to add its
-- CHECK constraints) and copied the new columns from the old table, where they do not exist yet.
-- SQLite adds a column with a CHECK constraint in place; existing tables get the defaults
-- (admission "members": their facilitator admits people once).
CREATE TABLE `roster` (
	`table_id` text NOT NULL,
	`member_id` text NOT NULL,
	`name` text NOT NULL,
	`admitted_at` integer NOT NULL,
	`removed_at` integer,
	PRIMARY KEY(`table_id`, `member_id`),
	FOREIGN KEY (`table_id`) REFERENCES `tables`(`table_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `meetings` ADD `interrupted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tables` ADD `admission` text DEFAULT 'members' NOT NULL CONSTRAINT "tables_admission_check" CHECK(`admission` in ('members', 'open'));--> statement-breakpoint
ALTER TABLE `tables` ADD `format` text DEFAULT 'roundtable' NOT NULL CONSTRAINT "tables_format_check" CHECK(`format` in ('roundtable', 'forum'));
