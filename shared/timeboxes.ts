// Timeboxes of the phases and of a turn at the floor. They record overtime and never cut anyone
// off; the machine's clock runs them through named delays.
import { presentMembers } from "./rules.ts";
import type { ProtocolContext } from "./types.ts";

/** The phases that run against a timebox. */
export type TimedPhase = "checkIn" | "presenting" | "questions" | "experiences" | "commitment";

/** Milliseconds of a phase's timebox; check-in gets each present member's share. */
export function timeboxMs(context: ProtocolContext, phase: TimedPhase): number {
  const t = context.config.timeboxes;
  switch (phase) {
    case "checkIn":
      return t.checkInEachMs * Math.max(1, presentMembers(context).length);
    case "presenting":
      return t.presentingMs;
    case "questions":
      return t.questionsMs;
    case "experiences":
      return t.experiencesMs;
    case "commitment":
      return t.commitmentMs;
    default: {
      const never: never = phase;
      return never;
    }
  }
}

/** A phase begins at `at` (epoch milliseconds) with its timebox running and no overtime yet. */
export function startTimebox(
  context: ProtocolContext,
  phase: TimedPhase,
  at: number,
): Partial<ProtocolContext> {
  return { phaseEndsAt: at + timeboxMs(context, phase), phaseOvertime: false };
}
