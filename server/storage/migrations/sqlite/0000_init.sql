CREATE TABLE `commitments` (
	`id` text PRIMARY KEY NOT NULL,
	`table_id` text NOT NULL,
	`meeting_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`owner_name` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`closed` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`table_id`) REFERENCES `tables`(`table_id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "commitments_status_check" CHECK("commitments"."status" in ('open', 'done', 'partly', 'not_done'))
);
--> statement-breakpoint
CREATE INDEX `commitments_table_id_idx` ON `commitments` (`table_id`);--> statement-breakpoint
CREATE TABLE `followups` (
	`id` text PRIMARY KEY NOT NULL,
	`commitment_id` text NOT NULL,
	`meeting_id` text NOT NULL,
	`status` text NOT NULL,
	`note` text NOT NULL,
	`reported_at` integer NOT NULL,
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "followups_status_check" CHECK("followups"."status" in ('done', 'partly', 'not_done'))
);
--> statement-breakpoint
CREATE INDEX `followups_commitment_id_idx` ON `followups` (`commitment_id`);--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` text PRIMARY KEY NOT NULL,
	`table_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`rounds` integer DEFAULT 0 NOT NULL,
	`members` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`table_id`) REFERENCES `tables`(`table_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `meetings_table_id_idx` ON `meetings` (`table_id`);--> statement-breakpoint
CREATE TABLE `pulses` (
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
	CONSTRAINT "pulses_counts_check" CHECK("pulses"."answered" = "pulses"."count1" + "pulses"."count2" + "pulses"."count3" + "pulses"."count4" + "pulses"."count5")
);
--> statement-breakpoint
CREATE INDEX `pulses_table_id_idx` ON `pulses` (`table_id`);--> statement-breakpoint
CREATE TABLE `tables` (
	`table_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`facilitator_key_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
