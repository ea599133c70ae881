// The floor and the hands: one speaker at a time, an ordered queue, questions waiting their
// turn, everyone once before anyone twice (BRIEF.md "Rounds"; PROTOCOL.md messages).
import { describe, expect, it } from "vitest";
import type { Phase } from "../../shared/types.ts";
import { stopAfterEach, FAY, MO, NOOR, PRIYA, UMA, meetingIn } from "./machine.fixture.ts";

const track = stopAfterEach();
const inPhase = (phase: Phase) => track(meetingIn(phase));

const q1 = "How have you handled this before?";
const q2 = "What would a good outcome look like?";
const q3 = "What matters most to you here?";
const q4 = "Who else sees this the way you do?";

const onTheFloor = (phase: "questions" | "experiences") => ({
  meeting: { phase: { [phase]: "floor" } },
});
const floorOpen = (phase: "questions" | "experiences") => ({
  meeting: { phase: { [phase]: "open" } },
});

describe.each(["questions", "experiences"] as const)("the floor in %s", (phase) => {
  it("is held by one member at a time", () => {
    const m = inPhase(phase);
    m.send(FAY, "floor.give", { memberId: MO });
    expect(m.context.floorId).toBe(MO);
    expect(m.snapshot.matches(onTheFloor(phase))).toBe(true);
    m.send(FAY, "floor.give", { memberId: NOOR, holder: MO });
    expect(m.context.floorId).toBe(NOOR);
    expect(m.snapshot.matches(onTheFloor(phase))).toBe(true);
  });

  it("drops the speaker's hand when they get the floor", () => {
    const m = inPhase(phase);
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    m.send(FAY, "floor.give", { memberId: NOOR });
    expect(m.context.hands).toEqual([MO]);
  });

  it("goes to the head of the queue when nobody is named", () => {
    const m = inPhase(phase);
    m.send(NOOR, "hand.raise").send(MO, "hand.raise");
    m.send(FAY, "floor.give");
    expect(m.context.floorId).toBe(NOOR);
    expect(m.context.hands).toEqual([MO]);
  });

  it("keeps the queue when the floor passes from one speaker to the next", () => {
    const m = inPhase(phase);
    m.send(MO, "hand.raise").send(NOOR, "hand.raise").send(FAY, "hand.raise");
    const { phaseEndsAt } = m.context;
    m.wait(1_000).send(FAY, "floor.give");
    m.wait(1_000).send(FAY, "floor.give", { holder: MO });
    expect(m.context.floorId).toBe(NOOR);
    expect(m.context.hands).toEqual([FAY]);
    expect(m.context.phaseEndsAt).toBe(phaseEndsAt);
    expect(m.snapshot.matches(onTheFloor(phase))).toBe(true);
  });

  it("cannot be given to the head of an empty queue", () => {
    const m = inPhase(phase);
    expect(m.why(FAY, "floor.give")).toBe("Nobody has a hand up: name whom to give the floor to.");
  });

  it("cannot be given to someone who is not here, or who has it already", () => {
    const m = inPhase(phase);
    m.send(NOOR, "member.drop");
    expect(m.why(FAY, "floor.give", { memberId: NOOR })).toBe(
      "That member is not here to take the floor.",
    );
    expect(m.why(FAY, "floor.give", { memberId: UMA })).toBe(
      "That member is not here to take the floor.",
    );
    m.send(FAY, "floor.give", { memberId: MO });
    expect(m.why(FAY, "floor.give", { memberId: MO })).toBe("That member has the floor already.");
  });

  it("is never given to the presenter in their own round", () => {
    const m = inPhase(phase);
    expect(m.why(FAY, "floor.give", { memberId: PRIYA })).toBe(
      "The presenter does not take the floor in their own round.",
    );
  });

  it("is yielded by its holder or by the facilitator, and nobody else", () => {
    const m = inPhase(phase);
    m.send(FAY, "floor.give", { memberId: MO });
    expect(m.why(NOOR, "floor.yield")).toBe(
      "Only the member who has the floor, or the facilitator, can end a turn.",
    );
    m.send(MO, "floor.yield");
    expect(m.context.floorId).toBe("");
    expect(m.snapshot.matches(floorOpen(phase))).toBe(true);
    expect(m.why(FAY, "floor.yield")).toBe("Nobody has the floor.");
    m.send(FAY, "floor.give", { memberId: NOOR }).send(FAY, "floor.yield");
    expect(m.context.floorId).toBe("");
  });

  it("lets a member lower their own hand, and the facilitator anyone's", () => {
    const m = inPhase(phase);
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    expect(m.why(MO, "hand.raise")).toBe("Your hand is already up.");
    m.send(MO, "hand.lower");
    expect(m.why(MO, "hand.lower")).toBe("Your hand is not up.");
    expect(m.why(MO, "hand.lowerFor", { memberId: NOOR })).toBe(
      "Only the facilitator can do that.",
    );
    m.send(FAY, "hand.lowerFor", { memberId: NOOR });
    expect(m.context.hands).toEqual([]);
    expect(m.why(FAY, "hand.lowerFor", { memberId: NOOR })).toBe("That member's hand is not up.");
  });

  it("does not take a hand from the member who has the floor", () => {
    const m = inPhase(phase);
    m.send(FAY, "floor.give", { memberId: MO });
    expect(m.why(MO, "hand.raise")).toBe("You have the floor already.");
  });

  it("counts each speaker's airtime from the times of the events", () => {
    const m = inPhase(phase);
    m.send(FAY, "floor.give", { memberId: MO });
    m.wait(45_000).send(FAY, "floor.give", { memberId: NOOR, holder: MO });
    m.wait(30_000).send(NOOR, "floor.yield");
    m.wait(5_000).send(FAY, "floor.give", { memberId: MO });
    m.wait(10_000).send(FAY, "phase.next"); // leaving the phase ends the turn
    expect(m.context.members[MO]?.airtimeMs).toBe(55_000);
    expect(m.context.members[NOOR]?.airtimeMs).toBe(30_000);
    expect(m.context.members[FAY]?.airtimeMs).toBe(0);
  });

  it("is released when its holder leaves, and the phase goes back to an open floor", () => {
    const m = inPhase(phase);
    m.send(MO, "hand.raise");
    m.send(FAY, "floor.give", { memberId: NOOR });
    m.wait(20_000).send(NOOR, "member.leave");
    expect(m.context.floorId).toBe("");
    expect(m.context.members[NOOR]?.airtimeMs).toBe(20_000);
    expect(m.snapshot.matches(floorOpen(phase))).toBe(true);
    expect(m.context.hands).toEqual([MO]);
  });

  it("takes the hand of a member who leaves", () => {
    const m = inPhase(phase);
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    m.send(MO, "member.leave");
    expect(m.context.hands).toEqual([NOOR]);
  });

  it("is released and the hands cleared when the phase moves on", () => {
    const m = inPhase(phase);
    m.send(MO, "hand.raise").send(FAY, "floor.give", { memberId: NOOR });
    m.send(FAY, "phase.next");
    expect(m.context.floorId).toBe("");
    expect(m.context.hands).toEqual([]);
    expect(m.context.turnEndsAt).toBe(0);
  });
});

describe("probing questions", () => {
  it("raises the asker's hand when they ask", () => {
    const m = inPhase("questions");
    m.send(MO, "question.ask", { text: q1 });
    expect(m.context.hands).toEqual([MO]);
    expect(m.context.questions).toEqual([
      expect.objectContaining({ id: "q1", askerId: MO, text: q1, status: "queued" }),
    ]);
    m.send(MO, "question.ask", { text: q2 });
    expect(m.context.hands).toEqual([MO]);
  });

  it("does not raise the hand of an asker who has the floor", () => {
    const m = inPhase("questions");
    m.send(FAY, "floor.give", { memberId: MO });
    m.send(MO, "question.ask", { text: q1 });
    expect(m.context.hands).toEqual([]);
  });

  it("puts the asker's first waiting question on the floor and marks it answered when the floor moves on", () => {
    const m = inPhase("questions");
    m.send(NOOR, "question.ask", { text: q1 }).send(NOOR, "question.ask", { text: q2 });
    m.send(MO, "question.ask", { text: q3 });
    m.send(FAY, "floor.give");
    expect(m.context.floorId).toBe(NOOR);
    expect(m.context.questions.map((q) => q.status)).toEqual(["asking", "queued", "queued"]);
    m.send(FAY, "floor.give", { holder: NOOR });
    expect(m.context.floorId).toBe(MO);
    expect(m.context.questions.map((q) => q.status)).toEqual(["answered", "queued", "asking"]);
    m.send(MO, "floor.yield");
    expect(m.context.questions.map((q) => q.status)).toEqual(["answered", "queued", "answered"]);
  });

  it("are not asked by the presenter", () => {
    const m = inPhase("questions");
    expect(m.why(PRIYA, "question.ask", { text: q1 })).toBe(
      "The presenter listens in their own round.",
    );
  });

  it("let the presenter give the floor", () => {
    const m = inPhase("questions");
    m.send(MO, "question.ask", { text: q1 });
    m.send(PRIYA, "floor.give");
    expect(m.context.floorId).toBe(MO);
    expect(m.why(NOOR, "floor.give")).toBe("Only the facilitator or the presenter can do that.");
  });

  it("wait at most three per member", () => {
    const m = inPhase("questions");
    m.send(MO, "question.ask", { text: q1 });
    m.send(MO, "question.ask", { text: q2 });
    m.send(MO, "question.ask", { text: q3 });
    expect(m.why(MO, "question.ask", { text: q4 })).toBe("You already have 3 questions waiting.");
    m.send(FAY, "floor.give"); // one is being asked now, not waiting
    m.send(MO, "question.ask", { text: q4 });
    expect(m.context.questions.filter((q) => q.askerId === MO)).toHaveLength(4);
  });

  it("are withdrawn only by their asker, and only while waiting", () => {
    const m = inPhase("questions");
    m.send(MO, "question.ask", { text: q1 }).send(MO, "question.ask", { text: q2 });
    expect(m.why(NOOR, "question.withdraw", { questionId: "q2" })).toBe(
      "Only its asker can withdraw a question.",
    );
    m.send(MO, "question.withdraw", { questionId: "q2" });
    expect(m.context.questions.map((q) => q.id)).toEqual(["q1"]);
    m.send(FAY, "floor.give");
    expect(m.why(MO, "question.withdraw", { questionId: "q1" })).toBe(
      "Only a waiting question can be withdrawn.",
    );
  });

  it("are marked answered by the presenter or the facilitator, and dismissed by the facilitator", () => {
    const m = inPhase("questions");
    m.send(MO, "question.ask", { text: q1 }).send(NOOR, "question.ask", { text: q2 });
    expect(m.why(NOOR, "question.answered", { questionId: "q1" })).toBe(
      "Only the facilitator or the presenter can do that.",
    );
    // Nobody voiced it yet: it cannot be answered (issue 12: one model for hands and questions).
    expect(m.why(PRIYA, "question.answered", { questionId: "q1" })).toBe(
      "That question has not been asked yet.",
    );
    m.send(FAY, "floor.give"); // Mo asks q1
    m.send(PRIYA, "question.answered", { questionId: "q1" });
    expect(m.why(PRIYA, "question.dismiss", { questionId: "q2" })).toBe(
      "Only the facilitator can do that.",
    );
    m.send(FAY, "question.dismiss", { questionId: "q2" });
    expect(m.context.questions.map((q) => q.status)).toEqual(["answered", "dismissed"]);
    // Noor's only waiting question was dismissed: her hand, which waited for it, is down.
    expect(m.context.hands).not.toContain(NOOR);
    expect(m.why(FAY, "question.dismiss", { questionId: "q1" })).toBe("That question is not open.");
  });

  it("carry the checker's hint, so the facilitator sees advice in disguise", () => {
    const m = inPhase("questions");
    m.send(MO, "question.ask", { text: "Why don't you just fire him?" });
    m.send(NOOR, "question.ask", { text: q1 });
    expect(m.context.questions.map((q) => q.hint)).toEqual(["advice", "open"]);
  });

  it("queue those who have not asked yet ahead of those who have", () => {
    const m = inPhase("questions");
    m.send(MO, "hand.raise");
    m.send(FAY, "floor.give"); // Mo has asked once
    m.send(MO, "floor.yield");
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    expect(m.context.hands).toEqual([NOOR, MO]);
  });
});

describe("experience shares", () => {
  it("let everyone share once before anyone shares twice", () => {
    const m = inPhase("experiences");
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    m.send(FAY, "floor.give"); // Mo shares
    m.send(MO, "floor.yield").send(MO, "hand.raise"); // …and wants to again
    expect(m.context.hands).toEqual([NOOR, MO]);
    m.send(FAY, "hand.raise"); // Fay has not shared: ahead of Mo
    expect(m.context.hands).toEqual([NOOR, FAY, MO]);
    m.send(FAY, "floor.give"); // Noor shares
    m.send(FAY, "floor.give", { holder: NOOR }); // Fay shares
    m.send(NOOR, "hand.raise"); // Noor again: behind Mo, who raised first
    expect(m.context.hands).toEqual([MO, NOOR]);
    expect(m.context.members[MO]?.sharedThisRound).toBe(true);
    expect(m.context.members[PRIYA]?.sharedThisRound).toBe(false);
  });

  it("are not given by the presenter, who neither raises a hand nor takes the floor", () => {
    const m = inPhase("experiences");
    expect(m.why(PRIYA, "hand.raise")).toBe("The presenter listens in their own round.");
    expect(m.why(FAY, "floor.give", { memberId: PRIYA })).toBe(
      "The presenter does not take the floor in their own round.",
    );
    m.send(MO, "hand.raise");
    expect(m.why(PRIYA, "floor.give")).toBe("Only the facilitator can do that.");
    expect(m.can(PRIYA, "question.ask", { text: q1 })).toBe(false);
  });

  it("keep a share's note and its hint", () => {
    const m = inPhase("experiences");
    m.send(MO, "hand.raise", { note: "You should fire him" });
    expect(m.context.members[MO]).toMatchObject({
      shareNote: "You should fire him",
      shareHint: "advice",
    });
  });

  it("start afresh in the next round", () => {
    const m = inPhase("experiences");
    m.send(FAY, "floor.give", { memberId: MO });
    m.send(FAY, "phase.next").send(FAY, "phase.next"); // commitment → choosing
    m.send(FAY, "presenter.choose", { memberId: NOOR });
    expect(m.context.members[MO]?.sharedThisRound).toBe(false);
    expect(m.context.members[MO]?.askedThisRound).toBe(0);
  });
});

describe("giving the floor safely (issue 12)", () => {
  it("does not pass the floor on when the same give arrives twice: nobody is skipped", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    const give = m.event(FAY, "floor.give");
    m.deliver(give);
    expect(m.context.floorId).toBe(MO);
    // The double click: the same give again, while Mo speaks.
    expect(m.why(FAY, "floor.give")).toBe(
      "Someone has the floor: end their turn first, or pass the floor on from them.",
    );
    expect(m.deliver(m.event(FAY, "floor.give"))).toBe(false);
    expect(m.context.floorId).toBe(MO);
    expect(m.context.hands).toEqual([NOOR]);
  });

  it("lets two people give the floor at once without skipping: the second give is refused", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    m.send(PRIYA, "floor.give"); // the presenter gives it to Mo…
    expect(m.deliver(m.event(FAY, "floor.give"))).toBe(false); // …and the facilitator at once
    expect(m.context.floorId).toBe(MO);
  });

  it("passes the floor on when the give names who holds it, once", () => {
    const m = track(meetingIn("experiences"));
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    m.send(FAY, "floor.give");
    m.send(FAY, "floor.give", { holder: MO });
    expect(m.context.floorId).toBe(NOOR);
    // Repeating that give names Mo, who no longer holds it: refused.
    expect(m.can(FAY, "floor.give", { holder: MO })).toBe(false);
  });

  it("skips members who are away at the head of the queue; they keep their place", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    m.send(MO, "member.drop");
    m.send(FAY, "floor.give");
    expect(m.context.floorId).toBe(NOOR);
    expect(m.context.hands).toEqual([MO]);
    m.send(NOOR, "floor.yield");
    expect(m.why(FAY, "floor.give")).toBe(
      "Everyone with a hand up is away: name whom to give the floor to.",
    );
    m.send(MO, "member.join", { name: "Mo", keyValid: false });
    m.send(FAY, "floor.give");
    expect(m.context.floorId).toBe(MO);
  });
});

describe("one model for hands and questions (issue 12)", () => {
  it("lowers the hand of an asker whose last waiting question is withdrawn or dismissed", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "question.ask", { text: q1 }).send(MO, "question.ask", { text: q2 });
    m.send(NOOR, "question.ask", { text: q1 });
    expect(m.context.hands).toEqual([MO, NOOR]);
    m.send(MO, "question.withdraw", { questionId: "q1" });
    expect(m.context.hands).toEqual([MO, NOOR]); // q2 still waits
    m.send(MO, "question.withdraw", { questionId: "q2" });
    expect(m.context.hands).toEqual([NOOR]);
    m.send(FAY, "question.dismiss", { questionId: "q3" });
    expect(m.context.hands).toEqual([]);
  });

  it("keeps a hand raised without a question", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "hand.raise").send(NOOR, "question.ask", { text: q1 });
    m.send(FAY, "question.dismiss", { questionId: "q1" });
    expect(m.context.hands).toEqual([MO]);
  });
});
