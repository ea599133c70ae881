// Dialect-free rules shared by the SQLite and PostgreSQL storages: the schemas' value sets, the
// rows each write produces, and what each statement filters, orders, selects and sets, so that
// the two implementations differ only in how they talk to their database.
import { randomUUID } from "node:crypto";
import { and, asc, eq, isNull, type AnyColumn } from "drizzle-orm";
import { PULSE_COUNTS_FROM } from "../../shared/limits.ts";
import type {
  Admission,
  CommitmentStatus,
  FollowUpReport,
  FollowUpStatus,
  MeetingEnd,
  NewCommitment,
  NewMeeting,
  NewTable,
  PulseAggregate,
  RosterAdmission,
  RosterRemoval,
  TableFormat,
} from "./types.ts";

/** Who may come in: the roster's members (the safe default), or anyone with the link. */
export const admissions = ["members", "open"] as const satisfies readonly Admission[];

/** The meeting's flow. */
export const formats = ["roundtable", "forum"] as const satisfies readonly TableFormat[];

/** Every value a commitment's status may take. */
export const commitmentStatuses = [
  "open",
  "done",
  "partly",
  "not_done",
] as const satisfies readonly CommitmentStatus[];

/** Every answer a follow-up may record. */
export const followUpStatuses = [
  "done",
  "partly",
  "not_done",
] as const satisfies readonly FollowUpStatus[];

/** SQL list literal of the given values, for CHECK constraints (values are constants above). */
export function sqlList(values: readonly string[]): string {
  return `(${values.map((v) => `'${v}'`).join(", ")})`;
}

/** The row a new table is stored as: "members" and "roundtable" unless told otherwise. */
export function tableRow(t: NewTable) {
  return {
    tableId: t.tableId,
    name: t.name,
    facilitatorKeyHash: t.facilitatorKeyHash,
    createdAt: t.createdAt,
    admission: t.admission ?? "members",
    format: t.format ?? "roundtable",
  };
}

/** What an admission writes over an existing roster row: the current name, the time, no removal. */
export function admission(r: RosterAdmission) {
  return { name: r.name, admittedAt: r.at, removedAt: null };
}

/** A new roster row: on the roster, with the current display name. */
export function rosterRow(r: RosterAdmission) {
  return { tableId: r.tableId, memberId: r.memberId, ...admission(r) };
}

/** The row a new commitment is stored as: open, no note. */
export function commitmentRow(c: NewCommitment) {
  return {
    id: c.id,
    tableId: c.tableId,
    meetingId: c.meetingId,
    ownerId: c.ownerId,
    ownerName: c.ownerName,
    text: c.text,
    createdAt: c.createdAt,
    status: "open" as const,
    note: "",
    closed: false,
  };
}

/** The commitment's new columns after a follow-up: "done" or a drop closes it; nothing reopens it. */
export function commitmentAfterFollowUp(r: FollowUpReport) {
  const closes = r.status === "done" || r.drop;
  return { status: r.status, note: r.note, ...(closes ? { closed: true } : {}) };
}

/** The history row of a follow-up answer. */
export function followUpRow(r: FollowUpReport) {
  return {
    id: randomUUID(),
    commitmentId: r.commitmentId,
    meetingId: r.meetingId,
    status: r.status,
    note: r.note,
    reportedAt: r.reportedAt,
  };
}

/** The row of a meeting that just started. */
export function meetingRow(m: NewMeeting) {
  return {
    id: m.id,
    tableId: m.tableId,
    startedAt: m.startedAt,
    endedAt: null,
    rounds: 0,
    members: 0,
    interrupted: false,
  };
}

/** The row of a revealed pulse; throws a RangeError for counts that are not five non-negative integers adding up to answered (or all 0, below 5 answers). */
export function pulseRow(p: PulseAggregate) {
  const [count1, count2, count3, count4, count5, ...rest] = p.counts;
  if (
    count1 === undefined ||
    count2 === undefined ||
    count3 === undefined ||
    count4 === undefined ||
    count5 === undefined ||
    rest.length > 0 ||
    !p.counts.every((n) => Number.isInteger(n) && n >= 0)
  ) {
    throw new RangeError(
      `A pulse needs five non-negative integer counts, got [${p.counts.join(", ")}]`,
    );
  }
  const total = count1 + count2 + count3 + count4 + count5;
  // Fewer than 5 answers keep no counts (PULSE_COUNTS_FROM): the mean alone.
  const meanAlone = total === 0 && p.answered < PULSE_COUNTS_FROM;
  if (total !== p.answered && !meanAlone) {
    throw new RangeError(`Pulse counts add up to ${total}, not to answered = ${p.answered}`);
  }
  if (!(p.mean >= 1 && p.mean <= 5)) {
    throw new RangeError(`A pulse mean lies between 1 and 5, got ${p.mean}`);
  }
  return {
    id: p.id,
    tableId: p.tableId,
    meetingId: p.meetingId,
    closedAt: p.closedAt,
    answered: p.answered,
    count1,
    count2,
    count3,
    count4,
    count5,
    mean: Math.round(p.mean * 10) / 10,
  };
}

/** Error for a write that names a row that does not exist. */
export function notFound(what: "commitment" | "meeting", id: string): Error {
  return new Error(`Unknown ${what} ${JSON.stringify(id)}`);
}

// The parts of the statements that carry a decision of the contract, over either dialect's
// columns. The builder chains that run them stay in sqlite.ts and postgres.ts: Drizzle types
// each chain per dialect, and a query builder on either database is not callable as one type.

/** A column of either dialect holding values of type T. */
type Of<T> = AnyColumn<{ data: T }>;

/** A table's commitments that are not closed yet. */
export function openCommitmentsOf(
  c: { tableId: Of<string>; closed: Of<boolean> },
  tableId: string,
) {
  return and(eq(c.tableId, tableId), eq(c.closed, false));
}

/** Commitments oldest first; the id orders those made in the same millisecond. */
export function oldestCommitmentsFirst(c: { createdAt: Of<number>; id: Of<string> }) {
  return [asc(c.createdAt), asc(c.id)];
}

/** A revealed pulse as a point of the trust trend: its close time is when it ended. */
export function trustPoint<
  P extends { closedAt: Of<number>; answered: Of<number>; mean: Of<number> },
>(p: P): { endedAt: P["closedAt"]; answered: P["answered"]; mean: P["mean"] } {
  return { endedAt: p.closedAt, answered: p.answered, mean: p.mean };
}

/** Pulses oldest first; the id orders those closed in the same millisecond. */
export function oldestPulsesFirst(p: { closedAt: Of<number>; id: Of<string> }) {
  return [asc(p.closedAt), asc(p.id)];
}

/** What the roster tells of a person: the table is implied, nothing else is kept. */
export function rosterEntry<
  R extends {
    memberId: Of<string>;
    name: Of<string>;
    admittedAt: Of<number>;
    removedAt: Of<number>;
  },
>(r: R): Pick<R, "memberId" | "name" | "admittedAt" | "removedAt"> {
  return { memberId: r.memberId, name: r.name, admittedAt: r.admittedAt, removedAt: r.removedAt };
}

/** Roster rows oldest admission first; the member id orders those admitted in the same millisecond. */
export function oldestAdmissionsFirst(r: { admittedAt: Of<number>; memberId: Of<string> }) {
  return [asc(r.admittedAt), asc(r.memberId)];
}

/** The member's roster row while they are on it, so that a second removal keeps the first one's time. */
export function stillOnRoster(
  r: { tableId: Of<string>; memberId: Of<string>; removedAt: Of<number> },
  who: RosterRemoval,
) {
  return and(eq(r.tableId, who.tableId), eq(r.memberId, who.memberId), isNull(r.removedAt));
}

/** What a removal writes over the roster row: the row stays. */
export function removal(r: RosterRemoval) {
  return { removedAt: r.at };
}

/** What an ended meeting's row records. */
export function meetingEnd(m: MeetingEnd) {
  return { endedAt: m.endedAt, rounds: m.rounds, members: m.members };
}

/** Meetings that started and never ended. */
export function unended(m: { endedAt: Of<number> }) {
  return isNull(m.endedAt);
}

/** What an interrupted meeting's row records: it ended when that was noticed. */
export function interruption(at: number) {
  return { endedAt: at, interrupted: true };
}
