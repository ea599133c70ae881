PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_pulses` (
	`id` text PRIMARY KEY NOT NULL,
	`table_id` text NOT NULL,
	`meeting_id` text NOT NULL,
	`closed_at` integer NOT NULL,
	`answered` integer NOT NULL,
	`count1` integer NOT NULL,
	`count2` integer NOT NULL,
	`count3` integer NOT NULL,
	`count4` integer NOT NULL,
	`count5` integer NOT NULL,
	`mean` real NOT NULL,
	FOREIGN KEY (`table_id`) REFERENCES `tables`(`table_id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "pulses_counts_check" CHECK("__new_pulses"."answered" = "__new_pulses"."count1" + "__new_pulses"."count2" + "__new_pulses"."count3" + "__new_pulses"."count4" + "__new_pulses"."count5" or ("__new_pulses"."count1" + "__new_pulses"."count2" + "__new_pulses"."count3" + "__new_pulses"."count4" + "__new_pulses"."count5" = 0 and "__new_pulses"."answered" < 5))
);
--> statement-breakpoint
INSERT INTO `__new_pulses`("id", "table_id", "meeting_id", "closed_at", "answered", "count1", "count2", "count3", "count4", "count5", "mean") SELECT "id", "table_id", "meeting_id", "closed_at", "answered", "count1", "count2", "count3", "count4", "count5", "mean" FROM `pulses`;--> statement-breakpoint
DROP TABLE `pulses`;--> statement-breakpoint
ALTER TABLE `__new_pulses` RENAME TO `pulses`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `pulses_table_id_idx` ON `pulses` (`table_id`);