import { ArraySchema, MapSchema, schema, t, type SchemaType } from "@colyseus/schema";

/**
 * The synced state of a meeting, field for field as PROTOCOL.md names it (plus what we add at
 * the end of each structure). Fields marked `.view()` are meeting content: they reach only the
 * clients whose view holds them, i.e. members who agreed to confidentiality.
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
    checkinWord: t.string().view(),
    closingWord: t.string().view(),
    askedThisRound: t.uint8(),
    awaySince: t.number(),
    shareNote: t.string().view(),
    shareHint: t.string().view(),
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
  },
  "Pulse",
);
export type PulseState = SchemaType<typeof PulseState>;

export const RoundtableState = schema(
  {
    tableName: t.string(),
    phase: t.string(),
    round: t.uint16(),
    facilitatorId: t.string(),
    presenterId: t.string(),
    floorId: t.string(),
    members: t.map(MemberState),
    hands: t.array("string"),
    questions: t.array(QuestionState).view(),
    commitments: t.array(CommitmentState).view(),
    pulse: PulseState,
    phaseEndsAt: t.number(),
    turnEndsAt: t.number(),
    floorSince: t.number(),
    phaseOvertime: t.boolean(),
    turnOvertime: t.boolean(),
    volunteers: t.array("string"),
    presented: t.array("string"),
    absentCommitments: t.uint16(),
    turnMs: t.number(),
  },
  "Roundtable",
);
export type RoundtableState = SchemaType<typeof RoundtableState>;

export { ArraySchema, MapSchema };
