import { MAX_MEMBERS, MAX_WAITING, PARKING_MAX } from "./limits.ts";
import { comesIn, holdsKey, nameTaken, seatsTaken } from "./membership.ts";
import { topicOf } from "./parking.ts";
import { extendedTimer } from "./timeboxes.ts";
import type { ProtocolContext, ProtocolEvent } from "./types.ts";

/**
 * Who may do what: the checks behind the machine's guards, each with the sentence a refused
 * person reads. Phase order lives in the machine's structure; these rules say who, and on what.
 */
export type Check = readonly [
  test: (context: ProtocolContext, event: AnyEvent) => boolean,
  why: string,
];

// Rules read fields that only some events carry; each check knows which.
type AnyEvent = ProtocolEvent & {
  memberId?: string;
  questionId?: string;
  commitmentId?: string;
  keyValid?: boolean;
  name?: string;
  holder?: string;
  /** A parking-lot topic's id (`parking.remove`, `parking.vote`). */
  id?: string;
  topicId?: string;
};

/** Milliseconds a facilitator must be away before any agreed member may take the role over. */
export const FACILITATOR_AWAY_MS = 60_000;
/** Most questions one member may have waiting at once. */
export const MAX_QUEUED_QUESTIONS = 3;
/** Most commitments a presenter may make in one round. */
export const MAX_COMMITMENTS_PER_ROUND = 10;

const sender = (c: ProtocolContext, e: AnyEvent) => c.members[e.from];
const target = (c: ProtocolContext, e: AnyEvent) =>
  e.memberId === undefined ? undefined : c.members[e.memberId];

/** Members who agreed to confidentiality and are connected now. */
export function presentMembers(c: ProtocolContext) {
  return Object.values(c.members).filter((m) => m.agreed && m.connected);
}

const isMember: Check = [(c, e) => sender(c, e) !== undefined, "Join the table first."];
const agreed: Check = [
  (c, e) => sender(c, e)?.agreed === true,
  "Agree to confidentiality before taking part.",
];
const facilitator: Check = [
  (c, e) => c.facilitatorId === e.from,
  "Only the facilitator can do that.",
];
const presenter: Check = [(c, e) => c.presenterId === e.from, "Only the presenter can do that."];
const facilitatorOrPresenter: Check = [
  (c, e) => c.facilitatorId === e.from || c.presenterId === e.from,
  "Only the facilitator or the presenter can do that.",
];
const notPresenter: Check = [
  (c, e) => c.presenterId !== e.from,
  "The presenter listens in their own round.",
];
const targetAgreed: Check = [
  (c, e) => target(c, e)?.agreed === true,
  "That member is not in the meeting, or has not agreed to confidentiality.",
];
const targetConnected: Check = [
  (c, e) => target(c, e)?.connected === true,
  "That member is not connected right now.",
];
const targetWaiting: Check = [
  (c, e) => e.memberId !== undefined && Object.hasOwn(c.waiting, e.memberId),
  "That person is not waiting to be let in.",
];
const NAME_TAKEN = "Someone here already uses that name. Add an initial or pick another.";
/** A seat for whoever takes one now; the key holder always has one. */
const seatFree = (c: ProtocolContext, id: string, keyValid: boolean) =>
  keyValid || holdsKey(c, id) || seatsTaken(c, id) < MAX_MEMBERS;
const twoAgreed: Check = [
  (c) => presentMembers(c).length >= 2,
  "At least two members must have agreed to confidentiality to start.",
];
const handUp = (c: ProtocolContext, id: string) => c.hands.includes(id);
const question = (c: ProtocolContext, e: AnyEvent) =>
  c.questions.find((q) => q.id === e.questionId);
const waiting = (c: ProtocolContext, e: AnyEvent) => {
  const status = question(c, e)?.status;
  return status === "queued" || status === "asking";
};
const commitment = (c: ProtocolContext, e: AnyEvent) =>
  c.commitments.find((k) => k.id === e.commitmentId);

const raiseHand: Check[] = [
  agreed,
  [(c, e) => !handUp(c, e.from), "Your hand is already up."],
  [(c, e) => c.floorId !== e.from, "You have the floor already."],
];
/**
 * The head of the queue: the first raised hand that may take the floor now — not the presenter's,
 * and not of a member who is away (they keep their place until they are back).
 */
export function nextSpeaker(c: ProtocolContext): string | undefined {
  return c.hands.find((id) => id !== c.presenterId && c.members[id]?.connected === true);
}

const giveFloor: Check[] = [
  [
    (c, e) => e.memberId !== undefined || c.hands.some((id) => id !== c.presenterId),
    "Nobody has a hand up: name whom to give the floor to.",
  ],
  [
    (c, e) => e.memberId !== undefined || nextSpeaker(c) !== undefined,
    "Everyone with a hand up is away: name whom to give the floor to.",
  ],
  [
    (c, e) =>
      e.memberId === undefined ||
      (target(c, e)?.agreed === true && target(c, e)?.connected === true),
    "That member is not here to take the floor.",
  ],
  [
    (c, e) => (e.memberId ?? nextSpeaker(c)) !== c.presenterId,
    "The presenter does not take the floor in their own round.",
  ],
  [(c, e) => (e.memberId ?? nextSpeaker(c)) !== c.floorId, "That member has the floor already."],
  [
    // A give that arrives while someone speaks passes the floor on only when it names who speaks
    // now: a double click, or two people giving at once, cannot skip a speaker.
    (c, e) => c.floorId === "" || e.holder === c.floorId,
    "Someone has the floor: end their turn first, or pass the floor on from them.",
  ],
];
const start: Check[] = [agreed, facilitator, twoAgreed];

// Version 2: the forum format and time control.
const yourTurn: Check = [(c, e) => c.turnId === e.from, "It is not your turn."];
const forum: Check = [(c) => c.format === "forum", "The parking lot is part of the forum format."];
const topicThere: Check = [
  (c, e) => topicOf(c, e.id) !== undefined,
  "That topic is not on the parking lot.",
];

/**
 * Checks by rule name: an event type, or `type@phase` where a phase adds its own. The machine's
 * guard `allowed` runs the named list; `explainRefusal` finds the name in that guard and reads
 * the same list.
 */
export const rules = {
  "confidentiality.agree": [
    isMember,
    [(c, e) => sender(c, e)?.agreed !== true, "You have already agreed to confidentiality."],
    [(c, e) => seatFree(c, e.from, false), "The meeting is full."],
  ],
  "meeting.start": start,
  "phase.next@lobby": start,
  "phase.next": [agreed, facilitator],
  "checkin.word": [agreed],
  "followup.report": [
    agreed,
    [(c, e) => commitment(c, e)?.review === true, "That commitment is not under review."],
    [(c, e) => commitment(c, e)?.ownerId === e.from, "Only its owner reports on a commitment."],
  ],
  "presenter.volunteer": [
    agreed,
    [(c, e) => !c.volunteers.includes(e.from), "You have already volunteered."],
  ],
  "presenter.choose": [
    agreed,
    facilitator,
    targetAgreed,
    targetConnected,
    [
      (c, e) => e.topicId === undefined || topicOf(c, e.topicId) !== undefined,
      "That topic is not on the parking lot.",
    ],
  ],
  "hand.raise@questions": raiseHand,
  "hand.raise@experiences": [...raiseHand, notPresenter],
  "hand.lower": [agreed, [(c, e) => handUp(c, e.from), "Your hand is not up."]],
  "hand.lowerFor": [
    agreed,
    facilitator,
    [(c, e) => e.memberId !== undefined && handUp(c, e.memberId), "That member's hand is not up."],
  ],
  "floor.give@questions": [agreed, facilitatorOrPresenter, ...giveFloor],
  "floor.give@experiences": [agreed, facilitator, ...giveFloor],
  "floor.yield": [
    agreed,
    [(c) => c.floorId !== "", "Nobody has the floor."],
    [
      (c, e) => c.floorId === e.from || c.facilitatorId === e.from,
      "Only the member who has the floor, or the facilitator, can end a turn.",
    ],
  ],
  "question.ask": [
    agreed,
    notPresenter,
    [
      (c, e) =>
        c.questions.filter((q) => q.askerId === e.from && q.status === "queued").length <
        MAX_QUEUED_QUESTIONS,
      `You already have ${MAX_QUEUED_QUESTIONS} questions waiting.`,
    ],
  ],
  "question.withdraw": [
    agreed,
    [(c, e) => question(c, e)?.askerId === e.from, "Only its asker can withdraw a question."],
    [(c, e) => question(c, e)?.status === "queued", "Only a waiting question can be withdrawn."],
  ],
  "question.answered": [
    agreed,
    facilitatorOrPresenter,
    [waiting, "That question is not open."],
    // Only a question someone voiced can be answered: a waiting one is dismissed, or asked.
    [(c, e) => question(c, e)?.status === "asking", "That question has not been asked yet."],
  ],
  "question.dismiss": [agreed, facilitator, [waiting, "That question is not open."]],
  "commitment.add": [
    agreed,
    presenter,
    [
      (c) => c.commitments.filter((k) => k.round === c.round).length < MAX_COMMITMENTS_PER_ROUND,
      `A round holds at most ${MAX_COMMITMENTS_PER_ROUND} commitments.`,
    ],
  ],
  "commitment.remove": [
    agreed,
    presenter,
    [
      (c, e) => commitment(c, e)?.round === c.round && commitment(c, e)?.ownerId === e.from,
      "Only a commitment made in this round can be removed.",
    ],
  ],
  "pulse.open": [agreed, facilitator],
  "pulse.answer": [
    agreed,
    [(c, e) => !c.pulse.answeredBy.includes(e.from), "You have already answered this pulse."],
  ],
  "pulse.close": [agreed, facilitator],
  "facilitator.handoff": [
    agreed,
    facilitator,
    targetAgreed,
    targetConnected,
    [(c, e) => e.memberId !== e.from, "You are the facilitator already."],
  ],
  "facilitator.claim": [
    agreed,
    [(c, e) => c.facilitatorId !== e.from, "You are the facilitator already."],
    [
      // Without the key, only to carry on for a facilitator who was here and has been away a
      // minute: never before the real facilitator has arrived.
      (c, e) => {
        if (e.keyValid === true) return true;
        const holder = c.members[c.facilitatorId];
        return (
          holder !== undefined &&
          !holder.connected &&
          e.at - holder.awaySince >= FACILITATOR_AWAY_MS
        );
      },
      "Facilitation can be claimed with the table's key, or once the facilitator has been away for a minute.",
    ],
  ],
  "member.remove": [
    agreed,
    facilitator,
    [(c, e) => target(c, e) !== undefined, "That member is not in the meeting."],
    [(c, e) => e.memberId !== e.from, "You cannot remove yourself."],
    [
      (c, e) => e.memberId === undefined || !holdsKey(c, e.memberId),
      "The holder of the table's key cannot be removed.",
    ],
  ],
  "member.admit": [
    agreed,
    facilitator,
    targetWaiting,
    [
      (c, e) => !nameTaken(c, c.waiting[e.memberId ?? ""]?.name ?? "", e.memberId ?? ""),
      "Someone here already uses that name: ask them to join again with another.",
    ],
  ],
  "member.decline": [agreed, facilitator, targetWaiting],
  "meeting.end": [agreed, facilitator],
  "member.join": [
    [
      (c, e) => e.keyValid === true || !c.removed.includes(e.from),
      "The facilitator removed you from this meeting.",
    ],
    [
      (c, e) => !nameTaken(c, e.name ?? "", e.from, comesIn(c, e.from, e.keyValid === true)),
      NAME_TAKEN,
    ],
    [
      (c, e) =>
        !comesIn(c, e.from, e.keyValid === true) ||
        c.members[e.from]?.left === false ||
        seatFree(c, e.from, e.keyValid === true),
      "The meeting is full.",
    ],
    [
      (c, e) =>
        comesIn(c, e.from, e.keyValid === true) ||
        Object.hasOwn(c.waiting, e.from) ||
        Object.keys(c.waiting).length < MAX_WAITING,
      "Too many people are waiting to be let in. Try again later.",
    ],
  ],
  "turn.done": [agreed, yourTurn],
  "turn.pass": [agreed, yourTurn],
  "turn.next": [agreed, facilitator, [(c) => c.turnId !== "", "Nobody has the turn."]],
  "update.rate": [
    agreed,
    [(c, e) => c.turnId === e.from, "Ratings are given in your own update, during your turn."],
  ],
  "parking.add": [
    agreed,
    forum,
    [
      (c) => c.parking.length < PARKING_MAX,
      `The parking lot holds at most ${PARKING_MAX} topics: take one off first.`,
    ],
  ],
  "parking.remove": [
    agreed,
    forum,
    topicThere,
    [
      (c, e) => topicOf(c, e.id)?.authorId === e.from || c.facilitatorId === e.from,
      "Only its author or the facilitator can take a topic off the parking lot.",
    ],
  ],
  "parking.vote": [agreed, forum, topicThere],
  "issue.set": [
    agreed,
    [(c, e) => c.presenterId === e.from, "Only this round's presenter shares an issue card."],
  ],
  "share.pass": [
    agreed,
    notPresenter,
    [(c, e) => sender(c, e)?.sharedThisRound !== true, "You have shared in this round already."],
    [(c, e) => sender(c, e)?.passedThisRound !== true, "You have passed in this round already."],
  ],
  "timer.extend": [
    agreed,
    [
      (c, e) => c.facilitatorId === e.from || (c.timekeeperId !== "" && c.timekeeperId === e.from),
      "Only the facilitator or the timekeeper can give more time.",
    ],
    [(c) => extendedTimer(c) === "turn" || c.phaseEndsAt > 0, "This phase has no timer to extend."],
  ],
  "timekeeper.assign": [
    agreed,
    facilitator,
    [
      (c, e) => e.memberId === "" || target(c, e) !== undefined,
      "That member is not in the meeting.",
    ],
    [
      (c, e) => e.memberId === "" || target(c, e)?.connected === true,
      "That member is not connected right now.",
    ],
  ],
  "member.drop": [isMember],
  "member.leave": [
    [
      (c, e) => sender(c, e) !== undefined || Object.hasOwn(c.waiting, e.from),
      "Join the table first.",
    ],
  ],
} satisfies Record<string, readonly Check[]>;

export type RuleName = keyof typeof rules;

/** The first check of the named rule that the event fails, or undefined when all pass. */
export function firstFailure(
  rule: RuleName,
  context: ProtocolContext,
  event: ProtocolEvent,
): string | undefined {
  for (const [test, why] of rules[rule] as readonly Check[]) {
    if (!test(context, event as AnyEvent)) return why;
  }
  return undefined;
}
