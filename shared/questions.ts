// Probing questions as pure functions over the machine's context: asking one puts the asker's
// hand up, and the presenter or facilitator marks it answered or dismisses it.
import { queueHand } from "./floor.ts";
import { reviewQuestion } from "./language.ts";
import type { ProtocolContext } from "./types.ts";

/** What becomes of a question other than being asked: its asker withdraws it, or it is closed. */
export type QuestionOutcome = "answered" | "dismissed" | "withdrawn";

/**
 * A question joins the asker's waiting ones, with a hint on its wording. An asker whose hand is
 * not up, and who does not hold the floor, raises a hand for it.
 */
export function askQuestion(
  context: ProtocolContext,
  e: { from: string; text: string },
): Partial<ProtocolContext> {
  const seq = context.questionSeq + 1;
  const raise = !context.hands.includes(e.from) && context.floorId !== e.from;
  return {
    questionSeq: seq,
    questions: [
      ...context.questions,
      {
        id: `q${seq}`,
        askerId: e.from,
        text: e.text,
        status: "queued" as const,
        hint: reviewQuestion(e.text).hint,
      },
    ],
    hands: raise ? queueHand(context, e.from, "questions") : context.hands,
  };
}

/**
 * A withdrawn question is gone; an answered or dismissed one stays, with its status. One model
 * for hands and questions: a hand in probing questions waits to ask, so an asker whose last
 * waiting question is withdrawn or dismissed (and who is not speaking) has their hand lowered.
 */
export function settleQuestion(
  context: ProtocolContext,
  questionId: string,
  outcome: QuestionOutcome,
): Partial<ProtocolContext> {
  const asker = context.questions.find((q) => q.id === questionId)?.askerId;
  const questions =
    outcome === "withdrawn"
      ? context.questions.filter((q) => q.id !== questionId)
      : context.questions.map((q) => (q.id === questionId ? { ...q, status: outcome } : q));
  const stillWaiting = questions.some((q) => q.askerId === asker && q.status === "queued");
  const hadQuestions = context.questions.some((q) => q.askerId === asker && q.status === "queued");
  const lower = asker !== undefined && hadQuestions && !stillWaiting;
  return { questions, hands: lower ? context.hands.filter((id) => id !== asker) : context.hands };
}
