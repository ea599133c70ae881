// The meeting's course outside the hand phases: words at check-in and closing, volunteering,
// a new round with its presenter, and the end of the meeting. Pure functions over the context.
import { releaseFloor } from "./floor.ts";
import { closedPulse, revealedEvent } from "./pulse.ts";
import type { ProtocolContext, ProtocolEmitted } from "./types.ts";

/** The one word a member gives at check-in (`checkinWord`) or at closing (`closingWord`). */
export function sayWord(
  context: ProtocolContext,
  e: { from: string; word: string },
  field: "checkinWord" | "closingWord",
): Partial<ProtocolContext> {
  const m = context.members[e.from];
  if (!m) return {};
  return { members: { ...context.members, [e.from]: { ...m, [field]: e.word } } };
}

/** A member offers to present next. */
export function volunteer(context: ProtocolContext, id: string): Partial<ProtocolContext> {
  return { volunteers: [...context.volunteers, id] };
}

/**
 * A round begins with its presenter: everyone may speak again ("everyone once before anyone
 * twice" starts over), notes of earlier shares go, and the round's questions start empty.
 */
export function startRound(
  context: ProtocolContext,
  presenterId: string,
  topicId = "",
): Partial<ProtocolContext> {
  const members = Object.fromEntries(
    Object.entries(context.members).map(([id, m]) => [
      id,
      {
        ...m,
        sharedThisRound: false,
        passedThisRound: false,
        askedThisRound: 0,
        shareNote: "",
        shareHint: "" as const,
      },
    ]),
  );
  return {
    members,
    presenterId,
    topicId,
    issue: null,
    presented: [...context.presented, presenterId],
    volunteers: context.volunteers.filter((v) => v !== presenterId),
    round: context.round + 1,
    questions: [],
  };
}

/**
 * A round ends: nobody presents, the issue card is gone, and the parking-lot topic the round took
 * comes off the lot.
 */
export function endRound(context: ProtocolContext): Partial<ProtocolContext> {
  return {
    presenterId: "",
    issue: null,
    topicId: "",
    parking: context.parking.filter((t) => context.topicId === "" || t.id !== context.topicId),
  };
}

/**
 * A member passes in this round's experience shares: they will not share, and their hand, if up,
 * comes down.
 */
export function passShare(context: ProtocolContext, id: string): Partial<ProtocolContext> {
  const m = context.members[id];
  if (!m) return {};
  return {
    members: { ...context.members, [id]: { ...m, passedThisRound: true } },
    hands: context.hands.filter((h) => h !== id),
  };
}

/**
 * The meeting ends at `at`: an open pulse closes, the floor is released, and the room is told
 * what to record (a pulse revealed by closing it, then the meeting's end).
 */
export function endMeeting(
  context: ProtocolContext,
  at: number,
): { changes: Partial<ProtocolContext>; told: ProtocolEmitted[] } {
  const pulse =
    context.pulse.status === "open"
      ? closedPulse(context.pulse, context.revealedAnswerers)
      : context.pulse;
  const released = context.floorId !== "" ? releaseFloor(context, at) : {};
  const revealed = pulse !== context.pulse && pulse.status === "revealed";
  return {
    changes: {
      ...released,
      ...endRound(context),
      turnId: "",
      goingAround: false,
      turnEndsAt: 0,
      turnOvertime: false,
      pulse,
      hands: [],
      phaseEndsAt: 0,
      phaseOvertime: false,
      presenterId: "",
    },
    told: [
      ...(revealed ? [revealedEvent(pulse, at)] : []),
      {
        type: "meeting.ended",
        at,
        rounds: context.round,
        members: Object.values(context.members).filter((m) => m.agreed).length,
        presented: [...context.presented],
      },
    ],
  };
}
