// Hands, the queue and the floor in the two hand phases, as pure functions over the machine's
// context: the machine's hand and floor actions are one-liners over these.
import { reviewShare } from "./language.ts";
import { nextSpeaker } from "./rules.ts";
import type { Phase, ProtocolContext } from "./types.ts";

/** The phases in which hands go up and the floor is given. */
export type HandPhase = "questions" | "experiences";

/**
 * Where a raised hand goes: members who have not yet spoken in this phase of the round stand
 * ahead of those who have ("everyone once before anyone twice"), first come first served within.
 */
export function queueHand(context: ProtocolContext, id: string, phase: Phase): string[] {
  const spoke = (memberId: string) => {
    const m = context.members[memberId];
    return phase === "experiences" ? m?.sharedThisRound === true : (m?.askedThisRound ?? 0) > 0;
  };
  if (spoke(id)) return [...context.hands, id];
  const firstSpoken = context.hands.findIndex(spoke);
  if (firstSpoken < 0) return [...context.hands, id];
  return [...context.hands.slice(0, firstSpoken), id, ...context.hands.slice(firstSpoken)];
}

/**
 * The floor changes hands: the previous holder's airtime is counted, their question (if they
 * were asking one) is done, and the new holder's hand drops. In probing questions, a holder who
 * still has a question waiting goes back in the queue. Without a phase (the holder left, or the
 * meeting ended), the floor is only released.
 */
export function passFloor(
  context: ProtocolContext,
  to: string,
  at: number,
  phase: HandPhase | null,
): Partial<ProtocolContext> {
  const members = { ...context.members };
  const previous = context.floorId;
  let questions = context.questions;
  let hands = context.hands;
  if (previous !== "" && members[previous]) {
    const held = members[previous];
    members[previous] = {
      ...held,
      airtimeMs: held.airtimeMs + Math.max(0, at - context.floorSince),
    };
    questions = questions.map((q) =>
      q.askerId === previous && q.status === "asking" ? { ...q, status: "answered" } : q,
    );
    const waiting = questions.some((q) => q.askerId === previous && q.status === "queued");
    if (phase === "questions" && waiting && !hands.includes(previous)) {
      hands = queueHand({ ...context, members, hands }, previous, phase);
    }
  }
  if (to === "") {
    return {
      members,
      questions,
      hands,
      floorId: "",
      floorSince: 0,
      turnEndsAt: 0,
      turnOvertime: false,
    };
  }
  const next = members[to];
  if (next) {
    members[to] =
      phase === "experiences"
        ? { ...next, sharedThisRound: true, passedThisRound: false }
        : { ...next, askedThisRound: next.askedThisRound + 1 };
  }
  if (phase === "questions") {
    const first = questions.findIndex((q) => q.askerId === to && q.status === "queued");
    if (first >= 0) {
      questions = questions.map((q, i) => (i === first ? { ...q, status: "asking" } : q));
    }
  }
  return {
    members,
    questions,
    hands: hands.filter((id) => id !== to),
    floorId: to,
    floorSince: at,
    turnEndsAt: at + context.config.timeboxes.turnMs,
    turnOvertime: false,
  };
}

/** The floor is let go, if anyone holds it: their airtime is counted, nobody takes it. */
export function releaseFloor(
  context: ProtocolContext,
  at: number,
  phase: HandPhase | null = null,
): Partial<ProtocolContext> {
  return passFloor(context, "", at, phase);
}

/**
 * The floor is given to the member named, or to the head of the queue when nobody is named.
 */
export function giveFloor(
  context: ProtocolContext,
  e: { memberId?: string; at: number },
  phase: HandPhase,
): Partial<ProtocolContext> {
  return passFloor(context, e.memberId ?? nextSpeaker(context) ?? "", e.at, phase);
}

/**
 * A hand goes up and joins the queue. In experience shares it may carry a note of what the
 * member means to share, reviewed for a hint; a hand raised without one clears an earlier note.
 */
export function raiseHand(
  context: ProtocolContext,
  e: { from: string; note?: string },
  phase: HandPhase,
): Partial<ProtocolContext> {
  const hands = queueHand(context, e.from, phase);
  const m = context.members[e.from];
  const note = phase === "experiences" ? (e.note ?? "") : "";
  if (!m) return { hands };
  return {
    hands,
    members: {
      ...context.members,
      [e.from]: { ...m, shareNote: note, shareHint: note ? reviewShare(note).hint : "" },
    },
  };
}

/** A hand comes down: the member's own, or the one the facilitator lowers. */
export function lowerHand(context: ProtocolContext, id: string): Partial<ProtocolContext> {
  return { hands: context.hands.filter((h) => h !== id) };
}
