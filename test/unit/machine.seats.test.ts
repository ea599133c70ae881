// Seats, the head of the queue, waiting questions and late arrivals in follow-up: the cases
// where the protocol has to hold together across members coming, going and speaking.
import { describe, expect, it } from "vitest";
import {
  stopAfterEach,
  FAY,
  MO,
  NOOR,
  PRIYA,
  UMA,
  earlierOf,
  meetingIn,
  seated,
  walkTo,
} from "./machine.fixture.ts";

const track = stopAfterEach();

describe("seats", () => {
  it("keeps a dropped member's seat, so a newcomer cannot make a seventeenth", () => {
    const m = track(seated());
    for (let i = 0; Object.keys(m.context.members).length < 16; i++) {
      m.send(`extra${i}`, "member.join", { name: `Extra ${i}`, keyValid: false });
    }
    m.send(UMA, "confidentiality.agree");
    for (let i = 0; m.context.members[`extra${i}`]; i++)
      m.send(`extra${i}`, "confidentiality.agree");
    m.send(MO, "member.drop");
    expect(m.why("newcomer", "member.join", { name: "New", keyValid: false })).toBe(
      "The meeting is full.",
    );
    // The dropped member comes back to their own seat.
    expect(m.can(MO, "member.join", { name: "Mo", keyValid: false })).toBe(true);
  });

  it("frees the seat of a member who left, and asks them to wait if it was taken meanwhile", () => {
    const m = track(seated());
    for (let i = 0; Object.keys(m.context.members).length < 16; i++) {
      m.send(`extra${i}`, "member.join", { name: `Extra ${i}`, keyValid: false });
    }
    m.send(UMA, "confidentiality.agree");
    for (let i = 0; m.context.members[`extra${i}`]; i++)
      m.send(`extra${i}`, "confidentiality.agree");
    m.send(MO, "member.leave");
    expect(m.context.members[MO]?.left).toBe(true);
    m.send("newcomer", "member.join", { name: "New", keyValid: false });
    m.send("newcomer", "confidentiality.agree");
    expect(m.why(MO, "member.join", { name: "Mo", keyValid: false })).toBe("The meeting is full.");
  });
});

describe("the head of the queue", () => {
  it("skips the presenter's raised hand in probing questions", () => {
    const m = track(meetingIn("questions"));
    m.send(PRIYA, "hand.raise").send(MO, "hand.raise");
    expect(m.context.hands).toEqual([PRIYA, MO]);
    m.send(FAY, "floor.give");
    expect(m.context.floorId).toBe(MO);
    expect(m.context.hands).toEqual([PRIYA]);
    // With only the presenter's hand up, there is nobody to give the floor to.
    m.send(MO, "floor.yield");
    expect(m.can(FAY, "floor.give")).toBe(false);
  });
});

describe("questions waiting their turn", () => {
  it("puts a speaker who still has a question waiting back in the queue when the floor moves on", () => {
    const m = track(meetingIn("questions"));
    m.send(FAY, "floor.give", { memberId: MO });
    m.send(MO, "question.ask", { text: "What would a good outcome look like?" });
    expect(m.context.hands).toEqual([]);
    m.send(MO, "floor.yield");
    expect(m.context.hands).toEqual([MO]);
    m.send(FAY, "floor.give");
    expect(m.context.floorId).toBe(MO);
    expect(m.context.questions[0]?.status).toBe("asking");
  });

  it("does not raise hands again in experience shares for questions left unasked", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "question.ask", { text: "What would a good outcome look like?" });
    m.send(FAY, "phase.next");
    m.send(FAY, "floor.give", { memberId: MO });
    m.send(MO, "floor.yield");
    expect(m.context.hands).toEqual([]);
  });
});

describe("late arrivals in follow-up", () => {
  it("reviews the commitments of an owner who agrees during follow-up", () => {
    const m = track(seated({ input: { earlier: [earlierOf(PRIYA), earlierOf(UMA)] } }));
    walkTo(m, "followUp");
    expect(m.context.commitments.map((c) => c.ownerId)).toEqual([PRIYA]);
    expect(m.context.absentCommitments).toBe(1);
    m.send(UMA, "confidentiality.agree");
    expect(m.context.commitments.map((c) => c.ownerId)).toEqual([PRIYA, UMA]);
    expect(m.context.absentCommitments).toBe(0);
    expect(m.can(UMA, "followup.report", { commitmentId: earlierOf(UMA).id, status: "done" })).toBe(
      true,
    );
  });

  it("reviews the commitments of an owner who comes back during follow-up", () => {
    const m = track(seated({ input: { earlier: [earlierOf(PRIYA), earlierOf(NOOR)] } }));
    m.send(NOOR, "member.drop");
    walkTo(m, "followUp");
    expect(m.context.commitments.map((c) => c.ownerId)).toEqual([PRIYA]);
    m.send(NOOR, "member.join", { name: "Noor", keyValid: false });
    expect(m.context.commitments.map((c) => c.ownerId)).toEqual([PRIYA, NOOR]);
  });

  it("adds nobody's commitments outside follow-up", () => {
    const m = track(seated({ input: { earlier: [earlierOf(UMA)] } }));
    walkTo(m, "choosing");
    m.send(UMA, "confidentiality.agree");
    expect(m.context.commitments).toEqual([]);
  });
});
