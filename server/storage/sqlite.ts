// Embedded SQLite storage (libsql). Parallel to postgres.ts: the methods read the same, except
// where the two drivers differ (how to open, migrate, make several writes atomic, and close).
import { fileURLToPath } from "node:url";
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { and, asc, eq, isNull } from "drizzle-orm";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import type {
  FollowUpReport,
  MeetingEnd,
  NewCommitment,
  NewMeeting,
  NewTable,
  PulseAggregate,
  RosterAdmission,
  RosterEntry,
  RosterRemoval,
  Storage,
  StoredCommitment,
  TableRecord,
  TableSummary,
} from "./types.ts";
import {
  admission,
  commitmentAfterFollowUp,
  commitmentRow,
  followUpRow,
  meetingRow,
  notFound,
  pulseRow,
  rosterRow,
  tableRow,
} from "./rules.ts";
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
    await this.db.insert(tables).values(tableRow(table));
  }

  async getTable(tableId: string): Promise<TableRecord | undefined> {
    const [table] = await this.db.select().from(tables).where(eq(tables.tableId, tableId));
    return table;
  }

  async tableSummary(tableId: string): Promise<TableSummary | undefined> {
    const table = await this.getTable(tableId);
    if (table === undefined) return undefined;
    const [openCommitments, meetingsStarted, trust] = await Promise.all([
      this.db.$count(
        commitments,
        and(eq(commitments.tableId, tableId), eq(commitments.closed, false)),
      ),
      this.db.$count(meetings, eq(meetings.tableId, tableId)),
      this.db
        .select({ endedAt: pulses.closedAt, answered: pulses.answered, mean: pulses.mean })
        .from(pulses)
        .where(eq(pulses.tableId, tableId))
        .orderBy(asc(pulses.closedAt), asc(pulses.id)),
    ]);
    return { tableId, name: table.name, openCommitments, meetings: meetingsStarted, trust };
  }

  async openCommitments(tableId: string): Promise<StoredCommitment[]> {
    return this.db
      .select()
      .from(commitments)
      .where(and(eq(commitments.tableId, tableId), eq(commitments.closed, false)))
      .orderBy(asc(commitments.createdAt), asc(commitments.id));
  }

  async addCommitment(c: NewCommitment): Promise<void> {
    await this.db.insert(commitments).values(commitmentRow(c));
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
          .set(commitmentAfterFollowUp(r))
          .where(eq(commitments.id, r.commitmentId)),
        this.db.insert(followups).values(followUpRow(r)),
      ]);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw notFound("commitment", r.commitmentId);
      throw error;
    }
  }

  async startMeeting(m: NewMeeting): Promise<void> {
    await this.db.insert(meetings).values(meetingRow(m));
  }

  async endMeeting(m: MeetingEnd): Promise<void> {
    const ended = await this.db
      .update(meetings)
      .set({ endedAt: m.endedAt, rounds: m.rounds, members: m.members })
      .where(eq(meetings.id, m.id))
      .returning({ id: meetings.id });
    if (ended.length === 0) throw notFound("meeting", m.id);
  }

  async recordPulse(p: PulseAggregate): Promise<void> {
    await this.db.insert(pulses).values(pulseRow(p));
  }

  async roster(tableId: string): Promise<RosterEntry[]> {
    return this.db
      .select({
        memberId: roster.memberId,
        name: roster.name,
        admittedAt: roster.admittedAt,
        removedAt: roster.removedAt,
      })
      .from(roster)
      .where(eq(roster.tableId, tableId))
      .orderBy(asc(roster.admittedAt), asc(roster.memberId));
  }

  async admit(r: RosterAdmission): Promise<void> {
    await this.db
      .insert(roster)
      .values(rosterRow(r))
      .onConflictDoUpdate({ target: [roster.tableId, roster.memberId], set: admission(r) });
  }

  async removeFromRoster(r: RosterRemoval): Promise<void> {
    await this.db
      .update(roster)
      .set({ removedAt: r.at })
      .where(
        and(
          eq(roster.tableId, r.tableId),
          eq(roster.memberId, r.memberId),
          isNull(roster.removedAt),
        ),
      );
  }

  async closeInterruptedMeetings(at: number): Promise<number> {
    const closed = await this.db
      .update(meetings)
      .set({ endedAt: at, interrupted: true })
      .where(isNull(meetings.endedAt))
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
