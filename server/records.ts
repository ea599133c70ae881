// What a meeting writes to storage, and when: what must outlive the room is on disk before the
// state shows it (commitments, follow-ups, admissions and removals); the meeting's own record and
// revealed pulses follow what the machine emits. Never what was said beyond commitments.
import { randomBytes } from "node:crypto";
import type { ProtocolContext, ProtocolEmitted, ProtocolEvent } from "../shared/index.ts";
import type { Storage } from "./storage/index.ts";

/** The meeting a record belongs to. */
export interface MeetingRef {
  tableId: string;
  meetingId: string;
}

/** Writes what the event must have stored before the machine applies it; nothing for most events. */
export async function persistBeforeApply(
  storage: Storage,
  meeting: MeetingRef,
  context: ProtocolContext,
  event: ProtocolEvent,
): Promise<void> {
  switch (event.type) {
    case "commitment.add":
      return storage.addCommitment({
        id: event.commitmentId,
        tableId: meeting.tableId,
        meetingId: meeting.meetingId,
        ownerId: event.from,
        ownerName: context.members[event.from]?.name ?? "",
        text: event.text,
        createdAt: event.at,
      });
    case "commitment.remove":
      return storage.removeCommitment(event.commitmentId);
    case "followup.report":
      return storage.reportFollowUp({
        commitmentId: event.commitmentId,
        meetingId: meeting.meetingId,
        status: event.status,
        note: event.note ?? "",
        drop: event.drop ?? false,
        reportedAt: event.at,
      });
    case "member.admit": {
      const person = context.waiting[event.memberId];
      if (!person) return;
      return storage.admit({
        tableId: meeting.tableId,
        memberId: person.id,
        name: person.name,
        at: event.at,
      });
    }
    case "member.remove":
      if (context.admission !== "members") return;
      return storage.removeFromRoster({
        tableId: meeting.tableId,
        memberId: event.memberId,
        at: event.at,
      });
    default:
      return;
  }
}

/**
 * The facilitator's plan moves on: who presented at the meeting that ended comes off the table's
 * planned presenters, so the next one in line is suggested next time. The table is read again
 * here, so a plan changed during the meeting is the one that moves on.
 */
async function advancePlan(storage: Storage, tableId: string, presented: string[]): Promise<void> {
  if (presented.length === 0) return;
  const table = await storage.getTable(tableId);
  if (!table || !table.nextPresenters.some((id) => presented.includes(id))) return;
  await storage.updateTable(tableId, {
    nextPresenters: table.nextPresenters.filter((id) => !presented.includes(id)),
  });
}

/** Writes what the machine hands over: when the meeting ran, the plan moving on, revealed pulses. */
export async function record(
  storage: Storage,
  meeting: MeetingRef,
  emitted: ProtocolEmitted,
): Promise<void> {
  switch (emitted.type) {
    case "meeting.started":
      return storage.startMeeting({
        id: meeting.meetingId,
        tableId: meeting.tableId,
        startedAt: emitted.at,
      });
    case "meeting.ended":
      await storage.endMeeting({
        id: meeting.meetingId,
        endedAt: emitted.at,
        rounds: emitted.rounds,
        members: emitted.members,
      });
      return advancePlan(storage, meeting.tableId, emitted.presented);
    case "pulse.revealed":
      return storage.recordPulse({
        id: randomBytes(12).toString("base64url"),
        tableId: meeting.tableId,
        meetingId: meeting.meetingId,
        closedAt: emitted.at,
        answered: emitted.answered,
        counts: emitted.counts,
        mean: emitted.mean,
      });
    default: {
      const never: never = emitted;
      return never;
    }
  }
}
