CREATE TABLE "commitments" (
	"id" text PRIMARY KEY NOT NULL,
	"table_id" text NOT NULL,
	"meeting_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"owner_name" text NOT NULL,
	"text" text NOT NULL,
	"created_at" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"closed" boolean DEFAULT false NOT NULL,
	CONSTRAINT "commitments_status_check" CHECK ("commitments"."status" in ('open', 'done', 'partly', 'not_done'))
);
--> statement-breakpoint
CREATE TABLE "followups" (
	"id" text PRIMARY KEY NOT NULL,
	"commitment_id" text NOT NULL,
	"meeting_id" text NOT NULL,
	"status" text NOT NULL,
	"note" text NOT NULL,
	"reported_at" bigint NOT NULL,
	CONSTRAINT "followups_status_check" CHECK ("followups"."status" in ('done', 'partly', 'not_done'))
);
--> statement-breakpoint
CREATE TABLE "meetings" (
	"id" text PRIMARY KEY NOT NULL,
	"table_id" text NOT NULL,
	"started_at" bigint NOT NULL,
	"ended_at" bigint,
	"rounds" integer DEFAULT 0 NOT NULL,
	"members" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pulses" (
	"id" text PRIMARY KEY NOT NULL,
	"table_id" text NOT NULL,
	"meeting_id" text NOT NULL,
	"closed_at" bigint NOT NULL,
	"answered" integer NOT NULL,
	"count1" integer NOT NULL,
	"count2" integer NOT NULL,
	"count3" integer NOT NULL,
	"count4" integer NOT NULL,
	"count5" integer NOT NULL,
	"mean" double precision NOT NULL,
	CONSTRAINT "pulses_counts_check" CHECK ("pulses"."answered" = "pulses"."count1" + "pulses"."count2" + "pulses"."count3" + "pulses"."count4" + "pulses"."count5")
);
--> statement-breakpoint
CREATE TABLE "tables" (
	"table_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"facilitator_key_hash" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commitments" ADD CONSTRAINT "commitments_table_id_tables_table_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."tables"("table_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followups" ADD CONSTRAINT "followups_commitment_id_commitments_id_fk" FOREIGN KEY ("commitment_id") REFERENCES "public"."commitments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_table_id_tables_table_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."tables"("table_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pulses" ADD CONSTRAINT "pulses_table_id_tables_table_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."tables"("table_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commitments_table_id_idx" ON "commitments" USING btree ("table_id");--> statement-breakpoint
CREATE INDEX "followups_commitment_id_idx" ON "followups" USING btree ("commitment_id");--> statement-breakpoint
CREATE INDEX "meetings_table_id_idx" ON "meetings" USING btree ("table_id");--> statement-breakpoint
CREATE INDEX "pulses_table_id_idx" ON "pulses" USING btree ("table_id");