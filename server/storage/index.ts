// Storage holds only what accountability and the trust trend need: tables, meeting counts,
// commitments with their follow-up answers, and revealed pulse aggregates. Meeting content
// (questions, check-in words, shares) has no column here, by design.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A commitment's latest follow-up answer; "open" until the owner first reports. */
export type CommitmentStatus = "open" | "done" | "partly" | "not_done";

/** A commitment as stored; times are epoch milliseconds. */
export interface StoredCommitment {
  /** Caller-given id. */
  id: string;
  /** The table the commitment belongs to. */
  tableId: string;
  /** The meeting where it was made. */
  meetingId: string;
  /** Stable public member id of the owner. */
  ownerId: string;
  /** The owner's display name when the commitment was made. */
  ownerName: string;
  /** What the owner said they would do. */
  text: string;
  /** When it was made, epoch milliseconds. */
  createdAt: number;
  /** The latest follow-up answer. */
  status: CommitmentStatus;
  /** The latest follow-up note; "" until one is given. */
  note: string;
  /** True once reported "done" or dropped by the owner. */
  closed: boolean;
}

/** Who may join a table's meetings: admitted members (the roster), or anyone with the link. */
export type Admission = "members" | "open";

/** A table's meeting flow: the roundtable of version 1, or the forum with updates. */
export type TableFormat = "roundtable" | "forum";

/** A table (a group) as stored. */
export interface TableRecord {
  /** Unguessable id from the table's link. */
  tableId: string;
  /** The group's name. */
  name: string;
  /** Hash of the facilitator key; the key itself is never stored. */
  facilitatorKeyHash: string;
  /** When the table was created, epoch milliseconds. */
  createdAt: number;
  /** Who may join: "members" (the roster) or "open" (anyone with the link). */
  admission: Admission;
  /** The meeting's flow. */
  format: TableFormat;
}

/** A new table: admission defaults to "members", format to "roundtable". */
export type NewTable = Omit<TableRecord, "admission" | "format"> &
  Partial<Pick<TableRecord, "admission" | "format">>;

/** A person a "members" table has admitted: public memberId and display name, nothing else. */
export interface RosterEntry {
  memberId: string;
  name: string;
  /** Epoch ms of the latest admission. */
  admittedAt: number;
  /** Epoch ms of the removal; null while on the roster. */
  removedAt: number | null;
}

/** What GET /api/tables/:tableId answers. */
export interface TableSummary {
  /** The table's id. */
  tableId: string;
  /** The group's name. */
  name: string;
  /** Number of commitments not yet closed. */
  openCommitments: number;
  /** Number of meetings started. */
  meetings: number;
  /** Revealed pulses, oldest first; endedAt is the pulse's close time in epoch milliseconds, mean on 1–5 with 2 decimals. */
  trust: { endedAt: number; answered: number; mean: number }[];
}

/** Durable storage for tables, meetings, commitments and pulse aggregates; every write is committed when its promise resolves. */
export interface Storage {
  /** Stores a new table (admission "members" and format "roundtable" unless given); rejects if the tableId exists. */
  createTable(table: NewTable): Promise<void>;
  /** The table, or undefined for an unknown tableId. */
  getTable(tableId: string): Promise<TableRecord | undefined>;
  /** What GET /api/tables/:id answers; trust oldest first, from recorded (revealed) pulses, endedAt = the pulse's closedAt. meetings = meetings started. openCommitments = not closed. */
  tableSummary(tableId: string): Promise<TableSummary | undefined>;
  /** Commitments not yet closed, oldest first. */
  openCommitments(tableId: string): Promise<StoredCommitment[]>;
  /** Stores a new commitment, open with an empty note; createdAt in epoch milliseconds. */
  addCommitment(c: {
    id: string;
    tableId: string;
    meetingId: string;
    ownerId: string;
    ownerName: string;
    text: string;
    createdAt: number;
  }): Promise<void>;
  /** Deletes a commitment and its follow-ups; does nothing for an unknown id. */
  removeCommitment(id: string): Promise<void>;
  /** Records a follow-up answer; closes the commitment on "done" or when dropped. reportedAt in epoch milliseconds; rejects for an unknown commitment. */
  reportFollowUp(r: {
    commitmentId: string;
    meetingId: string;
    status: "done" | "partly" | "not_done";
    note: string;
    drop: boolean;
    reportedAt: number;
  }): Promise<void>;
  /** Records that a meeting started (it counts from now on); startedAt in epoch milliseconds. */
  startMeeting(m: { id: string; tableId: string; startedAt: number }): Promise<void>;
  /** Records how a meeting ended; endedAt in epoch milliseconds, rounds held, members who took part. Rejects for an unknown meeting. */
  endMeeting(m: { id: string; endedAt: number; rounds: number; members: number }): Promise<void>;
  /** Records a revealed pulse's aggregate: counts[i] = how many answered i + 1, mean rounded to 2 decimals; closedAt in epoch milliseconds. */
  recordPulse(p: {
    id: string;
    tableId: string;
    meetingId: string;
    closedAt: number;
    answered: number;
    counts: number[];
    mean: number;
  }): Promise<void>;
  /** Every roster row of a table, on the roster and removed, oldest admission first. */
  roster(tableId: string): Promise<RosterEntry[]>;
  /** Puts a member on the roster (or back on it), with their current display name; `at` in epoch ms. Rejects for an unknown table. */
  admit(r: { tableId: string; memberId: string; name: string; at: number }): Promise<void>;
  /** Takes a member off the roster; the row stays with removedAt set (the first removal's time). No-op for an unknown member. */
  removeFromRoster(r: { tableId: string; memberId: string; at: number }): Promise<void>;
  /** Meetings started but never ended (their process died) are marked interrupted: endedAt = at, interrupted = true. Returns how many. */
  closeInterruptedMeetings(at: number): Promise<number>;
  /** Closes the connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}

/** Opens storage from a DATABASE_URL: unset or a file path / "file:" URL → embedded SQLite (default ./data/roundtable.db, directory created), "postgres://" or "postgresql://" → PostgreSQL. Runs migrations before resolving. */
export async function openStorage(databaseUrl?: string): Promise<Storage> {
  const url = databaseUrl?.trim() || undefined;
  if (url !== undefined && /^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgresStorage } = await import("./postgres.ts");
    return openPostgresStorage(url);
  }
  const { openSqliteStorage } = await import("./sqlite.ts");
  return openSqliteStorage(sqliteUrl(url));
}

/** Default SQLite file, relative to the working directory. */
const defaultSqlitePath = "data/roundtable.db";

// Turns the accepted spellings into the one form libsql reads unambiguously (an absolute,
// percent-encoded file: URL) and makes sure the file's directory exists.
function sqliteUrl(url: string | undefined): string {
  if (url === ":memory:") return url;
  let path: string;
  if (url === undefined) {
    path = defaultSqlitePath;
  } else if (/^file:\/\//i.test(url)) {
    path = fileURLToPath(url);
  } else if (/^file:/i.test(url)) {
    path = decodeURIComponent(url.slice("file:".length));
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // Name only the scheme: the rest of a URL may hold a password.
    const scheme = url.slice(0, url.indexOf(":"));
    throw new Error(
      `DATABASE_URL scheme "${scheme}:" is not supported: use a file path, a "file:" URL, or a "postgres://" URL`,
    );
  } else {
    path = url;
  }
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  return pathToFileURL(absolute).href;
}
