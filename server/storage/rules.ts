// Dialect-free rules shared by the SQLite and PostgreSQL storages: the schemas' value sets, the
// rows each write produces, and what each statement filters, orders, selects and sets, so that
// the two implementations differ only in how they talk to their database.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, isNull, type AnyColumn } from "drizzle-orm";
import {
  PULSE_COUNTS_FROM,
  TIMEBOX_MAX_MINUTES,
  TIMEBOX_MIN_MINUTES,
} from "../../shared/limits.ts";
import { defaultTimeboxes, type Timeboxes } from "../../shared/types.ts";
import type {
  Admission,
  CommitmentStatus,
  FollowUpReport,
  FollowUpStatus,
  MeetingEnd,
  MeetingHistory,
  MemberCommitment,
  NewCommitment,
  NewMeeting,
  NewTable,
  PulseAggregate,
  RosterAdmission,
  RosterRemoval,
  TableFormat,
  TablePatch,
  TableRecord,
  TimeboxMinutes,
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

// Between meetings: the table's own timeboxes, its next meeting and its planned presenters.

/** A table's timebox fields in whole minutes, and the meeting timebox (milliseconds) each sets. */
export const timeboxFields = {
  presentingMin: "presentingMs",
  questionsMin: "questionsMs",
  experiencesMin: "experiencesMs",
  turnMin: "turnMs",
  commitmentMin: "commitmentMs",
  updateMin: "updateMs",
} as const satisfies Record<keyof Required<TimeboxMinutes>, keyof Timeboxes>;

/** Whether a timebox is whole minutes within TIMEBOX_MIN_MINUTES–TIMEBOX_MAX_MINUTES. */
export function isTimeboxMinutes(n: unknown): n is number {
  return (
    typeof n === "number" &&
    Number.isInteger(n) &&
    n >= TIMEBOX_MIN_MINUTES &&
    n <= TIMEBOX_MAX_MINUTES
  );
}

/** Every timebox in whole minutes: the table's own where set, the meeting's defaults elsewhere. */
export function timeboxesWithDefaults(own: TimeboxMinutes): Required<TimeboxMinutes> {
  const entries = Object.entries(timeboxFields).map(([field, ms]) => [
    field,
    own[field as keyof TimeboxMinutes] ?? Math.round(defaultTimeboxes[ms] / 60_000),
  ]);
  return Object.fromEntries(entries) as Required<TimeboxMinutes>;
}

/** The timeboxes a patch sets, only known fields; throws a RangeError for any that is not whole minutes 1–120. */
export function timeboxesOf(t: TimeboxMinutes): TimeboxMinutes {
  const set: TimeboxMinutes = {};
  for (const field of Object.keys(timeboxFields) as (keyof TimeboxMinutes)[]) {
    const n = t[field];
    if (n === undefined) continue;
    if (!isTimeboxMinutes(n)) {
      throw new RangeError(
        `A timebox is whole minutes from ${TIMEBOX_MIN_MINUTES} to ${TIMEBOX_MAX_MINUTES}, got ${field} = ${n}`,
      );
    }
    set[field] = n;
  }
  return set;
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A stored table row as callers read it: the JSON columns parsed, anything unreadable dropped. */
export function tableRecord(row: {
  tableId: string;
  name: string;
  facilitatorKeyHash: string;
  createdAt: number;
  admission: Admission;
  format: TableFormat;
  timeboxes: string;
  nextMeetingAt: number | null;
  nextPresenters: string;
}): TableRecord {
  const stored = parsedJson(row.timeboxes);
  const timeboxes: TimeboxMinutes = {};
  if (stored && typeof stored === "object") {
    for (const field of Object.keys(timeboxFields) as (keyof TimeboxMinutes)[]) {
      const n = (stored as Record<string, unknown>)[field];
      if (isTimeboxMinutes(n)) timeboxes[field] = n;
    }
  }
  const presenters = parsedJson(row.nextPresenters);
  return {
    ...row,
    timeboxes,
    nextPresenters: Array.isArray(presenters)
      ? presenters.filter((id): id is string => typeof id === "string")
      : [],
  };
}

/**
 * The columns a patch writes, apart from the timeboxes (merged into the stored JSON by each
 * dialect's own JSON function), and the timeboxes' JSON to merge; undefined when not patched.
 */
export function tablePatchRow(patch: TablePatch): {
  set: { nextMeetingAt?: number | null; nextPresenters?: string; format?: TableFormat };
  timeboxes: string | undefined;
} {
  const set: { nextMeetingAt?: number | null; nextPresenters?: string; format?: TableFormat } = {};
  if (patch.nextMeetingAt !== undefined) set.nextMeetingAt = patch.nextMeetingAt;
  if (patch.nextPresenters !== undefined) set.nextPresenters = JSON.stringify(patch.nextPresenters);
  if (patch.format !== undefined) set.format = patch.format;
  const timeboxes = patch.timeboxes === undefined ? undefined : timeboxesOf(patch.timeboxes);
  return {
    set,
    timeboxes:
      timeboxes === undefined || Object.keys(timeboxes).length === 0
        ? undefined
        : JSON.stringify(timeboxes),
  };
}

/** Meetings oldest first; the id orders those started in the same millisecond. */
export function oldestMeetingsFirst(m: { startedAt: Of<number>; id: Of<string> }) {
  return [asc(m.startedAt), asc(m.id)];
}

/** Commitments newest first; the id orders those made in the same millisecond. */
export function newestCommitmentsFirst(c: { createdAt: Of<number>; id: Of<string> }) {
  return [desc(c.createdAt), desc(c.id)];
}

/** Follow-up answers oldest first. */
export function oldestAnswersFirst(f: { reportedAt: Of<number>; id: Of<string> }) {
  return [asc(f.reportedAt), asc(f.id)];
}

/** A member's own commitments at a table. */
export function commitmentsOf(
  c: { tableId: Of<string>; ownerId: Of<string> },
  tableId: string,
  memberId: string,
) {
  return and(eq(c.tableId, tableId), eq(c.ownerId, memberId));
}

/** Each meeting's history entry from its row and the counts grouped by meeting. */
export function meetingHistory(
  meetings: {
    id: string;
    startedAt: number;
    endedAt: number | null;
    members: number;
    rounds: number;
  }[],
  made: { meetingId: string; n: number }[],
  answers: { meetingId: string; status: FollowUpStatus; n: number }[],
): MeetingHistory[] {
  const madeAt = new Map(made.map((m) => [m.meetingId, Number(m.n)]));
  const answered = new Map<string, Record<FollowUpStatus, number>>();
  for (const a of answers) {
    const counts = answered.get(a.meetingId) ?? { done: 0, partly: 0, not_done: 0 };
    counts[a.status] += Number(a.n);
    answered.set(a.meetingId, counts);
  }
  return meetings.map((m) => {
    const counts = answered.get(m.id);
    return {
      startedAt: m.startedAt,
      endedAt: m.endedAt,
      members: m.members,
      rounds: m.rounds,
      made: madeAt.get(m.id) ?? 0,
      done: counts?.done ?? 0,
      partly: counts?.partly ?? 0,
      notDone: counts?.not_done ?? 0,
    };
  });
}

/** A member's commitments (newest first) with their answers attached, each list in its order. */
export function memberCommitments(
  commitments: Omit<MemberCommitment, "followUps">[],
  answers: { commitmentId: string; status: FollowUpStatus; note: string; reportedAt: number }[],
): MemberCommitment[] {
  const byCommitment = new Map<string, MemberCommitment["followUps"]>();
  for (const { commitmentId, ...answer } of answers) {
    const list = byCommitment.get(commitmentId) ?? [];
    list.push(answer);
    byCommitment.set(commitmentId, list);
  }
  return commitments.map((c) => ({ ...c, followUps: byCommitment.get(c.id) ?? [] }));
}
