// Embedded SQLite storage (libsql). Parallel to postgres.ts: the methods read the same, except
// where the two drivers differ (how to open, migrate, make several writes atomic, and close).
// What each statement writes, filters, orders and selects comes from rules.ts; the builder
// chains themselves stay in both files because Drizzle types them per dialect.
import { fileURLToPath } from "node:url";
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { count, eq, sql } from "drizzle-orm";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import type {
  FollowUpReport,
  MeetingEnd,
  MeetingHistory,
  MemberCommitment,
  NewCommitment,
  NewMeeting,
  NewTable,
  PulseAggregate,
  RosterAdmission,
  RosterEntry,
  RosterRemoval,
  Storage,
  StoredCommitment,
  TablePatch,
  TableRecord,
  TableSummary,
} from "./types.ts";
import * as rules from "./rules.ts";
import { commitments, followups, meetings, pulses, roster, tables } from "./schema.sqlite.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations/sqlite", import.meta.url));

/** Milliseconds a statement waits for another process's lock on the file before failing. */
const busyTimeoutMs = 5_000;

/** Opens (creating if needed) the SQLite database at a libsql URL and brings its schema up to date. */
export async function openSqliteStorage(url: string): Promise<Storage> {
  // One connection: every statement runs synchronously on it, so calls never interleave inside
  // a batch, and a transaction never waits on a lock held by this same process. The default
  // rollback journal with synchronous=FULL means a resolved write is on disk.
  const client = createClient({ url, concurrency: 1, timeout: busyTimeoutMs });
  const db = drizzle(client);
  try {
    await migrateWithRetry(db);
  } catch (error) {
    client.close();
    throw error;
  }
  return new SqliteStorage(client, db);
}

// Two processes opening a new file together both find it unmigrated; the second one's batch
// then fails on the first one's tables (after waiting for its lock), and a second look finds
// the migration applied.
async function migrateWithRetry(db: LibSQLDatabase): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db, { migrationsFolder });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

class SqliteStorage implements Storage {
  constructor(
    private readonly client: Client,
    private readonly db: LibSQLDatabase,
  ) {}

  async createTable(table: NewTable): Promise<void> {
    await this.db.insert(tables).values(rules.tableRow(table));
  }

  async getTable(tableId: string): Promise<TableRecord | undefined> {
    const [table] = await this.db.select().from(tables).where(eq(tables.tableId, tableId));
    return table && rules.tableRecord(table);
  }

  async updateTable(tableId: string, patch: TablePatch): Promise<TableRecord | undefined> {
    const { set, timeboxes } = rules.tablePatchRow(patch);
    if (Object.keys(set).length === 0 && timeboxes === undefined) return this.getTable(tableId);
    // One statement: the timeboxes are merged into the stored ones by the database itself.
    const [table] = await this.db
      .update(tables)
      .set({
        ...set,
        ...(timeboxes === undefined
          ? {}
          : { timeboxes: sql`json_patch(${tables.timeboxes}, ${timeboxes})` }),
      })
      .where(eq(tables.tableId, tableId))
      .returning();
    return table && rules.tableRecord(table);
  }

  async history(tableId: string): Promise<MeetingHistory[]> {
    const [held, made, answers] = await Promise.all([
      this.db
        .select({
          id: meetings.id,
          startedAt: meetings.startedAt,
          endedAt: meetings.endedAt,
          members: meetings.members,
          rounds: meetings.rounds,
        })
        .from(meetings)
        .where(eq(meetings.tableId, tableId))
        .orderBy(...rules.oldestMeetingsFirst(meetings)),
      this.db
        .select({ meetingId: commitments.meetingId, n: count() })
        .from(commitments)
        .where(eq(commitments.tableId, tableId))
        .groupBy(commitments.meetingId),
      this.db
        .select({ meetingId: followups.meetingId, status: followups.status, n: count() })
        .from(followups)
        .innerJoin(commitments, eq(followups.commitmentId, commitments.id))
        .where(eq(commitments.tableId, tableId))
        .groupBy(followups.meetingId, followups.status),
    ]);
    return rules.meetingHistory(held, made, answers);
  }

  async memberCommitments(tableId: string, memberId: string): Promise<MemberCommitment[]> {
    const own = rules.commitmentsOf(commitments, tableId, memberId);
    const [made, answers] = await Promise.all([
      this.db
        .select({
          id: commitments.id,
          text: commitments.text,
          status: commitments.status,
          createdAt: commitments.createdAt,
          closed: commitments.closed,
        })
        .from(commitments)
        .where(own)
        .orderBy(...rules.newestCommitmentsFirst(commitments)),
      this.db
        .select({
          commitmentId: followups.commitmentId,
          status: followups.status,
          note: followups.note,
          reportedAt: followups.reportedAt,
        })
        .from(followups)
        .innerJoin(commitments, eq(followups.commitmentId, commitments.id))
        .where(own)
        .orderBy(...rules.oldestAnswersFirst(followups)),
    ]);
    return rules.memberCommitments(made, answers);
  }

  async tableSummary(tableId: string): Promise<TableSummary | undefined> {
    const table = await this.getTable(tableId);
    if (table === undefined) return undefined;
    const [openCommitments, meetingsStarted, trust] = await Promise.all([
      this.db.$count(commitments, rules.openCommitmentsOf(commitments, tableId)),
      this.db.$count(meetings, eq(meetings.tableId, tableId)),
      this.db
        .select(rules.trustPoint(pulses))
        .from(pulses)
        .where(eq(pulses.tableId, tableId))
        .orderBy(...rules.oldestPulsesFirst(pulses)),
    ]);
    return { tableId, name: table.name, openCommitments, meetings: meetingsStarted, trust };
  }

  async openCommitments(tableId: string): Promise<StoredCommitment[]> {
    return this.db
      .select()
      .from(commitments)
      .where(rules.openCommitmentsOf(commitments, tableId))
      .orderBy(...rules.oldestCommitmentsFirst(commitments));
  }

  async addCommitment(c: NewCommitment): Promise<void> {
    await this.db.insert(commitments).values(rules.commitmentRow(c));
  }

  async removeCommitment(id: string): Promise<void> {
    await this.db.delete(commitments).where(eq(commitments.id, id));
  }

  async reportFollowUp(r: FollowUpReport): Promise<void> {
    // A batch is one transaction, run in one synchronous go on the single connection. For an
    // unknown commitment the update changes nothing and the history row breaks its foreign key,
    // which rolls the batch back.
    try {
      await this.db.batch([
        this.db
          .update(commitments)
          .set(rules.commitmentAfterFollowUp(r))
          .where(eq(commitments.id, r.commitmentId)),
        this.db.insert(followups).values(rules.followUpRow(r)),
      ]);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw rules.notFound("commitment", r.commitmentId);
      throw error;
    }
  }

  async startMeeting(m: NewMeeting): Promise<void> {
    await this.db.insert(meetings).values(rules.meetingRow(m));
  }

  async endMeeting(m: MeetingEnd): Promise<void> {
    const ended = await this.db
      .update(meetings)
      .set(rules.meetingEnd(m))
      .where(eq(meetings.id, m.id))
      .returning({ id: meetings.id });
    if (ended.length === 0) throw rules.notFound("meeting", m.id);
  }

  async recordPulse(p: PulseAggregate): Promise<void> {
    await this.db.insert(pulses).values(rules.pulseRow(p));
  }

  async roster(tableId: string): Promise<RosterEntry[]> {
    return this.db
      .select(rules.rosterEntry(roster))
      .from(roster)
      .where(eq(roster.tableId, tableId))
      .orderBy(...rules.oldestAdmissionsFirst(roster));
  }

  async admit(r: RosterAdmission): Promise<void> {
    await this.db
      .insert(roster)
      .values(rules.rosterRow(r))
      .onConflictDoUpdate({ target: [roster.tableId, roster.memberId], set: rules.admission(r) });
  }

  async removeFromRoster(r: RosterRemoval): Promise<void> {
    await this.db.update(roster).set(rules.removal(r)).where(rules.stillOnRoster(roster, r));
  }

  async closeInterruptedMeetings(at: number): Promise<number> {
    const closed = await this.db
      .update(meetings)
      .set(rules.interruption(at))
      .where(rules.unended(meetings))
      .returning({ id: meetings.id });
    return closed.length;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof LibsqlError && error.extendedCode === "SQLITE_CONSTRAINT_FOREIGNKEY";
}
