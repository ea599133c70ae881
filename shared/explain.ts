import type { ProtocolSnapshot } from "./machine.ts";
import { firstFailure, rules, type RuleName } from "./rules.ts";
import { phaseOf } from "./sync.ts";
import type { ProtocolEvent, ProtocolEventType } from "./types.ts";

/** When each event can happen, in words a refused person reads. */
const when: Record<ProtocolEventType, string> = {
  "confidentiality.agree": "Agreeing to confidentiality is possible until the meeting ends.",
  "meeting.start": "The meeting starts from the lobby.",
  "phase.next": "The meeting has ended.",
  "checkin.word":
    "A one-word check-in is given during check-in, and a one-word close during closing.",
  "followup.report": "Commitments are reported on during follow-up.",
  "presenter.volunteer":
    "Volunteering to present happens while the next presenter is being chosen.",
  "presenter.choose": "A presenter is chosen between rounds.",
  "hand.raise": "Hands go up during probing questions and experience shares.",
  "hand.lower": "Hands are lowered during probing questions and experience shares.",
  "hand.lowerFor": "Hands are lowered during probing questions and experience shares.",
  "floor.give": "The floor is given during probing questions and experience shares.",
  "floor.yield": "The floor is yielded during probing questions and experience shares.",
  "question.ask": "Questions are asked during probing questions.",
  "question.withdraw": "Questions are withdrawn during probing questions.",
  "question.answered": "Questions are marked answered during probing questions.",
  "question.dismiss": "Questions are dismissed during probing questions.",
  "commitment.add": "Commitments are made in the commitment phase.",
  "commitment.remove": "Commitments are removed in the commitment phase.",
  "pulse.open": "A pulse opens after the meeting has started, once the previous one is closed.",
  "pulse.answer": "Pulses are answered while one is open.",
  "pulse.close": "Only an open pulse can be closed.",
  "facilitator.handoff": "Facilitation is handed off while the meeting is open.",
  "facilitator.claim": "Facilitation is claimed while the meeting is open.",
  "member.remove": "Members are removed while the meeting is open.",
  "member.admit": "People are let in while the meeting is open.",
  "member.decline": "People are declined while the meeting is open.",
  "meeting.end": "The meeting has ended already.",
  "member.join": "The meeting has ended: join again to start a new one.",
  "member.drop": "The meeting has ended.",
  "member.leave": "The meeting has ended.",
};

/**
 * Why the machine refuses an event now, in a sentence for the person who sent it; undefined when
 * it is allowed. It reads the same rules as the machine's guards.
 */
export function explainRefusal(
  snapshot: ProtocolSnapshot,
  event: ProtocolEvent,
): string | undefined {
  if (snapshot.can(event)) return undefined;
  const phase = phaseOf(snapshot);
  if (phase !== "ended") {
    const scoped = `${event.type}@${phase}`;
    const rule = (scoped in rules ? scoped : event.type in rules ? event.type : undefined) as
      RuleName | undefined;
    const failure = rule && firstFailure(rule, snapshot.context, event);
    if (failure) return failure;
  }
  return when[event.type];
}
