CREATE TABLE "roster" (
	"table_id" text NOT NULL,
	"member_id" text NOT NULL,
	"name" text NOT NULL,
	"admitted_at" bigint NOT NULL,
	"removed_at" bigint,
	CONSTRAINT "roster_table_id_member_id_pk" PRIMARY KEY("table_id","member_id")
);
--> statement-breakpoint
ALTER TABLE "meetings" ADD COLUMN "interrupted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tables" ADD COLUMN "admission" text DEFAULT 'members' NOT NULL;--> statement-breakpoint
ALTER TABLE "tables" ADD COLUMN "format" text DEFAULT 'roundtable' NOT NULL;--> statement-breakpoint
ALTER TABLE "roster" ADD CONSTRAINT "roster_table_id_tables_table_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."tables"("table_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tables" ADD CONSTRAINT "tables_admission_check" CHECK ("tables"."admission" in ('members', 'open'));--> statement-breakpoint
ALTER TABLE "tables" ADD CONSTRAINT "tables_format_check" CHECK ("tables"."format" in ('roundtable', 'forum'));