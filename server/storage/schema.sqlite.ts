// SQLite schema. Keep it line-for-line parallel with schema.postgres.ts: same tables, same
// columns in the same order, same constraints; only the column types differ.
// Times are epoch milliseconds. There is no column for meeting content (questions, check-in
// words, shares) and none for a per-person pulse value: see BRIEF.md, "Trust and
// confidentiality by design".
import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
} from "drizzle-orm/sqlite-core";
import { admissions, commitmentStatuses, followUpStatuses, formats, sqlList } from "./rules.ts";

/** Groups; the facilitator key is kept only as a hash. */
export const tables = sqliteTable(
  "tables",
  {
    tableId: text("table_id").primaryKey(),
    name: text("name").notNull(),
    facilitatorKeyHash: text("facilitator_key_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    admission: text("admission", { enum: admissions }).notNull().default("members"),
    format: text("format", { enum: formats }).notNull().default("roundtable"),
    /** The table's own timeboxes: JSON of TimeboxMinutes (whole minutes; unset ones default). */
    timeboxes: text("timeboxes").notNull().default("{}"),
    /** When the table meets next, epoch ms; null while not planned. */
    nextMeetingAt: integer("next_meeting_at"),
    /** Member ids planned to present next, in order: JSON array of strings. */
    nextPresenters: text("next_presenters").notNull().default("[]"),
  },
  (t) => [
    check("tables_admission_check", sql`${t.admission} in ${sql.raw(sqlList(admissions))}`),
    check("tables_format_check", sql`${t.format} in ${sql.raw(sqlList(formats))}`),
  ],
);

/** Meetings held at a table; endedAt stays null until the meeting ends (or is found interrupted). */
export const meetings = sqliteTable(
  "meetings",
  {
    id: text("id").primaryKey(),
    tableId: text("table_id")
      .notNull()
      .references(() => tables.tableId),
    startedAt: integer("started_at").notNull(),
    endedAt: integer("ended_at"),
    rounds: integer("rounds").notNull().default(0),
    members: integer("members").notNull().default(0),
    /** True when the meeting's process died before it ended (endedAt is then when that was noticed). */
    interrupted: integer("interrupted", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("meetings_table_id_idx").on(t.tableId)],
);

/**
 * Who a "members" table has admitted: the public memberId and the display name, nothing else
 * about a person. A removal keeps the row (removedAt set), so a removed member waits again.
 */
export const roster = sqliteTable(
  "roster",
  {
    tableId: text("table_id")
      .notNull()
      .references(() => tables.tableId),
    memberId: text("member_id").notNull(),
    name: text("name").notNull(),
    admittedAt: integer("admitted_at").notNull(),
    removedAt: integer("removed_at"),
  },
  (t) => [primaryKey({ columns: [t.tableId, t.memberId] })],
);

/** Commitments with their latest follow-up answer. */
export const commitments = sqliteTable(
  "commitments",
  {
    id: text("id").primaryKey(),
    tableId: text("table_id")
      .notNull()
      .references(() => tables.tableId),
    meetingId: text("meeting_id").notNull(),
    ownerId: text("owner_id").notNull(),
    ownerName: text("owner_name").notNull(),
    text: text("text").notNull(),
    createdAt: integer("created_at").notNull(),
    status: text("status", { enum: commitmentStatuses }).notNull().default("open"),
    note: text("note").notNull().default(""),
    closed: integer("closed", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    index("commitments_table_id_idx").on(t.tableId),
    check("commitments_status_check", sql`${t.status} in ${sql.raw(sqlList(commitmentStatuses))}`),
  ],
);

/** Every follow-up answer, in the order given: a commitment's history. */
export const followups = sqliteTable(
  "followups",
  {
    id: text("id").primaryKey(),
    commitmentId: text("commitment_id")
      .notNull()
      .references(() => commitments.id, { onDelete: "cascade" }),
    meetingId: text("meeting_id").notNull(),
    status: text("status", { enum: followUpStatuses }).notNull(),
    note: text("note").notNull(),
    reportedAt: integer("reported_at").notNull(),
  },
  (t) => [
    index("followups_commitment_id_idx").on(t.commitmentId),
    check("followups_status_check", sql`${t.status} in ${sql.raw(sqlList(followUpStatuses))}`),
  ],
);

/** Revealed trust pulses as aggregates only: countN = how many answered N. */
export const pulses = sqliteTable(
  "pulses",
  {
    id: text("id").primaryKey(),
    tableId: text("table_id")
      .notNull()
      .references(() => tables.tableId),
    meetingId: text("meeting_id").notNull(),
    closedAt: integer("closed_at").notNull(),
    answered: integer("answered").notNull(),
    count1: integer("count1").notNull(),
    count2: integer("count2").notNull(),
    count3: integer("count3").notNull(),
    count4: integer("count4").notNull(),
    count5: integer("count5").notNull(),
    mean: real("mean").notNull(),
  },
  (t) => [
    index("pulses_table_id_idx").on(t.tableId),
    check(
      "pulses_counts_check",
      // Counts are kept only from 5 answers (PULSE_COUNTS_FROM); below that, all five are 0.
      sql`${t.answered} = ${t.count1} + ${t.count2} + ${t.count3} + ${t.count4} + ${t.count5} or (${t.count1} + ${t.count2} + ${t.count3} + ${t.count4} + ${t.count5} = 0 and ${t.answered} < 5)`,
    ),
  ],
);
