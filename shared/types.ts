import type { ClientMessageType, ClientPayload } from "./messages.ts";
import type { Hint } from "./language.ts";

/** The phases of a meeting, in PROTOCOL.md's words and order. */
export const phases = [
  "lobby",
  "checkIn",
  /** Forum format only: the go-around of updates, between check-in and follow-up. */
  "updates",
  "followUp",
  "choosing",
  "presenting",
  "questions",
  "experiences",
  "commitment",
  "closing",
  "ended",
] as const;
export type Phase = (typeof phases)[number];

/** Timeboxes of a meeting, each in milliseconds. */
export interface Timeboxes {
  /** Milliseconds each member gets for the check-in (the phase gets this times the members). */
  checkInEachMs: number;
  /** Milliseconds the presenter speaks uninterrupted. */
  presentingMs: number;
  /** Milliseconds of probing questions. */
  questionsMs: number;
  /** Milliseconds of experience shares. */
  experiencesMs: number;
  /** Milliseconds a speaker may hold the floor. */
  turnMs: number;
  /** Milliseconds for the presenter's commitments. */
  commitmentMs: number;
  /** Milliseconds of one member's update (forum format). */
  updateMs: number;
}

export const defaultTimeboxes: Timeboxes = {
  checkInEachMs: 30_000,
  presentingMs: 10 * 60_000,
  questionsMs: 10 * 60_000,
  experiencesMs: 20 * 60_000,
  turnMs: 2 * 60_000,
  commitmentMs: 5 * 60_000,
  updateMs: 5 * 60_000,
};

/**
 * A table's own timeboxes in whole minutes (1–120), as `PATCH /api/tables/:id` takes them; any
 * subset, the rest default. Used from the table's next meeting on.
 */
export interface TimeboxMinutes {
  presentingMin?: number;
  questionsMin?: number;
  experiencesMin?: number;
  turnMin?: number;
  commitmentMin?: number;
  updateMin?: number;
}

/** A table's meeting flow: the roundtable of version 1, or the forum with updates. */
export type TableFormat = "roundtable" | "forum";

/** Where a member's turn in the updates go-around stands. */
export type TurnStatus = "" | "done" | "passed" | "skipped";

/** What a presenter wants from the group, on the issue card. */
export type IssueAsk = "questions" | "experiences" | "both";

/** A member's optional 1–10 ratings in their update; 0 = not given. Never stored. */
export interface Ratings {
  work: number;
  family: number;
  personal: number;
}

/** A possible topic on the parking lot (content: members who agreed only; never stored). */
export interface ParkingTopic {
  id: string;
  authorId: string;
  text: string;
  /** Member ids who voted for it, sorted. */
  voters: string[];
}

/** The presenter's issue card, shared when presenting and cleared when the round ends. */
export interface IssueCard {
  title: string;
  why: string;
  tried: string;
  ask: IssueAsk;
}

/** Per-table settings of the meeting. */
export interface MeetingConfig {
  timeboxes: Timeboxes;
  /** Fewest answers before a pulse's result is shown (k). */
  pulseThreshold: number;
}

export const defaultConfig: MeetingConfig = { timeboxes: defaultTimeboxes, pulseThreshold: 3 };

export interface Member {
  id: string;
  name: string;
  connected: boolean;
  /** Left for good (or did not come back in time); the seat is free until they return. */
  left: boolean;
  agreed: boolean;
  /** Epoch milliseconds since the member's connection dropped; 0 while connected. */
  awaySince: number;
  /** Took the floor in this round's experience shares. */
  sharedThisRound: boolean;
  /** Times the member took the floor in this round's probing questions. */
  askedThisRound: number;
  /** Milliseconds the member held the floor in this meeting (the current turn excluded). */
  airtimeMs: number;
  checkinWord: string;
  closingWord: string;
  /** What the member means to share, when they raised a hand with a note. */
  shareNote: string;
  shareHint: Hint | "";
  /** Forum format: where the member's turn in the updates go-around stands. */
  turnStatus: TurnStatus;
  /** Forum format: the ratings given in their update (0 = not given); never stored. */
  ratings: Ratings;
  /** Chose to pass in this round's experience shares. */
  passedThisRound: boolean;
}

export type QuestionStatus = "queued" | "asking" | "answered" | "dismissed";
export interface Question {
  id: string;
  askerId: string;
  text: string;
  status: QuestionStatus;
  hint: Hint;
}

export type CommitmentStatus = "open" | "done" | "partly" | "not_done";
/** An earlier meeting's commitment that is still open, as storage hands it over. */
export interface EarlierCommitment {
  id: string;
  ownerId: string;
  ownerName: string;
  text: string;
  status: CommitmentStatus;
  note: string;
}

/** A commitment in the meeting: made today, or an earlier one under review. */
export interface Commitment extends EarlierCommitment {
  /** An earlier meeting's commitment, under review in follow-up. */
  review: boolean;
  /** The round it was made in; 0 for one under review. */
  round: number;
}

export type PulseStatus = "idle" | "open" | "revealed" | "withheld";
/**
 * Why a closed pulse shows nothing (our addition to PROTOCOL.md): fewer than `threshold` answered,
 * or its answerers differ from an earlier revealed pulse's by so few that comparing the two
 * results would show their answers. `""` unless withheld.
 */
export type PulseWithheldBecause = "" | "too_few" | "would_compare";
/**
 * The anonymous trust pulse. Only aggregates: how many answered each score, and who answered
 * (sorted, so the order of answers is not kept either). Never a member's score.
 */
export interface Pulse {
  status: PulseStatus;
  /** Pulses opened in this meeting; 0 before the first. */
  seq: number;
  answered: number;
  answeredBy: string[];
  /** How many answered 1, 2, 3, 4 and 5. */
  counts: [number, number, number, number, number];
  threshold: number;
  mean: number;
  withheldBecause: PulseWithheldBecause;
}

/** Who may come in: `members`, the table's roster (others wait to be let in); `open`, anyone with the link. */
export type Admission = "members" | "open";

/** Why the facilitator is asked about someone waiting: what the table knows of their member id. */
export type WaitingReason = "never_admitted" | "new_device" | "removed_earlier";

/** Someone waiting to be let in at a `members` table. They hold no seat and see nothing. */
export interface Waiting {
  id: string;
  name: string;
  /** Epoch milliseconds since they have been waiting. */
  since: number;
  reason: WaitingReason;
}

export interface ProtocolContext {
  tableName: string;
  config: MeetingConfig;
  admission: Admission;
  /** The table's roster, memberId → display name: who comes straight in at a `members` table. */
  roster: Record<string, string>;
  /** Member ids that were on the roster and were removed. */
  removedEarlier: string[];
  /** People waiting for the facilitator to let them in, by member id. */
  waiting: Record<string, Waiting>;
  /** Members who joined this meeting with the table's key: never refused, never removed. */
  keyHolders: string[];
  members: Record<string, Member>;
  /** Members the facilitator removed at an `open` table; they cannot rejoin this meeting. */
  removed: string[];
  facilitatorId: string;
  presenterId: string;
  floorId: string;
  /** Epoch milliseconds when the floor holder took it; 0 when nobody holds it. */
  floorSince: number;
  /** Member ids in the order the floor will be offered. */
  hands: string[];
  /** Members who volunteered to present next. */
  volunteers: string[];
  /** Members who presented in this meeting, in order. */
  presented: string[];
  questions: Question[];
  questionSeq: number;
  /** Commitments made today, and in follow-up those under review. */
  commitments: Commitment[];
  /** Open commitments from earlier meetings, as storage gave them. */
  earlier: EarlierCommitment[];
  /** Open commitments from earlier meetings whose owners are not here. */
  absentCommitments: number;
  round: number;
  /** Epoch milliseconds when the phase's timebox ends; 0 when none. */
  phaseEndsAt: number;
  /** Epoch milliseconds when the speaker's timebox ends; 0 when nobody has the floor. */
  turnEndsAt: number;
  phaseOvertime: boolean;
  turnOvertime: boolean;
  pulse: Pulse;
  /** Who answered each revealed pulse of this meeting (sorted ids, never a score); not synced or stored. */
  revealedAnswerers: string[][];
  /** The table's flow: a roundtable never enters `updates`. */
  format: TableFormat;
  /** The updates go-around is under way (the phase is `updates`). */
  goingAround: boolean;
  /** The go-around's order, member ids: agreed members at its start, later arrivals appended. */
  turnOrder: string[];
  /** Whose turn it is in the go-around; "" when nobody's. */
  turnId: string;
  /** Forum format: possible topics (content; never stored). */
  parking: ParkingTopic[];
  /** Parking-lot topics added in this meeting: the next id is `p<parkingSeq + 1>`. */
  parkingSeq: number;
  /** The parking-lot topic the round's presenter took; "" when none. */
  topicId: string;
  /** The presenter's issue card in this round; null when none is shared. */
  issue: IssueCard | null;
  /** The member who keeps time with the facilitator; "" when none. */
  timekeeperId: string;
  /** Presenters the facilitator planned for this meeting, in order (roster member ids). */
  nextPresenters: string[];
}

/** What the room adds to every event: who sent it, and when (epoch milliseconds). */
export interface Envelope {
  from: string;
  at: number;
}

// A payload-less message's schema (`z.strictObject({})`) infers `Record<string, never>`, which
// would make `from` and `at` `never`: such a message adds no fields.
type Fields<P> = string extends keyof P ? unknown : P;
type MessageEvent<T extends ClientMessageType> = { type: T } & Fields<ClientPayload<T>> & Envelope;
type ServerFacts = {
  /** The room assigns the id, so storage and state agree on it. */
  "commitment.add": { commitmentId: string };
};

/** An event of the protocol machine: a client message with its envelope. */
export type ProtocolEvent =
  /**
   * A timebox ran out (the machine raises it to itself, delayed; no client sends it): `at` is the
   * end it was set for, so one that a later extension or turn made stale changes nothing.
   */
  | ({ type: "timebox.over"; timer: "phase" | "turn" } & Envelope)
  | {
      [T in Exclude<ClientMessageType, "facilitator.claim">]: MessageEvent<T> &
        (T extends keyof ServerFacts ? ServerFacts[T] : unknown);
    }[Exclude<ClientMessageType, "facilitator.claim">]
  /** The room checks the key and says whether it was the table's; the key never reaches the machine. */
  | ({ type: "facilitator.claim"; keyValid: boolean } & Envelope)
  /** A member joins or comes back; `keyValid` makes them the facilitator. */
  | ({ type: "member.join"; name: string; keyValid: boolean } & Envelope)
  /** A member's connection dropped; the seat is kept. */
  | ({ type: "member.drop" } & Envelope)
  /** A member left for good (or did not come back in time). */
  | ({ type: "member.leave" } & Envelope);

export type ProtocolEventType = ProtocolEvent["type"];

/** What the machine asks the room to record. */
export type ProtocolEmitted =
  | { type: "meeting.started"; at: number }
  | {
      type: "meeting.ended";
      at: number;
      rounds: number;
      members: number;
      /** Who presented, in order: they come off the table's planned presenters. */
      presented: string[];
    }
  | { type: "pulse.revealed"; at: number; answered: number; counts: number[]; mean: number };
