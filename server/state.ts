import { ArraySchema, MapSchema, schema, t, type SchemaType } from "@colyseus/schema";

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

/**
 * The synced state of a meeting, field for field as PROTOCOL.md names it (plus what we add at
 * the end of each structure). Every field is tagged with the audience it reaches (`Audience`).
 */
export const MemberState = schema(
  {
    id: t.string(),
    name: t.string(),
    connected: t.boolean(),
    agreed: t.boolean(),
    handUp: t.boolean(),
    sharedThisRound: t.boolean(),
    airtimeMs: t.number(),
    checkinWord: t.string().view(agreed),
    closingWord: t.string().view(agreed),
    askedThisRound: t.uint8(),
    awaySince: t.number(),
    shareNote: t.string().view(agreed),
    shareHint: t.string().view(agreed),
    left: t.boolean(),
  },
  "Member",
);
export type MemberState = SchemaType<typeof MemberState>;

export const QuestionState = schema(
  {
    id: t.string(),
    askerId: t.string(),
    text: t.string(),
    status: t.string(),
    hint: t.string(),
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
    status: t.string(),
    note: t.string(),
    review: t.boolean(),
    round: t.uint16(),
  },
  "Commitment",
);
export type CommitmentState = SchemaType<typeof CommitmentState>;

export const PulseState = schema(
  {
    status: t.string(),
    answered: t.uint8(),
    threshold: t.uint8(),
    counts: t.array("uint8"),
    mean: t.float64(),
    seq: t.uint16(),
    withheldBecause: t.string(),
  },
  "Pulse",
);
export type PulseState = SchemaType<typeof PulseState>;

export const WaitingState = schema(
  {
    id: t.string(),
    name: t.string(),
    since: t.number(),
    reason: t.string(),
  },
  "Waiting",
);
export type WaitingState = SchemaType<typeof WaitingState>;

export const RoundtableState = schema(
  {
    tableName: t.string(),
    phase: t.string(),
    round: t.uint16().view(admitted),
    facilitatorId: t.string().view(admitted),
    presenterId: t.string().view(admitted),
    floorId: t.string().view(admitted),
    members: t.map(MemberState).view(admitted),
    hands: t.array("string").view(admitted),
    questions: t.array(QuestionState).view(agreed),
    commitments: t.array(CommitmentState).view(agreed),
    pulse: t.ref(PulseState).view(agreed),
    phaseEndsAt: t.number().view(admitted),
    turnEndsAt: t.number().view(admitted),
    floorSince: t.number().view(admitted),
    phaseOvertime: t.boolean().view(admitted),
    turnOvertime: t.boolean().view(admitted),
    volunteers: t.array("string").view(admitted),
    presented: t.array("string").view(admitted),
    absentCommitments: t.uint16().view(admitted),
    turnMs: t.number().view(admitted),
    admission: t.string().view(admitted),
    waiting: t.map(WaitingState).view(facilitator),
  },
  "Roundtable",
);
export type RoundtableState = SchemaType<typeof RoundtableState>;

export { ArraySchema, MapSchema };
