// The storage layer against both databases it supports: embedded SQLite (a temp file) and
// PostgreSQL (a throwaway cluster). Each test opens a fresh, empty database.
import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql";
import { migrate as migrateLibsql } from "drizzle-orm/libsql/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStorage, type Storage } from "../../server/storage/index.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const storageModule = fileURLToPath(new URL("../../server/storage/index.ts", import.meta.url));

/** What a test needs to know about one database kind. */
interface Dialect {
  name: string;
  /** Migration folder name under server/storage/migrations. */
  migrations: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** DATABASE_URL of a new, empty database. */
  freshUrl(): Promise<string>;
  /** Runs SQL (no parameters) directly on the database, bypassing the storage layer. */
  rows(url: string, sql: string): Promise<Record<string, unknown>[]>;
  /** Every stored table with its columns, sorted. */
  columns(url: string): Promise<Record<string, string[]>>;
  /** SQL counting applied migrations. */
  countMigrations: string;
  /** Applies the migrations of a folder, as an older version of the server did. */
  migrate(url: string, migrationsFolder: string): Promise<void>;
}

const sqlite: Dialect = (() => {
  let dir = "";
  let n = 0;
  return {
    name: "SQLite",
    migrations: "sqlite",
    async setUp() {
      dir = mkdtempSync(join(tmpdir(), "roundtable-sqlite-"));
    },
    async tearDown() {
      rmSync(dir, { recursive: true, force: true });
    },
    async freshUrl() {
      return join(dir, `test-${++n}.db`);
    },
    async rows(url, sql) {
      const client = createClient({ url: pathToFileURL(url).href });
      try {
        return (await client.execute(sql)).rows.map((row) => ({ ...row }));
      } finally {
        client.close();
      }
    },
    async columns(url) {
      const tables = await this.rows(
        url,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      );
      const columns: Record<string, string[]> = {};
      for (const { name } of tables) {
        const info = await this.rows(url, `SELECT name FROM pragma_table_info('${String(name)}')`);
        columns[String(name)] = info.map((c) => String(c.name)).sort();
      }
      return columns;
    },
    countMigrations: "SELECT count(*) AS n FROM __drizzle_migrations",
    async migrate(url, migrationsFolder) {
      const client = createClient({ url: pathToFileURL(url).href });
      try {
        await migrateLibsql(drizzleLibsql(client), { migrationsFolder });
      } finally {
        client.close();
      }
    },
  };
})();

const postgres: Dialect = (() => {
  let cluster: TestPostgres | undefined;
  let n = 0;
  return {
    name: "PostgreSQL",
    migrations: "postgres",
    async setUp() {
      cluster = await startPostgres();
    },
    async tearDown() {
      await cluster?.stop();
    },
    async freshUrl() {
      if (!cluster) throw new Error("the PostgreSQL cluster did not start");
      const name = `test_${++n}`;
      await this.rows(cluster.url, `CREATE DATABASE ${name}`);
      const url = new URL(cluster.url);
      url.pathname = `/${name}`;
      return url.href;
    },
    async rows(url, sql) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
    async columns(url) {
      const rows = await this.rows(
        url,
        `SELECT table_schema || '.' || table_name AS t, column_name AS c
           FROM information_schema.columns
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      const columns: Record<string, string[]> = {};
      for (const { t, c } of rows)
        (columns[String(t).replace(/^public\./, "")] ??= []).push(String(c));
      for (const list of Object.values(columns)) list.sort();
      return columns;
    },
    countMigrations: "SELECT count(*) AS n FROM drizzle.__drizzle_migrations",
    async migrate(url, migrationsFolder) {
      const pool = new pg.Pool({ connectionString: url });
      try {
        await migratePg(drizzlePg(pool), { migrationsFolder });
      } finally {
        await pool.end();
      }
    },
  };
})();

const table = {
  tableId: "tbl-1",
  name: "Thursday circle",
  facilitatorKeyHash: "sha256:4f2a",
  createdAt: 1_700_000_000_000,
};

/** What a new table has planned: nothing yet. */
const unplanned = { timeboxes: {}, nextMeetingAt: null, nextPresenters: [] };

/** The table as read back: created without admission or format, it gets the safe defaults. */
const stored = { ...table, admission: "members", format: "roundtable", ...unplanned };

function commitment(id: string, createdAt: number, meetingId = "m-1") {
  return {
    id,
    tableId: table.tableId,
    meetingId,
    ownerId: `member-${id}`,
    ownerName: "Ana",
    text: `Talk to the board about ${id}`,
    createdAt,
  };
}

type Answer = Parameters<Storage["reportFollowUp"]>[0];

/** A follow-up answer given at meeting m-2, no note, not dropped, unless told otherwise. */
function answer(
  commitmentId: string,
  status: Answer["status"],
  more: Partial<Answer> = {},
): Answer {
  return { commitmentId, meetingId: "m-2", status, note: "", drop: false, reportedAt: 20, ...more };
}

function pulse(id: string, closedAt: number, counts: number[], mean: number) {
  const answered = counts.reduce((a, b) => a + b, 0);
  return { id, tableId: table.tableId, meetingId: `m-${id}`, closedAt, answered, counts, mean };
}

interface Journal {
  entries: { tag: string }[];
}

function journal(dialect: Dialect): Journal {
  const file = join(
    repoRoot,
    "server/storage/migrations",
    dialect.migrations,
    "meta/_journal.json",
  );
  return JSON.parse(readFileSync(file, "utf8")) as Journal;
}

/** Number of migrations drizzle-kit generated for the dialect. */
function migrationCount(dialect: Dialect): number {
  return journal(dialect).entries.length;
}

/** A migrations folder holding only the first `n` migrations of the dialect: an older server. */
function firstMigrations(dialect: Dialect, n: number): string {
  const from = join(repoRoot, "server/storage/migrations", dialect.migrations);
  const to = mkdtempSync(join(tmpdir(), "roundtable-migrations-"));
  mkdirSync(join(to, "meta"));
  const entries = journal(dialect).entries.slice(0, n);
  for (const { tag } of entries) copyFileSync(join(from, `${tag}.sql`), join(to, `${tag}.sql`));
  writeFileSync(join(to, "meta/_journal.json"), JSON.stringify({ ...journal(dialect), entries }));
  return to;
}

describe.each([sqlite, postgres])("storage on $name", (dialect) => {
  const opened: Storage[] = [];
  let url = "";

  async function open(at = url): Promise<Storage> {
    const storage = await openStorage(at);
    opened.push(storage);
    return storage;
  }

  async function appliedMigrations(): Promise<number> {
    const [applied] = await dialect.rows(url, dialect.countMigrations);
    return Number(applied?.n);
  }

  /** A fresh database holding one table. */
  async function withTable(): Promise<Storage> {
    url = await dialect.freshUrl();
    const storage = await open();
    await storage.createTable(table);
    return storage;
  }

  beforeAll(() => dialect.setUp(), 60_000);
  afterAll(() => dialect.tearDown(), 60_000);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it("creates a table and reads it back, and knows no other", async () => {
    const storage = await withTable();
    expect(await storage.getTable(table.tableId)).toEqual(stored);
    expect(await storage.getTable("tbl-unknown")).toBeUndefined();
    await expect(storage.createTable({ ...table, name: "Another" })).rejects.toThrow();
    expect(await storage.getTable(table.tableId)).toEqual(stored);
  });

  it("stores a table's admission and format, and refuses values outside their sets", async () => {
    const storage = await withTable();
    const forum = { ...table, tableId: "tbl-forum", admission: "open", format: "forum" } as const;
    await storage.createTable(forum);
    expect(await storage.getTable("tbl-forum")).toEqual({ ...forum, ...unplanned });
    const members = { ...table, tableId: "tbl-members", admission: "members" } as const;
    await storage.createTable(members);
    expect(await storage.getTable("tbl-members")).toEqual({
      ...members,
      format: "roundtable",
      ...unplanned,
    });
    // The database's own CHECK constraints, below the API's validation.
    const bad = [
      { ...table, tableId: "tbl-bad-1", admission: "everyone" },
      { ...table, tableId: "tbl-bad-2", format: "townhall" },
    ];
    for (const row of bad) {
      await expect(storage.createTable(row as unknown as typeof forum)).rejects.toThrow();
    }
    expect(await storage.getTable("tbl-bad-1")).toBeUndefined();
    expect(await storage.getTable("tbl-bad-2")).toBeUndefined();
  });

  it("summarises a new table as empty and an unknown table as nothing", async () => {
    const storage = await withTable();
    expect(await storage.tableSummary(table.tableId)).toEqual({
      tableId: table.tableId,
      name: table.name,
      openCommitments: 0,
      meetings: 0,
      trust: [],
    });
    expect(await storage.tableSummary("tbl-unknown")).toBeUndefined();
  });

  it("counts open commitments, meetings started and pulses in the summary, per table", async () => {
    const storage = await withTable();
    await storage.createTable({ ...table, tableId: "tbl-2", name: "Other circle" });
    await storage.startMeeting({ id: "m-1", tableId: table.tableId, startedAt: 1 });
    await storage.startMeeting({ id: "m-2", tableId: table.tableId, startedAt: 2 });
    await storage.startMeeting({ id: "m-x", tableId: "tbl-2", startedAt: 3 });
    await storage.addCommitment(commitment("c-1", 10));
    await storage.addCommitment(commitment("c-2", 11));
    await storage.addCommitment(commitment("c-3", 12));
    await storage.addCommitment({ ...commitment("c-x", 13), tableId: "tbl-2" });
    await storage.reportFollowUp(answer("c-1", "done"));
    await storage.recordPulse(pulse("p-1", 30, [0, 0, 1, 2, 0], 3.7));

    expect(await storage.tableSummary(table.tableId)).toEqual({
      tableId: table.tableId,
      name: table.name,
      openCommitments: 2,
      meetings: 2,
      trust: [{ endedAt: 30, answered: 3, mean: 3.7 }],
    });
    expect(await storage.tableSummary("tbl-2")).toMatchObject({ openCommitments: 1, meetings: 1 });
  });

  it("adds commitments as open with no note and lists the open ones oldest first", async () => {
    const storage = await withTable();
    await storage.addCommitment(commitment("c-late", 300));
    await storage.addCommitment(commitment("c-early", 100));
    await storage.addCommitment(commitment("c-mid", 200));

    const open = await storage.openCommitments(table.tableId);
    expect(open.map((c) => c.id)).toEqual(["c-early", "c-mid", "c-late"]);
    expect(open[0]).toEqual({
      ...commitment("c-early", 100),
      status: "open",
      note: "",
      closed: false,
    });
    expect(await storage.openCommitments("tbl-unknown")).toEqual([]);
  });

  it("rejects a commitment for an unknown table", async () => {
    const storage = await withTable();
    await expect(
      storage.addCommitment({ ...commitment("c-1", 1), tableId: "tbl-unknown" }),
    ).rejects.toThrow();
  });

  it("removes a commitment the presenter just added, and ignores an unknown id", async () => {
    const storage = await withTable();
    await storage.addCommitment(commitment("c-keep", 1));
    await storage.addCommitment(commitment("c-oops", 2));
    await storage.removeCommitment("c-oops");
    await storage.removeCommitment("c-never-was");
    expect((await storage.openCommitments(table.tableId)).map((c) => c.id)).toEqual(["c-keep"]);
    expect(await storage.tableSummary(table.tableId)).toMatchObject({ openCommitments: 1 });
  });

  describe("follow-up answers", () => {
    async function answered(
      status: "done" | "partly" | "not_done",
      note: string,
      drop: boolean,
    ): Promise<{ storage: Storage; open: string[] }> {
      const storage = await withTable();
      await storage.addCommitment(commitment("c-1", 1));
      await storage.reportFollowUp(answer("c-1", status, { note, drop }));
      return { storage, open: (await storage.openCommitments(table.tableId)).map((c) => c.id) };
    }

    it("closes a commitment reported done", async () => {
      const { storage, open } = await answered("done", "Board agreed", false);
      expect(open).toEqual([]);
      expect(await storage.tableSummary(table.tableId)).toMatchObject({ openCommitments: 0 });
    });

    it.each(["partly", "not_done"] as const)(
      "keeps a commitment reported %s open, with the latest status and note",
      async (status) => {
        const { storage } = await answered(status, "Ran out of time", false);
        const [c] = await storage.openCommitments(table.tableId);
        expect(c).toMatchObject({ id: "c-1", status, note: "Ran out of time", closed: false });
      },
    );

    it.each(["partly", "not_done"] as const)(
      "closes a commitment the owner drops after %s",
      async (status) => {
        const { open } = await answered(status, "No longer relevant", true);
        expect(open).toEqual([]);
      },
    );

    it("writes a history row for every answer and keeps the latest on the commitment", async () => {
      const storage = await withTable();
      await storage.addCommitment(commitment("c-1", 1));
      await storage.reportFollowUp(
        answer("c-1", "not_done", { meetingId: "m-2", note: "Not yet", reportedAt: 20 }),
      );
      await storage.reportFollowUp(
        answer("c-1", "partly", { meetingId: "m-3", note: "Half", reportedAt: 30 }),
      );
      expect(await storage.openCommitments(table.tableId)).toMatchObject([
        { id: "c-1", status: "partly", note: "Half", closed: false },
      ]);
      await storage.reportFollowUp(answer("c-1", "done", { meetingId: "m-4", reportedAt: 40 }));
      expect(await storage.openCommitments(table.tableId)).toEqual([]);

      const history = await dialect.rows(
        url,
        `SELECT meeting_id, status, note, reported_at FROM followups
          WHERE commitment_id = 'c-1' ORDER BY reported_at`,
      );
      expect(history.map((h) => ({ ...h, reported_at: Number(h.reported_at) }))).toEqual([
        { meeting_id: "m-2", status: "not_done", note: "Not yet", reported_at: 20 },
        { meeting_id: "m-3", status: "partly", note: "Half", reported_at: 30 },
        { meeting_id: "m-4", status: "done", note: "", reported_at: 40 },
      ]);
    });

    it("rejects an answer for an unknown commitment and writes nothing", async () => {
      const storage = await withTable();
      await expect(storage.reportFollowUp(answer("c-unknown", "done"))).rejects.toThrow(
        'Unknown commitment "c-unknown"',
      );
      expect(await dialect.rows(url, "SELECT id FROM followups")).toEqual([]);
    });

    it("removes a commitment's history with it", async () => {
      const storage = await withTable();
      await storage.addCommitment(commitment("c-1", 1));
      await storage.reportFollowUp(answer("c-1", "partly"));
      await storage.removeCommitment("c-1");
      expect(await dialect.rows(url, "SELECT id FROM followups")).toEqual([]);
    });
  });

  it("counts every meeting started, ended or not, and records how it ended", async () => {
    const storage = await withTable();
    await storage.startMeeting({ id: "m-1", tableId: table.tableId, startedAt: 1_000 });
    await storage.endMeeting({ id: "m-1", endedAt: 9_000, rounds: 2, members: 7 });
    await storage.startMeeting({ id: "m-2", tableId: table.tableId, startedAt: 10_000 });
    expect(await storage.tableSummary(table.tableId)).toMatchObject({ meetings: 2 });

    const [ended] = await dialect.rows(
      url,
      "SELECT started_at, ended_at, rounds, members FROM meetings WHERE id = 'm-1'",
    );
    expect(ended && Object.values(ended).map(Number)).toEqual([1_000, 9_000, 2, 7]);
    await expect(
      storage.endMeeting({ id: "m-unknown", endedAt: 1, rounds: 1, members: 1 }),
    ).rejects.toThrow('Unknown meeting "m-unknown"');
  });

  describe("the roster", () => {
    const admit = (memberId: string, name: string, at: number, tableId = table.tableId) => ({
      tableId,
      memberId,
      name,
      at,
    });

    it("is empty for a new table and for an unknown one", async () => {
      const storage = await withTable();
      expect(await storage.roster(table.tableId)).toEqual([]);
      expect(await storage.roster("tbl-unknown")).toEqual([]);
    });

    it("lists admitted members oldest admission first, with their names, per table", async () => {
      const storage = await withTable();
      await storage.createTable({ ...table, tableId: "tbl-2" });
      await storage.admit(admit("m-ben", "Ben", 2_000));
      await storage.admit(admit("m-ana", "Ana", 1_000));
      await storage.admit(admit("m-chloe", "Chloé", 2_000));
      await storage.admit(admit("m-other", "Olga", 500, "tbl-2"));
      expect(await storage.roster(table.tableId)).toEqual([
        { memberId: "m-ana", name: "Ana", admittedAt: 1_000, removedAt: null },
        { memberId: "m-ben", name: "Ben", admittedAt: 2_000, removedAt: null },
        { memberId: "m-chloe", name: "Chloé", admittedAt: 2_000, removedAt: null },
      ]);
      expect(await storage.roster("tbl-2")).toEqual([
        { memberId: "m-other", name: "Olga", admittedAt: 500, removedAt: null },
      ]);
    });

    it("takes a member off the roster but keeps the row, and ignores an unknown member", async () => {
      const storage = await withTable();
      await storage.admit(admit("m-ana", "Ana", 1_000));
      await storage.admit(admit("m-ben", "Ben", 2_000));
      await storage.removeFromRoster({ tableId: table.tableId, memberId: "m-ben", at: 3_000 });
      // A second removal keeps the first one's time; nobody else is touched.
      await storage.removeFromRoster({ tableId: table.tableId, memberId: "m-ben", at: 4_000 });
      await storage.removeFromRoster({ tableId: table.tableId, memberId: "m-nobody", at: 5_000 });
      await storage.removeFromRoster({ tableId: "tbl-unknown", memberId: "m-ana", at: 5_000 });
      expect(await storage.roster(table.tableId)).toEqual([
        { memberId: "m-ana", name: "Ana", admittedAt: 1_000, removedAt: null },
        { memberId: "m-ben", name: "Ben", admittedAt: 2_000, removedAt: 3_000 },
      ]);
    });

    it("puts a removed member back on with their current name and the new admission time", async () => {
      const storage = await withTable();
      await storage.admit(admit("m-ben", "Ben", 2_000));
      await storage.removeFromRoster({ tableId: table.tableId, memberId: "m-ben", at: 3_000 });
      await storage.admit(admit("m-ben", "Benjamin", 9_000));
      expect(await storage.roster(table.tableId)).toEqual([
        { memberId: "m-ben", name: "Benjamin", admittedAt: 9_000, removedAt: null },
      ]);
      // Admitting someone already on the roster is one row, not two.
      await storage.admit(admit("m-ben", "Ben", 10_000));
      expect(await storage.roster(table.tableId)).toEqual([
        { memberId: "m-ben", name: "Ben", admittedAt: 10_000, removedAt: null },
      ]);
    });

    it("refuses an admission to an unknown table", async () => {
      const storage = await withTable();
      await expect(storage.admit(admit("m-ana", "Ana", 1, "tbl-unknown"))).rejects.toThrow();
      expect(await storage.roster("tbl-unknown")).toEqual([]);
    });

    it("takes many admissions and removals at once", async () => {
      const storage = await withTable();
      const ids = Array.from({ length: 30 }, (_, i) => `m-${String(i).padStart(2, "0")}`);
      await Promise.all(ids.map((id, i) => storage.admit(admit(id, `Person ${i}`, i))));
      await Promise.all(
        ids
          .filter((_, i) => i % 3 === 0)
          .map((memberId) =>
            storage.removeFromRoster({ tableId: table.tableId, memberId, at: 99 }),
          ),
      );
      const roster = await storage.roster(table.tableId);
      expect(roster.map((r) => r.memberId)).toEqual(ids);
      expect(roster.filter((r) => r.removedAt === 99)).toHaveLength(10);
    });
  });

  describe("between meetings", () => {
    it("plans the next meeting: timeboxes merged, date and presenters replaced, format changed", async () => {
      const storage = await withTable();
      await storage.createTable({ ...table, tableId: "tbl-2" });
      const first = await storage.updateTable(table.tableId, {
        timeboxes: { presentingMin: 12, turnMin: 3 },
        nextMeetingAt: 1_800_000_000_000,
        nextPresenters: ["m-ben", "m-ana"],
      });
      const planned = {
        ...stored,
        timeboxes: { presentingMin: 12, turnMin: 3 },
        nextMeetingAt: 1_800_000_000_000,
        nextPresenters: ["m-ben", "m-ana"],
      };
      expect(first).toEqual(planned);
      expect(await storage.getTable(table.tableId)).toEqual(planned);
      // A second patch merges its timeboxes into the stored ones and replaces the rest it names.
      const second = await storage.updateTable(table.tableId, {
        timeboxes: { turnMin: 4, updateMin: 120 },
        nextPresenters: [],
        format: "forum",
      });
      const replanned = {
        ...planned,
        format: "forum",
        timeboxes: { presentingMin: 12, turnMin: 4, updateMin: 120 },
        nextPresenters: [],
      };
      expect(second).toEqual(replanned);
      expect(await storage.updateTable(table.tableId, { nextMeetingAt: null })).toEqual({
        ...replanned,
        nextMeetingAt: null,
      });
      // Nothing to change reads the table; the other table was never touched.
      expect(await storage.updateTable(table.tableId, {})).toEqual({
        ...replanned,
        nextMeetingAt: null,
      });
      expect(await storage.getTable("tbl-2")).toEqual({ ...stored, tableId: "tbl-2" });
      expect(await storage.updateTable("tbl-unknown", { nextMeetingAt: 5 })).toBeUndefined();
      expect(await storage.updateTable("tbl-unknown", {})).toBeUndefined();
    });

    it("refuses timeboxes that are not whole minutes from 1 to 120, and changes nothing", async () => {
      const storage = await withTable();
      await storage.updateTable(table.tableId, { timeboxes: { turnMin: 2 } });
      for (const turnMin of [0, 121, 1.5, -3, Number.NaN]) {
        await expect(
          storage.updateTable(table.tableId, { timeboxes: { turnMin }, nextMeetingAt: 9 }),
        ).rejects.toThrow(RangeError);
      }
      expect(await storage.getTable(table.tableId)).toEqual({
        ...stored,
        timeboxes: { turnMin: 2 },
      });
    });

    /**
     * Three meetings of the table (the third still running) and one of another table: Ana makes
     * two commitments at the first, Ben one; at the second Ana answers both (partly, then done
     * after a drop of nothing) and Ben makes one; at the third Ana answers "not done".
     */
    async function threeMeetings(): Promise<Storage> {
      const storage = await withTable();
      await storage.createTable({ ...table, tableId: "tbl-2" });
      const mine = (id: string, createdAt: number, meetingId: string, ownerId = "m-ana") => ({
        ...commitment(id, createdAt, meetingId),
        ownerId,
        text: `Promise ${id}`,
      });
      await storage.startMeeting({ id: "m-1", tableId: table.tableId, startedAt: 1_000 });
      await storage.addCommitment(mine("c-a1", 1_100, "m-1"));
      await storage.addCommitment(mine("c-a2", 1_200, "m-1"));
      await storage.addCommitment(mine("c-b1", 1_300, "m-1", "m-ben"));
      await storage.addCommitment(mine("c-gone", 1_400, "m-1"));
      await storage.removeCommitment("c-gone");
      await storage.endMeeting({ id: "m-1", endedAt: 2_000, rounds: 2, members: 5 });

      await storage.startMeeting({ id: "m-x", tableId: "tbl-2", startedAt: 2_500 });
      await storage.addCommitment({ ...mine("c-x", 2_600, "m-x"), tableId: "tbl-2" });
      await storage.reportFollowUp(answer("c-x", "done", { meetingId: "m-x", reportedAt: 2_700 }));

      await storage.startMeeting({ id: "m-2", tableId: table.tableId, startedAt: 3_000 });
      await storage.reportFollowUp(
        answer("c-a1", "partly", { meetingId: "m-2", note: "Half of it", reportedAt: 3_100 }),
      );
      await storage.reportFollowUp(
        answer("c-a2", "done", { meetingId: "m-2", note: "Sent", reportedAt: 3_200 }),
      );
      await storage.reportFollowUp(
        answer("c-b1", "partly", { meetingId: "m-2", reportedAt: 3_300 }),
      );
      await storage.addCommitment(mine("c-b2", 3_400, "m-2", "m-ben"));
      await storage.endMeeting({ id: "m-2", endedAt: 4_000, rounds: 1, members: 4 });

      await storage.startMeeting({ id: "m-3", tableId: table.tableId, startedAt: 5_000 });
      await storage.reportFollowUp(
        answer("c-a1", "not_done", {
          meetingId: "m-3",
          note: "Dropped it",
          drop: true,
          reportedAt: 5_100,
        }),
      );
      await storage.reportFollowUp(answer("c-b1", "done", { meetingId: "m-3", reportedAt: 5_200 }));
      await storage.reportFollowUp(
        answer("c-b2", "not_done", { meetingId: "m-3", reportedAt: 5_300 }),
      );
      return storage;
    }

    it("tells each meeting's history oldest first: commitments made, answers given, per table", async () => {
      const storage = await threeMeetings();
      expect(await storage.history(table.tableId)).toEqual([
        {
          ...{ startedAt: 1_000, endedAt: 2_000, members: 5, rounds: 2 },
          ...{ made: 3, done: 0, partly: 0, notDone: 0 },
        },
        {
          ...{ startedAt: 3_000, endedAt: 4_000, members: 4, rounds: 1 },
          ...{ made: 1, done: 1, partly: 2, notDone: 0 },
        },
        {
          ...{ startedAt: 5_000, endedAt: null, members: 0, rounds: 0 },
          ...{ made: 0, done: 1, partly: 0, notDone: 2 },
        },
      ]);
      expect(await storage.history("tbl-2")).toEqual([
        {
          ...{ startedAt: 2_500, endedAt: null, members: 0, rounds: 0 },
          ...{ made: 1, done: 1, partly: 0, notDone: 0 },
        },
      ]);
      expect(await storage.history("tbl-unknown")).toEqual([]);
    });

    it("lists a member's own commitments newest first, with their answers oldest first", async () => {
      const storage = await threeMeetings();
      expect(await storage.memberCommitments(table.tableId, "m-ana")).toEqual([
        {
          ...{ id: "c-a2", text: "Promise c-a2", status: "done", createdAt: 1_200, closed: true },
          followUps: [{ status: "done", note: "Sent", reportedAt: 3_200 }],
        },
        {
          ...{ id: "c-a1", text: "Promise c-a1", status: "not_done", createdAt: 1_100 },
          closed: true,
          followUps: [
            { status: "partly", note: "Half of it", reportedAt: 3_100 },
            { status: "not_done", note: "Dropped it", reportedAt: 5_100 },
          ],
        },
      ]);
      expect(
        (await storage.memberCommitments(table.tableId, "m-ben")).map((c) => [
          c.id,
          c.status,
          c.closed,
          c.followUps.map((f) => f.status),
        ]),
      ).toEqual([
        ["c-b2", "not_done", false, ["not_done"]],
        ["c-b1", "done", true, ["partly", "done"]],
      ]);
      // A member id belongs to one table; nobody else's commitments, no unknown member's.
      expect(await storage.memberCommitments("tbl-2", "m-ana")).toMatchObject([{ id: "c-x" }]);
      expect(await storage.memberCommitments(table.tableId, "m-nobody")).toEqual([]);
      expect(await storage.memberCommitments("tbl-unknown", "m-ana")).toEqual([]);
    });
  });

  it("marks meetings that never ended as interrupted, once, and leaves ended ones alone", async () => {
    const storage = await withTable();
    await storage.createTable({ ...table, tableId: "tbl-2" });
    await storage.startMeeting({ id: "m-ended", tableId: table.tableId, startedAt: 1_000 });
    await storage.endMeeting({ id: "m-ended", endedAt: 2_000, rounds: 1, members: 4 });
    await storage.startMeeting({ id: "m-died", tableId: table.tableId, startedAt: 3_000 });
    await storage.startMeeting({ id: "m-died-2", tableId: "tbl-2", startedAt: 4_000 });

    expect(await storage.closeInterruptedMeetings(50_000)).toBe(2);
    const rows = await dialect.rows(
      url,
      "SELECT id, ended_at, rounds, members, interrupted FROM meetings ORDER BY id",
    );
    expect(
      rows.map((r) => ({
        id: r.id,
        endedAt: Number(r.ended_at),
        rounds: Number(r.rounds),
        interrupted: Boolean(r.interrupted),
      })),
    ).toEqual([
      { id: "m-died", endedAt: 50_000, rounds: 0, interrupted: true },
      { id: "m-died-2", endedAt: 50_000, rounds: 0, interrupted: true },
      { id: "m-ended", endedAt: 2_000, rounds: 1, interrupted: false },
    ]);
    // Nothing is left open, and an interrupted meeting still counts as held.
    expect(await storage.closeInterruptedMeetings(60_000)).toBe(0);
    expect(await storage.tableSummary(table.tableId)).toMatchObject({ meetings: 2 });
  });

  it("brings a version-1 database up to date, keeping its data, with members-only tables", async () => {
    url = await dialect.freshUrl();
    const old = firstMigrations(dialect, 1);
    try {
      await dialect.migrate(url, old);
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
    // What a version-1 server wrote: a table, a meeting still running, one ended, a commitment.
    for (const sql of [
      `INSERT INTO tables (table_id, name, facilitator_key_hash, created_at)
         VALUES ('tbl-1', 'Thursday circle', 'sha256:4f2a', 1700000000000)`,
      `INSERT INTO meetings (id, table_id, started_at, ended_at, rounds, members)
         VALUES ('m-1', 'tbl-1', 1000, 2000, 2, 5), ('m-2', 'tbl-1', 3000, NULL, 0, 0)`,
      `INSERT INTO commitments (id, table_id, meeting_id, owner_id, owner_name, text, created_at)
         VALUES ('c-1', 'tbl-1', 'm-1', 'member-1', 'Ana', 'Call the board', 1500)`,
    ]) {
      await dialect.rows(url, sql);
    }
    expect(await appliedMigrations()).toBe(1);

    const storage = await open();
    expect(await appliedMigrations()).toBe(migrationCount(dialect));
    expect(await storage.getTable(table.tableId)).toEqual(stored);
    expect(await storage.tableSummary(table.tableId)).toMatchObject({
      openCommitments: 1,
      meetings: 2,
    });
    expect(await storage.roster(table.tableId)).toEqual([]);
    await storage.admit({ tableId: table.tableId, memberId: "member-1", name: "Ana", at: 4_000 });
    expect(await storage.roster(table.tableId)).toHaveLength(1);
    expect(await storage.closeInterruptedMeetings(5_000)).toBe(1);
    // The foreign keys to the tables still hold after the migration.
    await expect(
      storage.startMeeting({ id: "m-x", tableId: "tbl-unknown", startedAt: 1 }),
    ).rejects.toThrow();
  });

  it("lists trust from recorded pulses, oldest first, with means to 1 decimal", async () => {
    const storage = await withTable();
    await storage.recordPulse(pulse("p-3", 3_000, [0, 0, 0, 1, 3], 4.75));
    await storage.recordPulse(pulse("p-1", 1_000, [1, 1, 1, 0, 0], 2));
    await storage.recordPulse(pulse("p-2", 2_000, [0, 0, 1, 1, 1], 4.0001));
    expect((await storage.tableSummary(table.tableId))?.trust).toEqual([
      { endedAt: 1_000, answered: 3, mean: 2 },
      { endedAt: 2_000, answered: 3, mean: 4 },
      { endedAt: 3_000, answered: 4, mean: 4.8 },
    ]);
  });

  it("refuses pulse counts that are not five integers adding up to answered", async () => {
    const storage = await withTable();
    await expect(storage.recordPulse(pulse("p-1", 1, [1, 2, 3, 4], 3))).rejects.toThrow(RangeError);
    await expect(
      storage.recordPulse({ ...pulse("p-2", 1, [0, 0, 3, 0, 0], 3), answered: 4 }),
    ).rejects.toThrow(RangeError);
    await expect(storage.recordPulse(pulse("p-3", 1, [0, 0, 1.5, 1.5, 0], 3.5))).rejects.toThrow(
      RangeError,
    );
    expect((await storage.tableSummary(table.tableId))?.trust).toEqual([]);
  });

  it("keeps everything on reopening, and migrating again changes nothing", async () => {
    const first = await withTable();
    await first.startMeeting({ id: "m-1", tableId: table.tableId, startedAt: 1 });
    await first.addCommitment(commitment("c-1", 1));
    await first.recordPulse(pulse("p-1", 5, [0, 0, 0, 3, 0], 4));
    const before = await first.tableSummary(table.tableId);
    await first.close();

    const second = await open();
    const third = await open();
    expect(await second.tableSummary(table.tableId)).toEqual(before);
    expect(await third.openCommitments(table.tableId)).toMatchObject([{ id: "c-1" }]);

    expect(await appliedMigrations()).toBe(migrationCount(dialect));
  });

  it("migrates a new database once when several servers open it at the same time", async () => {
    url = await dialect.freshUrl();
    const [a, b, c] = await Promise.all([open(), open(), open()]);
    await a.createTable(table);
    expect(await b.getTable(table.tableId)).toEqual(stored);
    expect(await c.tableSummary(table.tableId)).toMatchObject({ meetings: 0 });
    expect(await appliedMigrations()).toBe(migrationCount(dialect));
  });

  it("takes many writes at once, follow-ups included, without losing or refusing any", async () => {
    const storage = await withTable();
    const ids = Array.from({ length: 40 }, (_, i) => `c-${String(i).padStart(2, "0")}`);
    await Promise.all(ids.map((id, i) => storage.addCommitment(commitment(id, i))));
    await Promise.all([
      ...ids.map((id, i) =>
        storage.reportFollowUp(answer(id, i % 2 === 0 ? "done" : "partly", { note: `note ${id}` })),
      ),
      ...ids.map((id, i) =>
        storage.startMeeting({ id: `m-${id}`, tableId: table.tableId, startedAt: i }),
      ),
      storage.tableSummary(table.tableId),
    ]);
    expect(await storage.tableSummary(table.tableId)).toMatchObject({
      openCommitments: 20,
      meetings: 40,
    });
    const [followUps] = await dialect.rows(url, "SELECT count(*) AS n FROM followups");
    expect(Number(followUps?.n)).toBe(40);
  });

  it("keeps a write whose promise resolved even if the process is killed right after", async () => {
    url = await dialect.freshUrl();
    const setup = await open();
    await setup.createTable(table);
    await setup.close();

    // The child writes, says so, and SIGKILLs itself: no close(), no exit handlers.
    const child = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "--input-type=module", "-e"],
        `import { writeSync } from "node:fs";
         const { openStorage } = await import(${JSON.stringify(pathToFileURL(storageModule).href)});
         const storage = await openStorage(${JSON.stringify(url)});
         await storage.addCommitment(${JSON.stringify(commitment("c-durable", 7))});
         await storage.reportFollowUp(${JSON.stringify(answer("c-durable", "partly", { note: "Halfway" }))});
         writeSync(1, "written\\n");
         process.kill(process.pid, "SIGKILL");`,
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const [, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    expect(output).toBe("written\n");
    expect(signal).toBe("SIGKILL");

    const reopened = await open();
    expect(await reopened.openCommitments(table.tableId)).toEqual([
      { ...commitment("c-durable", 7), status: "partly", note: "Halfway", closed: false },
    ]);
  }, 30_000);

  it("has no column for meeting content or per-person pulse values", async () => {
    await withTable();
    const columns = await dialect.columns(url);
    const own = Object.fromEntries(
      Object.entries(columns).filter(([name]) => !name.includes("__drizzle_migrations")),
    );
    expect(own).toEqual({
      // What the facilitator plans between meetings: timeboxes, a date, member ids in order.
      tables: [
        ...["admission", "created_at", "facilitator_key_hash", "format", "name"],
        ...["next_meeting_at", "next_presenters", "table_id", "timeboxes"],
      ],
      meetings: ["ended_at", "id", "interrupted", "members", "rounds", "started_at", "table_id"],
      // A person on the roster is their public id and display name, and when: nothing they said.
      roster: ["admitted_at", "member_id", "name", "removed_at", "table_id"],
      commitments: [
        ...["closed", "created_at", "id", "meeting_id", "note", "owner_id", "owner_name"],
        ...["status", "table_id", "text"],
      ],
      followups: ["commitment_id", "id", "meeting_id", "note", "reported_at", "status"],
      pulses: [
        ...["answered", "closed_at", "count1", "count2", "count3", "count4", "count5"],
        ...["id", "mean", "meeting_id", "table_id"],
      ],
    });
    const everyColumn = Object.values(own).flat();
    expect(
      everyColumn.filter((c) => /question|check.?in|word|share|key|rating|issue|park/i.test(c)),
    ).toEqual(["facilitator_key_hash"]);
  });
});

describe("openStorage", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "roundtable-open-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens a file: URL as SQLite, creating the file's directory", async () => {
    const file = join(dir, "nested dir", "deeper", "rt.db");
    const storage = await openStorage(pathToFileURL(file).href);
    await storage.createTable(table);
    await storage.close();
    expect(existsSync(file)).toBe(true);
    const again = await openStorage(`file:${file}`);
    expect(await again.getTable(table.tableId)).toEqual(stored);
    await again.close();
  });

  it("refuses a URL scheme it does not support, without echoing the URL", async () => {
    await expect(openStorage("mysql://user:secret@localhost/db")).rejects.toThrow(
      /scheme "mysql:" is not supported/,
    );
    await expect(openStorage("mysql://user:secret@localhost/db")).rejects.not.toThrow(/secret/);
  });
});
