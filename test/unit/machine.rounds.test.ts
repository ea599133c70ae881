// The meeting's order: check-in, rounds that repeat (choosing → presenting → questions →
// experiences → commitment → choosing …), closing, ended (PROTOCOL.md "Lifecycle").
import { describe, expect, it } from "vitest";
import {
  stopAfterEach,
  FAY,
  MO,
  NOOR,
  PRIYA,
  STRANGER,
  meetingIn,
  seated,
} from "./machine.fixture.ts";

const track = stopAfterEach();

describe("a meeting's rounds", () => {
  it("walks lobby → check-in → choosing → presenting → questions → experiences → commitment → choosing", () => {
    const m = track(seated());
    const seen = [m.phase];
    m.send(FAY, "meeting.start");
    seen.push(m.phase);
    m.send(FAY, "phase.next");
    seen.push(m.phase);
    m.send(FAY, "presenter.choose", { memberId: PRIYA });
    seen.push(m.phase);
    for (let i = 0; i < 4; i++) {
      m.send(FAY, "phase.next");
      seen.push(m.phase);
    }
    expect(seen).toEqual([
      "lobby",
      "checkIn",
      "choosing",
      "presenting",
      "questions",
      "experiences",
      "commitment",
      "choosing",
    ]);
  });

  it("counts rounds from 0 before the first, and ends each round's presenter", () => {
    const m = track(meetingIn("choosing"));
    expect(m.context.round).toBe(0);
    m.send(FAY, "presenter.choose", { memberId: PRIYA });
    expect(m.context).toMatchObject({ round: 1, presenterId: PRIYA, presented: [PRIYA] });
    for (let i = 0; i < 4; i++) m.send(FAY, "phase.next");
    expect(m.context).toMatchObject({ round: 1, presenterId: "" });
    m.send(FAY, "presenter.choose", { memberId: MO });
    expect(m.context).toMatchObject({ round: 2, presenterId: MO, presented: [PRIYA, MO] });
  });

  it("starts each round with no questions", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "question.ask", { text: "What outcome would feel right?" });
    for (let i = 0; i < 3; i++) m.send(FAY, "phase.next");
    expect(m.context.questions).toHaveLength(1);
    m.send(FAY, "presenter.choose", { memberId: NOOR });
    expect(m.context.questions).toEqual([]);
  });

  it("goes from choosing to closing when no presenter is chosen, and from closing to ended", () => {
    const m = track(meetingIn("choosing"));
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("closing");
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("ended");
    expect(m.snapshot.status).toBe("done");
  });

  it("hands the room a record when the meeting ends", () => {
    const m = track(meetingIn("closing"));
    m.send(FAY, "phase.next");
    expect(m.emitted).toContainEqual({
      type: "meeting.ended",
      at: m.now,
      rounds: 1,
      members: 4,
      presented: m.snapshot.context.presented,
    });
    expect(m.snapshot.context.presented).toHaveLength(1);
  });

  it("can be ended by the facilitator from any phase", () => {
    for (const phase of ["lobby", "checkIn", "presenting", "questions", "closing"] as const) {
      const m = track(meetingIn(phase));
      expect(m.why(MO, "meeting.end")).toBe("Only the facilitator can do that.");
      m.send(FAY, "meeting.end");
      expect(m.phase).toBe("ended");
    }
  });

  it("releases the floor and clears hands, presenter and timebox when it ends mid-round", () => {
    const m = track(meetingIn("experiences"));
    m.send(MO, "hand.raise").send(FAY, "floor.give", { memberId: NOOR });
    m.wait(12_000).send(FAY, "meeting.end");
    expect(m.context).toMatchObject({
      floorId: "",
      hands: [],
      presenterId: "",
      phaseEndsAt: 0,
      turnEndsAt: 0,
    });
    expect(m.context.members[NOOR]?.airtimeMs).toBe(12_000);
  });

  it("takes nothing more once ended", () => {
    const m = track(meetingIn("ended"));
    expect(m.why(FAY, "phase.next")).toBe("The meeting has ended.");
    expect(m.why(FAY, "meeting.end")).toBe("The meeting has ended already.");
    expect(m.can(STRANGER, "member.join", { name: "Sam", keyValid: true })).toBe(false);
  });
});

describe("choosing the presenter", () => {
  it("lets members volunteer, once each, and the facilitator choose", () => {
    const m = track(meetingIn("choosing"));
    m.send(MO, "presenter.volunteer").send(NOOR, "presenter.volunteer");
    expect(m.why(MO, "presenter.volunteer")).toBe("You have already volunteered.");
    expect(m.context.volunteers).toEqual([MO, NOOR]);
    expect(m.why(MO, "presenter.choose", { memberId: MO })).toBe(
      "Only the facilitator can do that.",
    );
    m.send(FAY, "presenter.choose", { memberId: NOOR });
    expect(m.context.volunteers).toEqual([MO]);
    expect(m.context.presenterId).toBe(NOOR);
  });

  it("chooses only an agreed member who is here", () => {
    const m = track(meetingIn("choosing"));
    m.send(MO, "member.drop");
    expect(m.why(FAY, "presenter.choose", { memberId: MO })).toBe(
      "That member is not connected right now.",
    );
    expect(m.why(FAY, "presenter.choose", { memberId: STRANGER })).toBe(
      "That member is not in the meeting, or has not agreed to confidentiality.",
    );
  });

  it("drops the offer of a volunteer who leaves", () => {
    const m = track(meetingIn("choosing"));
    m.send(MO, "presenter.volunteer");
    m.send(MO, "member.leave");
    expect(m.context.volunteers).toEqual([]);
  });
});

describe("commitments", () => {
  it("are made and removed by the presenter, in the commitment phase", () => {
    const m = track(meetingIn("commitment"));
    expect(m.why(MO, "commitment.add", { text: "I will", commitmentId: "k1" })).toBe(
      "Only the presenter can do that.",
    );
    m.send(PRIYA, "commitment.add", { text: "I will talk to Ana by Friday", commitmentId: "k1" });
    m.send(PRIYA, "commitment.add", {
      text: "I will draft the leveling chart",
      commitmentId: "k2",
    });
    m.send(PRIYA, "commitment.remove", { commitmentId: "k1" });
    expect(m.context.commitments).toEqual([
      {
        id: "k2",
        ownerId: PRIYA,
        ownerName: "Priya",
        text: "I will draft the leveling chart",
        status: "open",
        note: "",
        review: false,
        round: 1,
      },
    ]);
  });

  it("are kept for the rest of the meeting, and only this round's can be removed", () => {
    const m = track(meetingIn("commitment"));
    m.send(PRIYA, "commitment.add", { text: "I will talk to Ana", commitmentId: "k1" });
    m.send(FAY, "phase.next").send(FAY, "presenter.choose", { memberId: PRIYA });
    for (let i = 0; i < 3; i++) m.send(FAY, "phase.next");
    expect(m.phase).toBe("commitment");
    expect(m.context.commitments.map((c) => c.id)).toEqual(["k1"]);
    expect(m.why(PRIYA, "commitment.remove", { commitmentId: "k1" })).toBe(
      "Only a commitment made in this round can be removed.",
    );
  });

  it("hold at most ten per round", () => {
    const m = track(meetingIn("commitment"));
    for (let i = 1; i <= 10; i++) {
      m.send(PRIYA, "commitment.add", { text: `Step ${i}`, commitmentId: `k${i}` });
    }
    expect(m.why(PRIYA, "commitment.add", { text: "One more", commitmentId: "k11" })).toBe(
      "A round holds at most 10 commitments.",
    );
  });
});

describe("check-in and close", () => {
  it("keeps each member's one word, in check-in and in closing apart", () => {
    const m = track(meetingIn("checkIn"));
    m.send(MO, "checkin.word", { word: "hopeful" });
    m.send(FAY, "phase.next").send(FAY, "phase.next"); // choosing, then closing
    expect(m.phase).toBe("closing");
    m.send(MO, "checkin.word", { word: "lighter" });
    expect(m.context.members[MO]).toMatchObject({ checkinWord: "hopeful", closingWord: "lighter" });
  });
});
