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

/** The timer a `timer.extend` moves now: the speaker's turn while someone has it, else the phase's. */
export function extendedTimer(context: ProtocolContext): "turn" | "phase" {
  return context.floorId !== "" || context.turnId !== "" ? "turn" : "phase";
}

/**
 * The facilitator or the timekeeper gives more time at `at`: to the speaker's turn while someone
 * holds the floor or has the turn, else to the phase. Overtime ends if the new end is still ahead.
 */
export function extendTimer(
  context: ProtocolContext,
  seconds: number,
  at: number,
): Partial<ProtocolContext> {
  const ms = seconds * 1000;
  if (extendedTimer(context) === "turn") {
    const turnEndsAt = context.turnEndsAt + ms;
    return { turnEndsAt, turnOvertime: context.turnOvertime && at >= turnEndsAt };
  }
  const phaseEndsAt = context.phaseEndsAt + ms;
  return { phaseEndsAt, phaseOvertime: context.phaseOvertime && at >= phaseEndsAt };
}

/** A timer the machine runs: the event it raises to itself when it runs out, and after how long. */
export interface Alarm {
  id: "phaseTimebox" | "turnTimebox";
  event: { type: "timebox.over"; timer: "phase" | "turn"; from: ""; at: number };
  delay: number;
}

/**
 * The alarms to set at `at` for the timeboxes running now: one per running timebox not yet over,
 * at its end. The machine cancels the earlier alarms first, so an extension moves them.
 */
export function alarms(context: ProtocolContext, at: number): Alarm[] {
  const set: Alarm[] = [];
  for (const timer of ["phase", "turn"] as const) {
    const endsAt = timer === "phase" ? context.phaseEndsAt : context.turnEndsAt;
    const over = timer === "phase" ? context.phaseOvertime : context.turnOvertime;
    if (endsAt === 0 || over) continue;
    set.push({
      id: `${timer}Timebox`,
      event: { type: "timebox.over", timer, from: "", at: endsAt },
      delay: Math.max(0, endsAt - at),
    });
  }
  return set;
}

/** A timebox ran out: overtime, unless the alarm was for an end that has moved since. */
export function timeboxOver(
  context: ProtocolContext,
  e: { timer: "phase" | "turn"; at: number },
): Partial<ProtocolContext> {
  if (e.timer === "phase") return e.at === context.phaseEndsAt ? { phaseOvertime: true } : {};
  return e.at === context.turnEndsAt ? { turnOvertime: true } : {};
}

/** The facilitator names the timekeeper ("" = none). */
export function assignTimekeeper(memberId: string): Partial<ProtocolContext> {
  return { timekeeperId: memberId };
}
