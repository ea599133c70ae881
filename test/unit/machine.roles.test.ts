// The confidentiality gate, the facilitator's role, and who is in the room (BRIEF.md "Roles",
// "Trust and confidentiality by design"; PROTOCOL.md "The room").
import { describe, expect, it } from "vitest";
import {
  stopAfterEach,
  FAY,
  MO,
  Meeting,
  NOOR,
  PRIYA,
  STRANGER,
  UMA,
  meetingIn,
  seated,
  walkTo,
} from "./machine.fixture.ts";

const track = stopAfterEach();

const question = "How have you handled this before?";
const AGREE_FIRST = "Agree to confidentiality before taking part.";

describe("the confidentiality gate", () => {
  it("lets a member who has not agreed do nothing but agree", () => {
    const m = track(meetingIn("questions"));
    m.send(FAY, "pulse.open");
    expect(m.why(UMA, "hand.raise")).toBe(AGREE_FIRST);
    expect(m.why(UMA, "question.ask", { text: question })).toBe(AGREE_FIRST);
    expect(m.why(UMA, "pulse.answer", { score: 5 })).toBe(AGREE_FIRST);
    expect(m.why(UMA, "facilitator.claim", { keyValid: true })).toBe(AGREE_FIRST);
    expect(m.can(UMA, "confidentiality.agree")).toBe(true);

    m.send(UMA, "confidentiality.agree");
    expect(m.context.members[UMA]?.agreed).toBe(true);
    expect(m.can(UMA, "hand.raise")).toBe(true);
    expect(m.can(UMA, "question.ask", { text: question })).toBe(true);
    expect(m.can(UMA, "pulse.answer", { score: 5 })).toBe(true);
  });

  it("does not let a member agree twice", () => {
    const m = track(seated());
    expect(m.why(MO, "confidentiality.agree")).toBe("You have already agreed to confidentiality.");
  });

  it("lets nobody who has not joined agree, or do anything else", () => {
    const m = track(meetingIn("checkIn"));
    expect(m.why(STRANGER, "confidentiality.agree")).toBe("Join the table first.");
    expect(m.can(STRANGER, "checkin.word", { word: "hello" })).toBe(false);
  });

  it("does not let a facilitator who has not agreed run the meeting", () => {
    const m = track(new Meeting());
    m.send(FAY, "member.join", { name: "Fay", keyValid: true });
    for (const id of [MO, NOOR]) {
      m.send(id, "member.join", { name: id, keyValid: false });
      m.send(id, "confidentiality.agree");
    }
    expect(m.context.facilitatorId).toBe(FAY);
    expect(m.why(FAY, "meeting.start")).toBe(AGREE_FIRST);
    m.send(FAY, "confidentiality.agree");
    expect(m.can(FAY, "meeting.start")).toBe(true);
  });

  describe.each(["meeting.start", "phase.next"] as const)("%s in the lobby", (type) => {
    const TWO = "At least two members must have agreed to confidentiality to start.";

    it("needs at least two agreed members", () => {
      const m = track(new Meeting());
      m.send(FAY, "member.join", { name: "Fay", keyValid: true });
      m.send(FAY, "confidentiality.agree");
      m.send(UMA, "member.join", { name: "Uma", keyValid: false });
      expect(m.why(FAY, type)).toBe(TWO);
      m.send(UMA, "confidentiality.agree");
      expect(m.can(FAY, type)).toBe(true);
    });

    it("does not count an agreed member whose connection dropped", () => {
      const m = track(new Meeting());
      m.send(FAY, "member.join", { name: "Fay", keyValid: true });
      m.send(MO, "member.join", { name: "Mo", keyValid: false });
      m.send(FAY, "confidentiality.agree").send(MO, "confidentiality.agree");
      m.send(MO, "member.drop");
      expect(m.why(FAY, type)).toBe(TWO);
      m.send(MO, "member.join", { name: "Mo", keyValid: false });
      expect(m.can(FAY, type)).toBe(true);
    });

    it("starts the meeting with check-in and tells the room it started", () => {
      const m = track(seated());
      m.send(FAY, type);
      expect(m.snapshot.matches({ meeting: { phase: "checkIn" } })).toBe(true);
      expect(m.emitted).toContainEqual({ type: "meeting.started", at: m.now });
    });

    it("is the facilitator's alone", () => {
      const m = track(seated());
      expect(m.why(MO, type)).toBe("Only the facilitator can do that.");
    });
  });
});

describe("the facilitator", () => {
  it("is whoever joins with the table's key", () => {
    const m = track(seated());
    expect(m.context.facilitatorId).toBe(FAY);
    m.send(MO, "member.join", { name: "Mo", keyValid: true });
    expect(m.context.facilitatorId).toBe(MO);
  });

  it("stays the facilitator when others join without the key", () => {
    const m = track(seated());
    m.send(STRANGER, "member.join", { name: "Sam", keyValid: false });
    m.send(MO, "member.join", { name: "Mo", keyValid: false });
    expect(m.context.facilitatorId).toBe(FAY);
  });

  it("hands facilitation to an agreed, connected member, who then runs the meeting", () => {
    const m = track(meetingIn("checkIn"));
    m.send(FAY, "facilitator.handoff", { memberId: NOOR });
    expect(m.context.facilitatorId).toBe(NOOR);
    expect(m.why(FAY, "phase.next")).toBe("Only the facilitator can do that.");
    m.send(NOOR, "phase.next");
    expect(m.phase).toBe("choosing");
  });

  it("cannot hand facilitation to someone who has not agreed, is away, is a stranger, or to themselves", () => {
    const m = track(meetingIn("checkIn"));
    m.send(NOOR, "member.drop");
    expect(m.why(FAY, "facilitator.handoff", { memberId: UMA })).toBe(
      "That member is not in the meeting, or has not agreed to confidentiality.",
    );
    expect(m.why(FAY, "facilitator.handoff", { memberId: NOOR })).toBe(
      "That member is not connected right now.",
    );
    expect(m.can(FAY, "facilitator.handoff", { memberId: STRANGER })).toBe(false);
    expect(m.why(FAY, "facilitator.handoff", { memberId: FAY })).toBe(
      "You are the facilitator already.",
    );
    expect(m.why(MO, "facilitator.handoff", { memberId: PRIYA })).toBe(
      "Only the facilitator can do that.",
    );
    expect(m.context.facilitatorId).toBe(FAY);
  });

  it("can always be claimed with the table's key, even while the facilitator is here", () => {
    const m = track(meetingIn("questions"));
    m.send(MO, "facilitator.claim", { keyValid: true });
    expect(m.context.facilitatorId).toBe(MO);
    m.send(FAY, "facilitator.claim", { keyValid: true });
    expect(m.context.facilitatorId).toBe(FAY);
  });

  it("cannot be claimed without the key while the facilitator is here", () => {
    const m = track(meetingIn("checkIn"));
    m.wait(10 * 60_000);
    expect(m.why(MO, "facilitator.claim", { keyValid: false })).toBe(
      "Facilitation can be claimed with the table's key, or once the facilitator has been away for a minute.",
    );
  });

  it("can be claimed without the key once the facilitator has been away for a minute", () => {
    const m = track(meetingIn("checkIn"));
    m.send(FAY, "member.drop");
    m.wait(59_999);
    expect(m.can(MO, "facilitator.claim", { keyValid: false })).toBe(false);
    m.wait(1);
    m.send(MO, "facilitator.claim", { keyValid: false });
    expect(m.context.facilitatorId).toBe(MO);
  });

  it("cannot be claimed without the key once the facilitator is back", () => {
    const m = track(meetingIn("checkIn"));
    m.send(FAY, "member.drop");
    m.wait(30_000);
    m.send(FAY, "member.join", { name: "Fay", keyValid: false });
    m.wait(60_000);
    expect(m.can(MO, "facilitator.claim", { keyValid: false })).toBe(false);
  });

  it("can be claimed without the key a minute after the facilitator left", () => {
    const m = track(meetingIn("choosing"));
    m.send(FAY, "member.leave");
    m.wait(60_000);
    m.send(NOOR, "facilitator.claim", { keyValid: false });
    expect(m.context.facilitatorId).toBe(NOOR);
  });

  it("cannot be claimed without the key before a facilitator has been here", () => {
    const m = track(new Meeting());
    for (const id of [MO, NOOR]) {
      m.send(id, "member.join", { name: id, keyValid: false });
      m.send(id, "confidentiality.agree");
    }
    expect(m.context.facilitatorId).toBe("");
    m.wait(10 * 60_000);
    expect(m.why(NOOR, "facilitator.claim", { keyValid: false })).toBe(
      "Facilitation can be claimed with the table's key, or once the facilitator has been away for a minute.",
    );
    m.send(NOOR, "facilitator.claim", { keyValid: true });
    expect(m.context.facilitatorId).toBe(NOOR);
    expect(m.can(NOOR, "meeting.start")).toBe(true);
  });

  it("cannot take the key holder out: a claim carries on for them, and they come back to it", () => {
    const m = track(meetingIn("checkIn"));
    m.send(FAY, "member.drop");
    m.wait(61_000);
    m.send(MO, "facilitator.claim", { keyValid: false });
    expect(m.context.facilitatorId).toBe(MO);
    expect(m.why(MO, "member.remove", { memberId: FAY })).toBe(
      "The holder of the table's key cannot be removed.",
    );
    m.send(FAY, "member.join", { name: "Fay", keyValid: true });
    expect(m.context.facilitatorId).toBe(FAY);
  });
});

describe("membership", () => {
  it("takes a removed member's hand, floor and waiting questions with them", () => {
    const m = track(meetingIn("questions"));
    m.send(NOOR, "question.ask", { text: question });
    m.send(NOOR, "question.ask", { text: "What would success look like?" });
    m.send(MO, "hand.raise");
    m.send(FAY, "floor.give"); // Noor asked first: her hand is at the head.
    expect(m.context.floorId).toBe(NOOR);
    m.send(PRIYA, "member.drop"); // unrelated; the presenter stays presenter
    m.send(FAY, "member.remove", { memberId: NOOR });

    const c = m.context;
    expect(c.members[NOOR]).toBeUndefined();
    expect(c.removed).toEqual([NOOR]);
    expect(c.floorId).toBe("");
    expect(c.hands).toEqual([MO]);
    expect(c.questions.filter((q) => q.askerId === NOOR && q.status === "queued")).toEqual([]);
    expect(m.snapshot.matches({ meeting: { phase: { questions: "open" } } })).toBe(true);
  });

  it("takes a removed member's raised hand in experience shares", () => {
    const m = track(meetingIn("experiences"));
    m.send(MO, "hand.raise").send(NOOR, "hand.raise");
    m.send(FAY, "member.remove", { memberId: MO });
    expect(m.context.hands).toEqual([NOOR]);
  });

  it("does not let a removed member join again", () => {
    const m = track(meetingIn("checkIn"));
    m.send(FAY, "member.remove", { memberId: MO });
    expect(m.why(MO, "member.join", { name: "Mo", keyValid: false })).toBe(
      "The facilitator removed you from this meeting.",
    );
    // The table's key is never refused: it brings its holder in, as the facilitator.
    expect(m.can(MO, "member.join", { name: "Mo", keyValid: true })).toBe(true);
  });

  it("lets only the facilitator remove, never themselves, and only someone in the meeting", () => {
    const m = track(meetingIn("checkIn"));
    expect(m.why(MO, "member.remove", { memberId: NOOR })).toBe(
      "Only the facilitator can do that.",
    );
    expect(m.why(FAY, "member.remove", { memberId: FAY })).toBe("You cannot remove yourself.");
    expect(m.why(FAY, "member.remove", { memberId: STRANGER })).toBe(
      "That member is not in the meeting.",
    );
  });

  it("ends the round's presenting when the presenter is removed", () => {
    const m = track(meetingIn("presenting"));
    m.send(FAY, "member.remove", { memberId: PRIYA });
    expect(m.context.presenterId).toBe("");
  });

  it("keeps a dropped member's seat and takes them back", () => {
    const m = track(meetingIn("checkIn"));
    m.send(MO, "member.drop");
    expect(m.context.members[MO]).toMatchObject({ connected: false, awaySince: m.now });
    m.wait(5_000);
    m.send(MO, "member.join", { name: "Mo", keyValid: false });
    expect(m.context.members[MO]).toMatchObject({ connected: true, awaySince: 0, agreed: true });
  });

  it("refuses a 17th member when 16 have agreed, but lets a member of the 16 back in", () => {
    const m = track(new Meeting());
    const ids = Array.from({ length: 16 }, (_, i) => `member${i + 1}`);
    for (const id of ids) {
      m.send(id, "member.join", { name: id, keyValid: false });
      m.send(id, "confidentiality.agree");
    }
    expect(m.why("member17", "member.join", { name: "Seventeen", keyValid: false })).toBe(
      "The meeting is full.",
    );
    m.send("member3", "member.drop");
    m.send("member3", "member.join", { name: "member3", keyValid: false });
    expect(Object.values(m.context.members).filter((x) => x.connected)).toHaveLength(16);
    // The key holder is never kept out.
    expect(m.can("member17", "member.join", { name: "Seventeen", keyValid: true })).toBe(true);
  });

  it("gives no seat to members who have not agreed: sixteen idle joins keep nobody out", () => {
    const m = track(new Meeting());
    for (let i = 1; i <= 16; i++)
      m.send(`idle${i}`, "member.join", { name: `Idle ${i}`, keyValid: false });
    m.send(FAY, "member.join", { name: "Fay", keyValid: true });
    m.send(FAY, "confidentiality.agree");
    m.send(MO, "member.join", { name: "Mo", keyValid: false });
    m.send(MO, "confidentiality.agree");
    expect(m.context.members[MO]?.agreed).toBe(true);
  });

  it("refuses the 17th agreement when 16 have agreed meanwhile, except the key holder's", () => {
    const m = track(new Meeting());
    for (let i = 1; i <= 17; i++)
      m.send(`m${i}`, "member.join", { name: `M ${i}`, keyValid: false });
    m.send(FAY, "member.join", { name: "Fay", keyValid: true });
    for (let i = 1; i <= 16; i++) m.send(`m${i}`, "confidentiality.agree");
    expect(m.why("m17", "confidentiality.agree")).toBe("The meeting is full.");
    m.send(FAY, "confidentiality.agree");
    expect(m.context.members[FAY]?.agreed).toBe(true);
  });

  it("ignores drops and leaves of people who never joined", () => {
    const m = track(meetingIn("checkIn"));
    expect(m.why(STRANGER, "member.drop")).toBe("Join the table first.");
    expect(m.why(STRANGER, "member.leave")).toBe("Join the table first.");
  });

  it("takes no joins once the meeting has ended", () => {
    const m = track(seated());
    walkTo(m, "ended");
    expect(m.why(STRANGER, "member.join", { name: "Late", keyValid: false })).toBe(
      "The meeting has ended: join again to start a new one.",
    );
  });
});
