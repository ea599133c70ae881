import { z } from "zod";
import { nameProblem } from "./names.ts";
import {
  EXTEND_MAX_SECONDS,
  EXTEND_MIN_SECONDS,
  ISSUE_TEXT_MAX,
  ISSUE_TITLE_MAX,
  TOPIC_MAX,
  MEMBER_KEY_MAX,
  MEMBER_KEY_MIN,
  NAME_MAX,
  SHARE_NOTE_MAX,
  TEXT_MAX,
  WORD_MAX,
} from "./limits.ts";

export * from "./limits.ts";
export { nameProblem, sameName } from "./names.ts";

const id = z.string().min(1).max(64);
const text = z.string().trim().min(1).max(TEXT_MAX);
const none = z.strictObject({}).nullish();
const rating = z.number().int().min(1).max(10).optional();

/** Join options of the `roundtable` room. */
export const joinOptionsSchema = z.object({
  tableId: z.string().min(1).max(64),
  /** A display name people can read and tell apart (`nameProblem`). */
  name: z
    .string()
    .max(NAME_MAX * 4)
    .trim()
    .superRefine((name, ctx) => {
      const problem = nameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  memberKey: z.string().min(MEMBER_KEY_MIN).max(MEMBER_KEY_MAX),
  facilitatorKey: z.string().min(1).max(128).optional(),
});
export type JoinOptions = z.infer<typeof joinOptionsSchema>;

/**
 * Every message a client may send, by type, with its payload's schema. The type is also the
 * event type of the protocol machine.
 */
export const clientMessages = {
  "confidentiality.agree": none,
  "meeting.start": none,
  "phase.next": none,
  "checkin.word": z.strictObject({
    word: z.string().trim().min(1).max(WORD_MAX).regex(/^\S+$/, "must be one word"),
  }),
  "followup.report": z.strictObject({
    commitmentId: id,
    status: z.enum(["done", "partly", "not_done"]),
    note: z.string().trim().max(TEXT_MAX).optional(),
    /** Extension: the owner drops a commitment that stays open otherwise. */
    drop: z.boolean().optional(),
  }),
  "presenter.volunteer": none,
  "presenter.choose": z.strictObject({
    memberId: id,
    /** Version 2: a topic from the parking lot taken into the round. */
    topicId: id.optional(),
  }),
  "hand.raise": z
    .strictObject({
      /** Extension: an optional one-line note on what one will share. */
      note: z.string().trim().max(SHARE_NOTE_MAX).optional(),
    })
    .nullish(),
  "hand.lower": none,
  "hand.lowerFor": z.strictObject({ memberId: id }),
  "floor.give": z
    .strictObject({
      memberId: id.optional(),
      /** Extension: who holds the floor now, to pass it on from them (see rules.ts). */
      holder: id.optional(),
    })
    .nullish(),
  "floor.yield": none,
  "question.ask": z.strictObject({ text }),
  "question.withdraw": z.strictObject({ questionId: id }),
  "question.answered": z.strictObject({ questionId: id }),
  "question.dismiss": z.strictObject({ questionId: id }),
  "commitment.add": z.strictObject({ text }),
  "commitment.remove": z.strictObject({ commitmentId: id }),
  "pulse.open": none,
  "pulse.answer": z.strictObject({ score: z.number().int().min(1).max(5) }),
  "pulse.close": none,
  "facilitator.handoff": z.strictObject({ memberId: id }),
  /** The key makes the claim; without one, it succeeds only once the facilitator has been away a minute. */
  "facilitator.claim": z.strictObject({ facilitatorKey: z.string().max(128).optional() }).nullish(),
  "member.remove": z.strictObject({ memberId: id }),
  /** Version 2: the facilitator lets a waiting person in (onto the roster), or declines them. */
  "member.admit": z.strictObject({ memberId: id }),
  "member.decline": z.strictObject({ memberId: id }),
  "meeting.end": none,
  // Version 2, the forum format: the updates go-around, the parking lot, the issue card.
  "turn.done": none,
  "turn.pass": none,
  "turn.next": none,
  "update.rate": z
    .strictObject({ work: rating, family: rating, personal: rating })
    .refine(
      (r) => r.work !== undefined || r.family !== undefined || r.personal !== undefined,
      "give at least one rating",
    ),
  "parking.add": z.strictObject({ text: z.string().trim().min(1).max(TOPIC_MAX) }),
  "parking.remove": z.strictObject({ id }),
  "parking.vote": z.strictObject({ id }),
  "issue.set": z.strictObject({
    title: z.string().trim().min(1).max(ISSUE_TITLE_MAX),
    why: z.string().trim().max(ISSUE_TEXT_MAX).optional(),
    tried: z.string().trim().max(ISSUE_TEXT_MAX).optional(),
    ask: z.enum(["questions", "experiences", "both"]),
  }),
  "share.pass": none,
  // Version 2, every format: time the group controls.
  "timer.extend": z.strictObject({
    seconds: z.number().int().min(EXTEND_MIN_SECONDS).max(EXTEND_MAX_SECONDS),
  }),
  /** `""` clears the timekeeper. */
  "timekeeper.assign": z.strictObject({ memberId: z.string().max(64) }),
} as const;

export type ClientMessageType = keyof typeof clientMessages;
export type ClientPayload<T extends ClientMessageType> = NonNullable<
  z.output<(typeof clientMessages)[T]>
>;

/** All message types, in the order of PROTOCOL.md's table. */
export const clientMessageTypes = Object.keys(clientMessages) as ClientMessageType[];

export function isClientMessageType(type: unknown): type is ClientMessageType {
  return typeof type === "string" && Object.hasOwn(clientMessages, type);
}

/** Codes of the `error` message a refused client receives. */
export type ErrorCode = "not_allowed" | "invalid" | "rate_limited";

/** The `error` message: sent to the sender of a refused message, and only to them. */
export interface ErrorMessage {
  code: ErrorCode;
  message: string;
  type: string;
}

/**
 * The answer to every message, for a client that sends it as a request (`room.request`): sent
 * once the message was refused (the same refusal also arrives as an `error` message) or applied,
 * and stored where it must outlive the meeting.
 */
export type Answer = { ok: true } | ({ ok: false } & ErrorMessage);

/** The `welcome` message a client receives on join. */
export interface WelcomeMessage {
  memberId: string;
  /** Set while the person waits for the facilitator to let them in. */
  waiting?: true;
}

export type ParsedMessage<T extends ClientMessageType = ClientMessageType> =
  { ok: true; type: T; payload: ClientPayload<T> } | { ok: false; message: string };

/** Validates a client message; on failure, a message a person can read. */
export function parseClientMessage(type: unknown, payload: unknown): ParsedMessage {
  if (!isClientMessageType(type)) {
    return {
      ok: false,
      message: `Unknown message type ${JSON.stringify(String(type)).slice(0, 60)}.`,
    };
  }
  const result = clientMessages[type].safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return {
      ok: false,
      message: `Invalid ${type}: ${where}${issue?.message ?? "malformed payload"}.`,
    };
  }
  return { ok: true, type, payload: (result.data ?? {}) as ClientPayload<ClientMessageType> };
}
