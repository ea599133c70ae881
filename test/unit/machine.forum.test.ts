// The forum format (issue 13): the updates go-around after check-in, the parking lot feeding the
// choice of presenter, the issue card, passing in experience shares, and the timekeeper. A
// roundtable table keeps its flow exactly as before.
import { describe, expect, it } from "vitest";
import { PARKING_MAX } from "../../shared/limits.ts";
import {
  FAY,
  MO,
  NOOR,
  PRIYA,
  UMA,
  earlierOf,
  meetingIn,
  seated,
  stopAfterEach,
  walkTo,
  type Meeting,
} from "./machine.fixture.ts";

const track = stopAfterEach();
const forum = { input: { format: "forum" as const } };
const MINUTE = 60_000;

const statuses = (m: Meeting) =>
  Object.fromEntries(Object.values(m.context.members).map((x) => [x.id, x.turnStatus]));

describe("a roundtable table", () => {
  it("goes from check-in to choosing as before, without the updates", () => {
    const m = track(meetingIn("checkIn"));
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
    expect(m.context).toMatchObject({ format: "roundtable", turnOrder: [], turnId: "" });
  });

  it("goes from check-in to follow-up when something is under review", () => {
    const m = track(meetingIn("checkIn", { input: { earlier: [earlierOf(MO)] } }));
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("followUp");
  });

  it("has no parking lot, and says so", () => {
    const m = track(meetingIn("choosing"));
    expect(m.why(MO, "parking.add", { text: "Hiring" })).toBe(
      "The parking lot is part of the forum format.",
    );
    expect(m.why(MO, "turn.done")).toBe("It is not your turn.");
  });
});

describe("the updates go-around", () => {
  it("follows check-in and takes the agreed members present, in join order", () => {
    const m = track(seated(forum));
    m.send(NOOR, "member.drop");
    walkTo(m, "updates");
    expect(m.context.turnOrder).toEqual([FAY, PRIYA, MO]);
    expect(m.context.turnId).toBe(FAY);
    expect(m.context.turnEndsAt).toBe(m.now + 5 * MINUTE);
    expect(m.context.phaseEndsAt).toBe(0);
  });

  it("moves on as members are done, pass, or are skipped", () => {
    const m = track(meetingIn("updates"));
    expect(m.why(MO, "turn.done")).toBe("It is not your turn.");
    expect(m.why(MO, "turn.next")).toBe("Only the facilitator can do that.");
    m.wait(MINUTE).send(FAY, "turn.done");
    expect(m.context).toMatchObject({ turnId: PRIYA, turnEndsAt: m.now + 5 * MINUTE });
    m.send(PRIYA, "turn.pass");
    m.send(FAY, "turn.next");
    expect(m.context.turnId).toBe(NOOR);
    m.send(NOOR, "turn.done");
    expect(statuses(m)).toEqual({
      fay: "done",
      priya: "passed",
      mo: "skipped",
      noor: "done",
      uma: "",
    });
    expect(m.context).toMatchObject({ turnId: "", turnEndsAt: 0, turnOvertime: false });
    expect(m.why(FAY, "turn.next")).toBe("Nobody has the turn.");
    expect(m.phase).toBe("updates");
  });

  it("appends members who agree later, and gives them the turn when nobody has it", () => {
    const m = track(meetingIn("updates"));
    for (let i = 0; i < 4; i++) m.send(FAY, "turn.next");
    expect(m.context.turnId).toBe("");
    m.send(UMA, "confidentiality.agree");
    expect(m.context.turnOrder).toEqual([FAY, PRIYA, MO, NOOR, UMA]);
    expect(m.context).toMatchObject({ turnId: UMA, turnEndsAt: m.now + 5 * MINUTE });
  });

  it("keeps the turn of a member whose connection drops, and moves on when they leave", () => {
    const m = track(meetingIn("updates"));
    m.send(FAY, "turn.done");
    m.send(PRIYA, "member.drop");
    expect(m.context.turnId).toBe(PRIYA);
    m.send(PRIYA, "member.leave");
    expect(m.context.turnId).toBe(MO);
    expect(m.context.members[PRIYA]?.turnStatus).toBe("");
  });

  it("records the update's overtime and cuts nobody off", () => {
    const m = track(meetingIn("updates"));
    m.wait(5 * MINUTE - 1);
    expect(m.context.turnOvertime).toBe(false);
    m.wait(1);
    expect(m.context.turnOvertime).toBe(true);
    expect(m.context.turnId).toBe(FAY);
    m.send(FAY, "turn.done");
    expect(m.context.turnOvertime).toBe(false);
    m.wait(5 * MINUTE - 1);
    expect(m.context.turnOvertime).toBe(false);
  });

  it("takes ratings from the member whose turn it is, and keeps them until the meeting ends", () => {
    const m = track(meetingIn("updates"));
    expect(m.why(MO, "update.rate", { work: 5 })).toBe(
      "Ratings are given in your own update, during your turn.",
    );
    m.send(FAY, "update.rate", { work: 7, family: 9 });
    m.send(FAY, "update.rate", { personal: 3, work: 8 });
    expect(m.context.members[FAY]?.ratings).toEqual({ work: 8, family: 9, personal: 3 });
    m.send(FAY, "turn.done");
    expect(m.can(FAY, "update.rate", { work: 2 })).toBe(false);
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
    expect(m.context.members[FAY]?.ratings).toEqual({ work: 8, family: 9, personal: 3 });
    expect(m.context).toMatchObject({ turnId: "", turnEndsAt: 0, goingAround: false });
  });

  it("moves on to follow-up when something is under review", () => {
    const m = track(meetingIn("updates", { input: { format: "forum", earlier: [earlierOf(MO)] } }));
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("followUp");
  });
});

describe("the parking lot", () => {
  it("takes topics from the meeting's start until closing, with ids the machine makes", () => {
    const m = track(seated(forum));
    expect(m.why(MO, "parking.add", { text: "Hiring" })).toBe(
      "The parking lot is open after the meeting has started and before closing.",
    );
    expect(m.why(UMA, "parking.add", { text: "Hiring" })).toBe(
      "Agree to confidentiality before taking part.",
    );
    m.send(FAY, "meeting.start");
    m.send(MO, "parking.add", { text: "Hiring" }).send(NOOR, "parking.add", { text: "Pricing" });
    expect(m.context.parking).toEqual([
      { id: "p1", authorId: MO, text: "Hiring", voters: [] },
      { id: "p2", authorId: NOOR, text: "Pricing", voters: [] },
    ]);
    walkTo(m, "closing");
    expect(m.can(MO, "parking.add", { text: "Late" })).toBe(false);
    expect(m.can(MO, "parking.vote", { id: "p2" })).toBe(false);
  });

  it("holds at most PARKING_MAX topics", () => {
    const m = track(meetingIn("checkIn", forum));
    for (let i = 0; i < PARKING_MAX; i++) m.send(MO, "parking.add", { text: `Topic ${i}` });
    expect(m.why(NOOR, "parking.add", { text: "One more" })).toMatch(/at most 40 topics/);
    m.send(MO, "parking.remove", { id: "p40" });
    m.send(NOOR, "parking.add", { text: "One more" });
    expect(m.context.parking.at(-1)?.id).toBe("p41");
  });

  it("lets its author or the facilitator take a topic down, and toggles votes", () => {
    const m = track(meetingIn("checkIn", forum));
    m.send(MO, "parking.add", { text: "Hiring" }).send(NOOR, "parking.add", { text: "Pricing" });
    expect(m.why(NOOR, "parking.remove", { id: "p1" })).toBe(
      "Only its author or the facilitator can take a topic off the parking lot.",
    );
    expect(m.why(NOOR, "parking.vote", { id: "p9" })).toBe("That topic is not on the parking lot.");
    m.send(NOOR, "parking.vote", { id: "p1" }).send(FAY, "parking.vote", { id: "p1" });
    expect(m.context.parking[0]?.voters).toEqual([FAY, NOOR]);
    m.send(NOOR, "parking.vote", { id: "p1" });
    expect(m.context.parking[0]?.voters).toEqual([FAY]);
    m.send(MO, "parking.remove", { id: "p1" }).send(FAY, "parking.remove", { id: "p2" });
    expect(m.context.parking).toEqual([]);
  });

  it("feeds a round: the chosen topic is the round's, and leaves the lot when the round ends", () => {
    const m = track(meetingIn("choosing", forum));
    m.send(MO, "parking.add", { text: "Hiring" }).send(NOOR, "parking.add", { text: "Pricing" });
    expect(m.why(FAY, "presenter.choose", { memberId: MO, topicId: "p7" })).toBe(
      "That topic is not on the parking lot.",
    );
    m.send(FAY, "presenter.choose", { memberId: MO, topicId: "p1" });
    expect(m.context).toMatchObject({ presenterId: MO, topicId: "p1" });
    walkTo(m, "commitment");
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
    expect(m.context.topicId).toBe("");
    expect(m.context.parking.map((t) => t.id)).toEqual(["p2"]);
  });

  it("lets a round go on without its topic when it is taken down", () => {
    const m = track(meetingIn("choosing", forum));
    m.send(MO, "parking.add", { text: "Hiring" });
    m.send(FAY, "presenter.choose", { memberId: MO, topicId: "p1" });
    m.send(MO, "parking.remove", { id: "p1" });
    expect(m.context).toMatchObject({ topicId: "", presenterId: MO });
  });
});

describe("the issue card", () => {
  const card = {
    title: "Hiring a lead",
    why: "I am stretched",
    tried: "Agencies",
    ask: "both",
  } as const;

  it("is the presenter's to share through their round, and is gone when it ends", () => {
    const m = track(meetingIn("presenting"));
    expect(m.why(MO, "issue.set", card)).toBe("Only this round's presenter shares an issue card.");
    m.send(PRIYA, "issue.set", { title: "Hiring", ask: "questions" });
    expect(m.context.issue).toEqual({ title: "Hiring", why: "", tried: "", ask: "questions" });
    for (const phase of ["questions", "experiences", "commitment"] as const) {
      walkTo(m, phase);
      m.send(PRIYA, "issue.set", card);
      expect(m.context.issue).toEqual(card);
    }
    m.send(FAY, "phase.next");
    expect(m.context.issue).toBeNull();
    expect(m.why(PRIYA, "issue.set", card)).toBe(
      "Only this round's presenter shares an issue card.",
    );
  });

  it("is kept at any table, and cleared when the meeting ends", () => {
    const m = track(meetingIn("questions"));
    m.send(PRIYA, "issue.set", card);
    m.send(FAY, "meeting.end");
    expect(m.context.issue).toBeNull();
  });
});

describe("passing in experience shares", () => {
  it("marks the member, lowers their hand, and is cleared in the next round", () => {
    const m = track(meetingIn("experiences"));
    m.send(MO, "hand.raise").send(MO, "share.pass");
    expect(m.context.members[MO]?.passedThisRound).toBe(true);
    expect(m.context.hands).toEqual([]);
    expect(m.why(MO, "share.pass")).toBe("You have passed in this round already.");
    expect(m.why(PRIYA, "share.pass")).toBe("The presenter listens in their own round.");
    m.send(FAY, "floor.give", { memberId: NOOR });
    m.send(NOOR, "floor.yield");
    expect(m.why(NOOR, "share.pass")).toBe("You have shared in this round already.");
    walkTo(m, "choosing");
    m.send(FAY, "presenter.choose", { memberId: NOOR });
    expect(m.context.members[MO]?.passedThisRound).toBe(false);
  });

  it("gives way to a share after all", () => {
    const m = track(meetingIn("experiences"));
    m.send(MO, "share.pass").send(MO, "hand.raise");
    m.send(FAY, "floor.give");
    expect(m.context.members[MO]).toMatchObject({ sharedThisRound: true, passedThisRound: false });
  });

  it("is only for experience shares", () => {
    const m = track(meetingIn("questions"));
    expect(m.why(MO, "share.pass")).toBe("Passing is for experience shares.");
  });
});

describe("the timekeeper", () => {
  it("is named by the facilitator among members here, and cleared with an empty id", () => {
    const m = track(meetingIn("lobby"));
    expect(m.why(MO, "timekeeper.assign", { memberId: MO })).toBe(
      "Only the facilitator can do that.",
    );
    expect(m.why(FAY, "timekeeper.assign", { memberId: "stranger" })).toBe(
      "That member is not in the meeting.",
    );
    m.send(NOOR, "member.drop");
    expect(m.why(FAY, "timekeeper.assign", { memberId: NOOR })).toBe(
      "That member is not connected right now.",
    );
    m.send(FAY, "timekeeper.assign", { memberId: MO });
    expect(m.context.timekeeperId).toBe(MO);
    m.send(FAY, "timekeeper.assign", { memberId: "" });
    expect(m.context.timekeeperId).toBe("");
  });

  it("gives more time with the facilitator; a removed timekeeper is no longer one", () => {
    const m = track(meetingIn("presenting"));
    expect(m.why(MO, "timer.extend", { seconds: 60 })).toBe(
      "Only the facilitator or the timekeeper can give more time.",
    );
    m.send(FAY, "timekeeper.assign", { memberId: MO });
    const { phaseEndsAt } = m.context;
    m.send(MO, "timer.extend", { seconds: 60 });
    expect(m.context.phaseEndsAt).toBe(phaseEndsAt + 60_000);
    m.send(FAY, "member.remove", { memberId: MO });
    expect(m.context.timekeeperId).toBe("");
  });
});

describe("planned presenters", () => {
  it("come with the meeting's input", () => {
    const m = track(meetingIn("choosing", { input: { nextPresenters: [NOOR, MO] } }));
    expect(m.context.nextPresenters).toEqual([NOOR, MO]);
  });
});
