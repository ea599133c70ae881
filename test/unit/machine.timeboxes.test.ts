// Timeboxes on XState's simulated clock: each timed phase and each speaker's turn records its
// overtime and never cuts anyone off (BRIEF.md "Rounds"; the facilitator keeps time).
import { describe, expect, it } from "vitest";
import type { Phase, Timeboxes } from "../../shared/types.ts";
import { stopAfterEach, FAY, MO, NOOR, meetingIn, seated } from "./machine.fixture.ts";

const track = stopAfterEach();

const MINUTE = 60_000;

/** Each timed phase and its default timebox; check-in has four agreed members here. */
const defaults: [Phase, number][] = [
  ["checkIn", 4 * 30_000],
  ["presenting", 10 * MINUTE],
  ["questions", 10 * MINUTE],
  ["experiences", 20 * MINUTE],
  ["commitment", 5 * MINUTE],
];

describe.each(defaults)("the %s timebox", (phase, ms) => {
  it(`records overtime after ${ms / 1000} s and stays in the phase`, () => {
    const m = track(meetingIn(phase));
    const enteredAt = m.now;
    expect(m.context).toMatchObject({ phaseEndsAt: enteredAt + ms, phaseOvertime: false });
    m.wait(ms - 1);
    expect(m.context.phaseOvertime).toBe(false);
    m.wait(1);
    expect(m.context.phaseOvertime).toBe(true);
    m.wait(3 * 60 * MINUTE);
    expect(m.phase).toBe(phase);
    expect(m.context.phaseEndsAt).toBe(enteredAt + ms);
  });

  it("is cleared when the facilitator moves on", () => {
    const m = track(meetingIn(phase));
    m.wait(ms);
    m.send(FAY, "phase.next");
    expect(m.context.phaseOvertime).toBe(false);
    if (m.phase === "choosing") expect(m.context.phaseEndsAt).toBe(0);
  });
});

describe("timeboxes", () => {
  it("give check-in thirty seconds per member present", () => {
    const m = track(seated());
    m.send(NOOR, "member.drop");
    m.send(FAY, "meeting.start");
    expect(m.context.phaseEndsAt - m.now).toBe(3 * 30_000);
    m.wait(3 * 30_000);
    expect(m.context.phaseOvertime).toBe(true);
  });

  it("leave the untimed phases without a timebox", () => {
    for (const phase of ["lobby", "choosing", "closing"] as const) {
      const m = track(meetingIn(phase));
      m.wait(3 * 60 * MINUTE);
      expect(m.context).toMatchObject({ phaseEndsAt: 0, phaseOvertime: false });
      expect(m.phase).toBe(phase);
    }
  });

  it("follow the table's own settings", () => {
    const timeboxes: Partial<Timeboxes> = { presentingMs: 2 * MINUTE, turnMs: 30_000 };
    const m = track(meetingIn("presenting", { input: { config: { timeboxes } } }));
    expect(m.context.config.timeboxes).toMatchObject({
      presentingMs: 2 * MINUTE,
      questionsMs: 10 * MINUTE,
      turnMs: 30_000,
    });
    m.wait(2 * MINUTE);
    expect(m.context.phaseOvertime).toBe(true);
    m.send(FAY, "phase.next");
    m.send(FAY, "floor.give", { memberId: MO });
    expect(m.context.turnEndsAt).toBe(m.now + 30_000);
    m.wait(30_000);
    expect(m.context.turnOvertime).toBe(true);
    m.wait(10 * MINUTE - 30_000);
    expect(m.context.phaseOvertime).toBe(true);
  });
});

describe.each(["questions", "experiences"] as const)("a speaker's turn in %s", (phase) => {
  it("records overtime after two minutes and keeps the speaker on the floor", () => {
    const m = track(meetingIn(phase));
    m.send(FAY, "floor.give", { memberId: MO });
    expect(m.context).toMatchObject({ turnEndsAt: m.now + 2 * MINUTE, turnOvertime: false });
    m.wait(2 * MINUTE - 1);
    expect(m.context.turnOvertime).toBe(false);
    m.wait(1);
    expect(m.context.turnOvertime).toBe(true);
    m.wait(30 * MINUTE);
    expect(m.context.floorId).toBe(MO);
    expect(m.snapshot.matches({ meeting: { phase: { [phase]: "floor" } } })).toBe(true);
  });

  it("restarts for a new floor holder", () => {
    const m = track(meetingIn(phase));
    m.send(FAY, "floor.give", { memberId: MO });
    m.wait(90_000).send(FAY, "floor.give", { memberId: NOOR, holder: MO });
    expect(m.context).toMatchObject({ turnEndsAt: m.now + 2 * MINUTE, turnOvertime: false });
    m.wait(90_000);
    expect(m.context.turnOvertime).toBe(false);
    m.wait(30_000);
    expect(m.context.turnOvertime).toBe(true);
  });

  it("restarts for a new holder after an overtime turn", () => {
    const m = track(meetingIn(phase));
    m.send(FAY, "floor.give", { memberId: MO });
    m.wait(3 * MINUTE);
    expect(m.context.turnOvertime).toBe(true);
    m.send(FAY, "floor.give", { memberId: NOOR, holder: MO });
    expect(m.context.turnOvertime).toBe(false);
    m.wait(2 * MINUTE - 1);
    expect(m.context.turnOvertime).toBe(false);
  });

  it("stops when the floor is yielded", () => {
    const m = track(meetingIn(phase));
    m.send(FAY, "floor.give", { memberId: MO });
    m.wait(MINUTE).send(MO, "floor.yield");
    expect(m.context).toMatchObject({ turnEndsAt: 0, turnOvertime: false });
    m.wait(10 * MINUTE);
    expect(m.context.turnOvertime).toBe(false);
  });

  it("does not restart the phase's timebox", () => {
    const m = track(meetingIn(phase));
    const { phaseEndsAt } = m.context;
    const ms = phaseEndsAt - m.now;
    m.wait(MINUTE).send(FAY, "floor.give", { memberId: MO });
    m.wait(MINUTE).send(FAY, "floor.give", { memberId: NOOR, holder: MO });
    m.wait(MINUTE).send(NOOR, "floor.yield");
    expect(m.context.phaseEndsAt).toBe(phaseEndsAt);
    m.wait(ms - 3 * MINUTE);
    expect(m.context.phaseOvertime).toBe(true);
  });
});

describe("timer.extend", () => {
  it("moves the phase's end, and its overtime follows the new end", () => {
    const m = track(meetingIn("presenting"));
    const { phaseEndsAt } = m.context;
    m.wait(5 * MINUTE).send(FAY, "timer.extend", { seconds: 60 });
    expect(m.context.phaseEndsAt).toBe(phaseEndsAt + MINUTE);
    m.wait(5 * MINUTE);
    expect(m.context.phaseOvertime).toBe(false); // the old end has passed
    m.wait(MINUTE - 1);
    expect(m.context.phaseOvertime).toBe(false);
    m.wait(1);
    expect(m.context.phaseOvertime).toBe(true);
  });

  it("ends overtime when the new end is still ahead, and keeps it when it is not", () => {
    const m = track(meetingIn("commitment"));
    m.wait(7 * MINUTE);
    expect(m.context.phaseOvertime).toBe(true);
    m.send(FAY, "timer.extend", { seconds: 60 });
    expect(m.context.phaseOvertime).toBe(true); // 2 min over, 1 min more: still over
    m.send(FAY, "timer.extend", { seconds: 120 });
    expect(m.context.phaseOvertime).toBe(false);
    m.wait(MINUTE - 1);
    expect(m.context.phaseOvertime).toBe(false);
    m.wait(1);
    expect(m.context.phaseOvertime).toBe(true);
  });

  it("moves the speaker's turn, not the phase, while someone holds the floor", () => {
    const m = track(meetingIn("questions"));
    const { phaseEndsAt } = m.context;
    m.send(FAY, "floor.give", { memberId: MO });
    m.wait(3 * MINUTE);
    expect(m.context.turnOvertime).toBe(true);
    m.send(FAY, "timer.extend", { seconds: 120 });
    expect(m.context).toMatchObject({
      turnEndsAt: m.now + MINUTE,
      turnOvertime: false,
      phaseEndsAt,
    });
    m.wait(MINUTE - 1);
    expect(m.context.turnOvertime).toBe(false);
    m.wait(1);
    expect(m.context.turnOvertime).toBe(true);
  });

  it("moves the update's turn in the go-around, and a new turn starts over", () => {
    const m = track(meetingIn("updates"));
    m.send(FAY, "timer.extend", { seconds: 600 });
    expect(m.context.turnEndsAt).toBe(m.now + 15 * MINUTE);
    m.wait(10 * MINUTE);
    expect(m.context.turnOvertime).toBe(false);
    m.send(FAY, "turn.done");
    m.wait(5 * MINUTE);
    expect(m.context.turnOvertime).toBe(true);
  });

  it("has nothing to extend where no timer runs", () => {
    for (const phase of ["lobby", "choosing", "closing"] as const) {
      const m = track(meetingIn(phase));
      expect(m.why(FAY, "timer.extend", { seconds: 60 })).toBe(
        "This phase has no timer to extend.",
      );
    }
    const m = track(meetingIn("updates"));
    for (let i = 0; i < 4; i++) m.send(FAY, "turn.next");
    expect(m.context.turnId).toBe("");
    expect(m.why(FAY, "timer.extend", { seconds: 60 })).toBe("This phase has no timer to extend.");
  });
});
