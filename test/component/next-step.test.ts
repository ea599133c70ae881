import { describe, expect, it } from "vitest";
import { nextStep } from "../../client/lib/nextStep.ts";
import { meeting, member, members } from "./fixtures.ts";

const always = () => true;

describe("the facilitator's next step", () => {
  it("starts the meeting from the lobby", () => {
    expect(nextStep(meeting(), "ana", always)).toMatchObject({
      label: "Start meeting",
      action: { type: "meeting.start" },
    });
  });

  it("gives the floor to the head of the queue, naming them apart from the button's name", () => {
    const step = nextStep(meeting({ phase: "questions", hands: ["chloe", "dev"] }), "ana", always);
    expect(step).toMatchObject({
      label: "Give the floor",
      detail: "to Chloé",
      action: { type: "floor.give" },
      note: "2 hands up.",
    });
  });

  it("ends a turn when nobody waits, then moves on when nobody speaks", () => {
    expect(
      nextStep(meeting({ phase: "experiences", floorId: "dev" }), "ana", always),
    ).toMatchObject({
      label: "End Dev's turn",
      action: { type: "floor.yield" },
    });
    expect(nextStep(meeting({ phase: "experiences" }), "ana", always)).toMatchObject({
      label: "Move to commitment",
      action: { type: "phase.next" },
    });
    expect(nextStep(meeting({ phase: "questions" }), "ana", always)?.label).toBe(
      "Move to experience shares",
    );
  });

  it("counts check-in words among those present", () => {
    const withWords = {
      ...members,
      ben: member("ben", "Ben", { checkinWord: "Tired" }),
      dev: member("dev", "Dev", { connected: false }),
    };
    expect(
      nextStep(meeting({ phase: "checkIn", members: withWords }), "ana", always),
    ).toMatchObject({
      label: "Finish check-in",
      note: "1 of 3 checked in.",
    });
  });

  it("points to the chooser, or to closing once rounds are done and nobody volunteers", () => {
    expect(
      nextStep(meeting({ phase: "choosing", volunteers: ["ben"] }), "ana", always),
    ).toMatchObject({
      label: "Choose a presenter",
      focus: "choose-presenter",
      note: "Volunteered: Ben.",
    });
    expect(
      nextStep(meeting({ phase: "choosing", presented: ["ben"] }), "ana", always),
    ).toMatchObject({
      label: "Move to closing",
      action: { type: "phase.next" },
    });
  });

  it("runs the pulse, then ends the meeting, in closing", () => {
    const pulse = (status: "idle" | "open" | "revealed") => ({
      status,
      answered: 3,
      threshold: 3,
      counts: [],
      mean: 0,
      seq: 1,
      withheldBecause: "" as const,
    });
    expect(
      nextStep(meeting({ phase: "closing", pulse: pulse("idle") }), "ana", always)?.label,
    ).toBe("Open pulse");
    expect(
      nextStep(meeting({ phase: "closing", pulse: pulse("open") }), "ana", always)?.label,
    ).toBe("Close pulse");
    expect(
      nextStep(meeting({ phase: "closing", pulse: pulse("revealed") }), "ana", always)?.label,
    ).toBe("End meeting");
    expect(nextStep(meeting({ phase: "ended" }), "ana", always)).toBeUndefined();
  });
});
