// What storage promises its callers, apart from how it is opened (index.ts) and how each
// database keeps it (sqlite.ts, postgres.ts). Its own module so that those files and rules.ts
// take their types from here without importing index.ts, which imports them.
import type {
  Admission,
  CommitmentStatus,
  TableFormat,
  TimeboxMinutes,
} from "../../shared/types.ts";

export type { Admission, CommitmentStatus, TableFormat, TimeboxMinutes };

/** A follow-up answer: a commitment's status after "open". */
export type FollowUpStatus = Exclude<CommitmentStatus, "open">;

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

/** A new commitment: stored open, with an empty note. */
export type NewCommitment = Omit<StoredCommitment, "status" | "note" | "closed">;

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
  /** The table's own timeboxes in whole minutes; only those set (the rest default). */
  timeboxes: TimeboxMinutes;
  /** When the table meets next, epoch ms; null when not planned. */
  nextMeetingAt: number | null;
  /** Member ids planned to present next, in order (as stored: callers filter to the roster). */
  nextPresenters: string[];
}

/** A new table: admission defaults to "members", format to "roundtable"; nothing planned yet. */
export type NewTable = Omit<
  TableRecord,
  "admission" | "format" | "timeboxes" | "nextMeetingAt" | "nextPresenters"
> &
  Partial<Pick<TableRecord, "admission" | "format">>;

/**
 * What a facilitator changes between meetings; each field given replaces the stored one, except
 * `timeboxes`, which is merged into them (any subset of whole minutes 1–120).
 */
export interface TablePatch {
  timeboxes?: TimeboxMinutes;
  nextMeetingAt?: number | null;
  nextPresenters?: string[];
  format?: TableFormat;
}

/** One meeting of a table as its history tells it: no content, counts only. Times epoch ms. */
export interface MeetingHistory {
  startedAt: number;
  /** Null while the meeting runs. */
  endedAt: number | null;
  /** Members who took part (0 until it ended). */
  members: number;
  /** Rounds held (0 until it ended). */
  rounds: number;
  /** Commitments made at it (and not taken back there). */
  made: number;
  /** Follow-up answers given at it, by status. */
  done: number;
  partly: number;
  notDone: number;
}

/** A follow-up answer as its owner reads it back; reportedAt in epoch ms. */
export interface FollowUpEntry {
  status: FollowUpStatus;
  note: string;
  reportedAt: number;
}

/** A member's own commitment with every follow-up answer given to it, oldest first. */
export interface MemberCommitment {
  id: string;
  text: string;
  /** The latest answer ("open" until one is given). */
  status: CommitmentStatus;
  /** When it was made, epoch ms. */
  createdAt: number;
  /** True once reported "done" or dropped by its owner. */
  closed: boolean;
  followUps: FollowUpEntry[];
}

/** A person a "members" table has admitted: public memberId and display name, nothing else. */
export interface RosterEntry {
  memberId: string;
  name: string;
  /** Epoch ms of the latest admission. */
  admittedAt: number;
  /** Epoch ms of the removal; null while on the roster. */
  removedAt: number | null;
}

/** A member let onto a table's roster, with their current display name; `at` in epoch ms. */
export interface RosterAdmission {
  tableId: string;
  memberId: string;
  name: string;
  at: number;
}

/** A member taken off a table's roster; `at` in epoch ms. */
export type RosterRemoval = Omit<RosterAdmission, "name">;

/** A revealed pulse on a table's trust trend. */
export interface TrustPoint {
  /** The pulse's close time, epoch milliseconds. */
  endedAt: number;
  /** How many answered. */
  answered: number;
  /** Mean on 1–5 with 1 decimal. */
  mean: number;
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
  /** Revealed pulses, oldest first. */
  trust: TrustPoint[];
}

/**
 * What the credentialed GET /api/tables/:tableId (and PATCH) answers: the summary, and what lies
 * between meetings. Built by server/api.ts; its own type here so that the app reads the same.
 */
export interface TableDetails extends TableSummary {
  format: TableFormat;
  admission: Admission;
  /** Every timebox in whole minutes: the table's own, the defaults elsewhere. */
  timeboxes: Required<TimeboxMinutes>;
  nextMeetingAt: number | null;
  /** Planned presenters still on the roster, in order. */
  nextPresenters: string[];
  /** Who is on the roster now, oldest admission first. */
  roster: { memberId: string; name: string }[];
  history: MeetingHistory[];
  /** Whether a meeting of the table runs now (an unlocked room is listed). */
  meetingNow: boolean;
  /** Who the key sent is: its own member id, and whether it is the facilitator key. */
  you: { memberId: string; facilitator: boolean };
}

/** A follow-up answer to a commitment; reportedAt in epoch milliseconds. */
export interface FollowUpReport {
  commitmentId: string;
  /** The meeting where the answer was given. */
  meetingId: string;
  status: FollowUpStatus;
  note: string;
  /** The owner drops the commitment: it closes whatever the status. */
  drop: boolean;
  reportedAt: number;
}

/** A meeting that started; startedAt in epoch milliseconds. */
export interface NewMeeting {
  id: string;
  tableId: string;
  startedAt: number;
}

/** How a meeting ended: endedAt in epoch milliseconds, rounds held, members who took part. */
export interface MeetingEnd {
  id: string;
  endedAt: number;
  rounds: number;
  members: number;
}

/** A revealed pulse's aggregate: counts[i] = how many answered i + 1; closedAt in epoch milliseconds. */
export interface PulseAggregate {
  id: string;
  tableId: string;
  meetingId: string;
  closedAt: number;
  answered: number;
  counts: number[];
  /** Mean of the answers, stored rounded to 1 decimal. */
  mean: number;
}

/** Durable storage for tables, meetings, commitments and pulse aggregates; every write is committed when its promise resolves. */
export interface Storage {
  /** Stores a new table (admission "members" and format "roundtable" unless given); rejects if the tableId exists. */
  createTable(table: NewTable): Promise<void>;
  /** The table, or undefined for an unknown tableId. */
  getTable(tableId: string): Promise<TableRecord | undefined>;
  /** Changes what a facilitator plans between meetings (see TablePatch) in one statement; the table as it is now, or undefined for an unknown tableId. Throws a RangeError for timeboxes that are not whole minutes 1–120. */
  updateTable(tableId: string, patch: TablePatch): Promise<TableRecord | undefined>;
  /** One entry per meeting started at the table, oldest first: how it went, in counts. */
  history(tableId: string): Promise<MeetingHistory[]>;
  /** A member's own commitments at the table, newest first, each with its follow-up answers oldest first. */
  memberCommitments(tableId: string, memberId: string): Promise<MemberCommitment[]>;
  /** What GET /api/tables/:id answers; trust oldest first, from recorded (revealed) pulses, endedAt = the pulse's closedAt. meetings = meetings started. openCommitments = not closed. */
  tableSummary(tableId: string): Promise<TableSummary | undefined>;
  /** Commitments not yet closed, oldest first. */
  openCommitments(tableId: string): Promise<StoredCommitment[]>;
  /** Stores a new commitment, open with an empty note; createdAt in epoch milliseconds. */
  addCommitment(c: NewCommitment): Promise<void>;
  /** Deletes a commitment and its follow-ups; does nothing for an unknown id. */
  removeCommitment(id: string): Promise<void>;
  /** Records a follow-up answer; closes the commitment on "done" or when dropped. reportedAt in epoch milliseconds; rejects for an unknown commitment. */
  reportFollowUp(r: FollowUpReport): Promise<void>;
  /** Records that a meeting started (it counts from now on); startedAt in epoch milliseconds. */
  startMeeting(m: NewMeeting): Promise<void>;
  /** Records how a meeting ended; endedAt in epoch milliseconds, rounds held, members who took part. Rejects for an unknown meeting. */
  endMeeting(m: MeetingEnd): Promise<void>;
  /** Records a revealed pulse's aggregate: counts[i] = how many answered i + 1, mean rounded to 1 decimal; closedAt in epoch milliseconds. */
  recordPulse(p: PulseAggregate): Promise<void>;
  /** Every roster row of a table, on the roster and removed, oldest admission first. */
  roster(tableId: string): Promise<RosterEntry[]>;
  /** Puts a member on the roster (or back on it), with their current display name; `at` in epoch ms. Rejects for an unknown table. */
  admit(r: RosterAdmission): Promise<void>;
  /** Takes a member off the roster; the row stays with removedAt set (the first removal's time). No-op for an unknown member. */
  removeFromRoster(r: RosterRemoval): Promise<void>;
  /** Meetings started but never ended (their process died) are marked interrupted: endedAt = at, interrupted = true. Returns how many. */
  closeInterruptedMeetings(at: number): Promise<number>;
  /** Closes the connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}
