import type { Phase } from "../../shared/types.ts";

/** Each phase's name as people see it. */
export const phaseLabel: Record<Phase, string> = {
  lobby: "Lobby",
  checkIn: "Check-in",
  updates: "Updates",
  followUp: "Follow-up: how'd it go?",
  choosing: "Choosing a presenter",
  presenting: "Presenting",
  questions: "Probing questions",
  experiences: "Experience shares",
  commitment: "Commitment",
  closing: "Closing",
  ended: "Meeting ended",
};

/** One sentence on what the group does in each phase, for people new to the protocol. */
export const phaseGuide: Record<Phase, string> = {
  lobby:
    "Everyone joins and agrees to confidentiality. The facilitator starts when the group is here.",
  checkIn: "One word each for how you arrive today.",
  updates:
    "In turn, each member gives an update: work, family, personal, with optional 1\u201310 ratings. Passing is fine; possible topics go on the parking lot.",
  followUp:
    "Each owner reports on the commitments made at the last meeting: done, partly or not done.",
  choosing: "Who brings an issue today? Volunteer, and the facilitator chooses the presenter.",
  presenting: "The presenter speaks without interruption. Listen.",
  questions:
    "Ask open questions that help the presenter see the issue: no advice, no yes/no questions. One person has the floor at a time.",
  experiences:
    "Raise a hand to share your own experience (\u201cWhen I\u2026, I found\u2026\u201d), not advice. Everyone once before anyone twice.",
  commitment: "The presenter says what they will do by the next meeting.",
  closing: "A one-word close and the anonymous trust pulse.",
  ended: "Thank you. What was said stays in the room.",
};

/**
 * The id of the presenter chooser, where the console's "Choose a presenter" moves focus. Here, not
 * in nextStep.ts, so that a member's page does not bundle the facilitator console's logic.
 */
export const CHOOSER_ID = "choose-presenter";
