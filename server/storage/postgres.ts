// PostgreSQL storage (node-postgres). Parallel to sqlite.ts: the methods read the same, except
// where the two drivers differ (how to open, migrate, make several writes atomic, and close).
// What each statement writes, filters, orders and selects comes from rules.ts; the builder
// chains themselves stay in both files because Drizzle types them per dialect.
import { fileURLToPath } from "node:url";
import pg from "pg";
import { count, eq, sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
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
import { commitments, followups, meetings, pulses, roster, tables } from "./schema.postgres.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations/postgres", import.meta.url));

/** Session advisory lock held while migrating, so that server processes starting together take turns. */
const migrationLock = 0x526f756e64; // "Round"

/** Connects to PostgreSQL at a postgres:// URL and brings its schema up to date. */
export async function openPostgresStorage(url: string): Promise<Storage> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle connection that breaks (server restart, network) is dropped by the pool and the
  // next query opens a new one; without a listener the 'error' event would end the process.
  // Once close() has begun, connections still winding down may report the server going away.
  pool.on("error", (error) => {
    if (pool.ending) return;
    console.warn(`storage: an idle PostgreSQL connection failed: ${error.message}`);
  });
  try {
    const connection = await pool.connect();
    try {
      await connection.query("SELECT pg_advisory_lock($1)", [migrationLock]);
      try {
        await migrate(drizzle(connection), { migrationsFolder });
      } finally {
        await connection.query("SELECT pg_advisory_unlock($1)", [migrationLock]);
      }
    } finally {
      connection.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStorage(pool, drizzle(pool));
}

class PostgresStorage implements Storage {
  constructor(
    private readonly pool: pg.Pool,
    private readonly db: NodePgDatabase,
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
          : { timeboxes: sql`(${tables.timeboxes}::jsonb || ${timeboxes}::jsonb)::text` }),
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
    await this.db.transaction(async (tx) => {
      const updated = await tx
        .update(commitments)
        .set(rules.commitmentAfterFollowUp(r))
        .where(eq(commitments.id, r.commitmentId))
        .returning({ id: commitments.id });
      if (updated.length === 0) throw rules.notFound("commitment", r.commitmentId);
      await tx.insert(followups).values(rules.followUpRow(r));
    });
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
    if (this.pool.ended || this.pool.ending) return;
    await this.pool.end();
  }
}
