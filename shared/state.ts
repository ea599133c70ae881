// The synced state of a meeting, defined once: the Colyseus schema the server mirrors the machine
// into and the client decodes. Its plain shape (`SyncedState`), the client's defaults for what a
// view leaves out (`blankState`) and the server's mirror all come from this definition.
import {
  ArraySchema,
  MapSchema,
  Schema,
  schema,
  t,
  type SchemaType,
  type ToJSON,
} from "@colyseus/schema";
import type { Hint } from "./language.ts";
import {
  defaultConfig,
  type Admission,
  type CommitmentStatus,
  type IssueAsk,
  type TableFormat,
  type TurnStatus,
  type Phase,
  type PulseStatus,
  type PulseWithheldBecause,
  type QuestionStatus,
  type WaitingReason,
} from "./types.ts";

/**
 * Who sees a field, as view tags (powers of two, combined in a client's view). A field without a
 * tag reaches every connection, people waiting to be let in included: only `tableName` and
 * `phase` go untagged.
 */
export const Audience = {
  /** Admitted members: who is here, roles, queue, timers. */
  admitted: 1,
  /** Members who agreed to confidentiality: what is said, and the pulse. */
  agreed: 2,
  /** The facilitator: who waits to be let in. */
  facilitator: 4,
} as const;
const { admitted, agreed, facilitator } = Audience;

/** A member's 1–10 ratings in their update; 0 = not given (forum format). */
export const RatingsState = schema(
  { work: t.uint8(), family: t.uint8(), personal: t.uint8() },
  "Ratings",
);
export type RatingsState = SchemaType<typeof RatingsState>;

export const MemberState = schema(
  {
    id: t.string(),
    name: t.string(),
    connected: t.boolean(),
    agreed: t.boolean(),
    handUp: t.boolean(),
    sharedThisRound: t.boolean(),
    /** Milliseconds the member held the floor in this meeting (the current turn excluded). */
    airtimeMs: t.number(),
    checkinWord: t.string().view(agreed),
    closingWord: t.string().view(agreed),
    askedThisRound: t.uint8(),
    /** Epoch milliseconds since the member's connection dropped; 0 while connected. */
    awaySince: t.number(),
    shareNote: t.string().view(agreed),
    /** The language checker's verdict on the share note: for the facilitator's eyes. */
    shareHint: t.string<Hint | "">().view(facilitator),
    left: t.boolean(),
    /** Version 2, forum format: where the member's turn in the updates stands. */
    turnStatus: t.string<TurnStatus>().view(admitted),
    /** Version 2, forum format: ratings given in their update, never stored. */
    ratings: t.ref(RatingsState).view(agreed),
    /** Version 2: chose to pass in this round's experience shares. */
    passedThisRound: t.boolean().view(admitted),
  },
  "Member",
);
export type MemberState = SchemaType<typeof MemberState>;

export const QuestionState = schema(
  {
    id: t.string(),
    askerId: t.string(),
    text: t.string(),
    status: t.string<QuestionStatus>(),
    hint: t.string<Hint>(),
  },
  "Question",
);
export type QuestionState = SchemaType<typeof QuestionState>;

export const CommitmentState = schema(
  {
    id: t.string(),
    ownerId: t.string(),
    ownerName: t.string(),
    text: t.string(),
    status: t.string<CommitmentStatus>(),
    note: t.string(),
    review: t.boolean(),
    round: t.uint16(),
  },
  "Commitment",
);
export type CommitmentState = SchemaType<typeof CommitmentState>;

export const PulseState = schema(
  {
    status: t.string<PulseStatus>().default("idle"),
    answered: t.uint8(),
    threshold: t.uint8().default(defaultConfig.pulseThreshold),
    counts: t.array("uint8"),
    mean: t.float64(),
    seq: t.uint16(),
    /** Why a withheld pulse shows nothing (our addition); `""` unless withheld. */
    withheldBecause: t.string<PulseWithheldBecause>(),
  },
  "Pulse",
);
export type PulseState = SchemaType<typeof PulseState>;

/** A possible topic on the parking lot (version 2). */
export const ParkingState = schema(
  {
    id: t.string(),
    authorId: t.string(),
    text: t.string(),
    votes: t.uint16(),
    /** Who voted for it, sorted (our addition: a member sees their own vote). */
    voters: t.array("string"),
  },
  "ParkingTopic",
);
export type ParkingState = SchemaType<typeof ParkingState>;

/** The presenter's issue card (version 2); all "" when none is shared. */
export const IssueState = schema(
  {
    title: t.string(),
    why: t.string(),
    tried: t.string(),
    ask: t.string<IssueAsk | "">(),
  },
  "IssueCard",
);
export type IssueState = SchemaType<typeof IssueState>;

export const WaitingState = schema(
  {
    id: t.string(),
    name: t.string(),
    /** Epoch milliseconds since they have been waiting. */
    since: t.number(),
    reason: t.string<WaitingReason>(),
  },
  "Waiting",
);
export type WaitingState = SchemaType<typeof WaitingState>;

/**
 * The synced state, field for field as PROTOCOL.md names it (plus what we add at the end of each
 * structure), each field tagged with the audience it reaches (`Audience`).
 */
export const RoundtableState = schema(
  {
    tableName: t.string(),
    phase: t.string<Phase>().default("lobby"),
    round: t.uint16().view(admitted),
    facilitatorId: t.string().view(admitted),
    presenterId: t.string().view(admitted),
    floorId: t.string().view(admitted),
    members: t.map(MemberState).view(admitted),
    hands: t.array("string").view(admitted),
    questions: t.array(QuestionState).view(agreed),
    commitments: t.array(CommitmentState).view(agreed),
    pulse: t.ref(PulseState).view(agreed),
    /** Epoch milliseconds when the phase's timebox ends; 0 when none. */
    phaseEndsAt: t.number().view(admitted),
    /** Epoch milliseconds when the speaker's timebox ends; 0 when nobody has the floor. */
    turnEndsAt: t.number().view(admitted),
    floorSince: t.number().view(admitted),
    phaseOvertime: t.boolean().view(admitted),
    turnOvertime: t.boolean().view(admitted),
    volunteers: t.array("string").view(admitted),
    presented: t.array("string").view(admitted),
    absentCommitments: t.uint16().view(admitted),
    /** Milliseconds a speaker may hold the floor. */
    turnMs: t.number().view(admitted).default(defaultConfig.timeboxes.turnMs),
    admission: t.string<Admission>().view(admitted).default("members"),
    /** People waiting to be let in; only the facilitator receives them. */
    waiting: t.map(WaitingState).view(facilitator),
    // Version 2.
    format: t.string<TableFormat>().view(admitted).default("roundtable"),
    /** Forum format: the updates go-around's order (member ids) and whose turn it is. */
    turnOrder: t.array("string").view(admitted),
    turnId: t.string().view(admitted),
    /** Forum format: possible topics (content). */
    parking: t.array(ParkingState).view(agreed),
    /** The parking-lot topic the round's presenter took; "" when none. */
    topicId: t.string().view(admitted),
    /** The presenter's issue card, while shared in this round (content). */
    issue: t.ref(IssueState).view(agreed),
    timekeeperId: t.string().view(admitted),
    /** The presenters the facilitator planned for this meeting, in order (our addition). */
    nextPresenters: t.array("string").view(admitted),
    /** Milliseconds of one update in the go-around (forum format). */
    updateMs: t.number().view(admitted).default(defaultConfig.timeboxes.updateMs),
  },
  "Roundtable",
);
export type RoundtableState = SchemaType<typeof RoundtableState>;

/** The synced state as a client decodes it, in plain JSON (`room.state.toJSON()`). */
export type SyncedState = ToJSON<RoundtableState>;
/** A member as the synced state carries them. */
export type SyncedMember = ToJSON<MemberState>;

/** A schema class made by `schema()`: constructible without arguments. */
export type SchemaClass = new () => Schema;
type FieldType = string | SchemaClass | { map: unknown } | { array: unknown } | { ref: unknown };
interface Field {
  name: string;
  type: FieldType;
}

/** The schema's own fields, in order: name and type, as Colyseus keeps them. */
export function fieldsOf(ctor: SchemaClass): Field[] {
  const metadata = (ctor as unknown as Record<symbol, Record<string, Field> | undefined>)[
    Symbol.metadata
  ];
  return Object.entries(metadata ?? {})
    .filter(([key]) => /^\d+$/.test(key))
    .map(([, field]) => field);
}

/** The value of a field nobody has set or sent: its default, else the zero of its type. */
function blankValue(type: FieldType, value: unknown): unknown {
  if (typeof type === "function") return blank(type);
  if (value !== undefined) return value;
  if (typeof type === "string") {
    if (type === "string") return "";
    if (type === "boolean") return false;
    return 0;
  }
  if ("map" in type) return {};
  return [];
}

/**
 * A whole plain object of the schema, every field present: what a field a view leaves out, or a
 * first patch has not brought yet, reads as.
 */
export function blank(ctor: SchemaClass): Record<string, unknown> {
  const defaults = new ctor().toJSON() as Record<string, unknown>;
  return Object.fromEntries(
    fieldsOf(ctor).map(({ name, type }) => [name, blankValue(type, defaults[name])]),
  );
}

export { ArraySchema, MapSchema };
