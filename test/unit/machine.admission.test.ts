// A members-only table: who comes straight in, who waits to be let in, and what the facilitator's
// answers change. People waiting hold no seat and are nobody the meeting's rules act on.
import { describe, expect, it } from "vitest";
import { MAX_WAITING } from "../../shared/limits.ts";
import { FAY, MO, NOOR, PRIYA, UMA, Meeting, stopAfterEach, walkTo } from "./machine.fixture.ts";

const track = stopAfterEach();
const GUS = "gus";

/** A members-only table whose roster holds Priya, Mo, Noor and Uma; Fay holds the key. */
function membersTable(extra: { removedEarlier?: string[] } = {}) {
  const m = track(
    new Meeting({
      input: {
        admission: "members",
        roster: [
          { memberId: PRIYA, name: "Priya" },
          { memberId: MO, name: "Mo" },
          { memberId: NOOR, name: "Noor" },
          { memberId: UMA, name: "Uma" },
        ],
        ...extra,
      },
    }),
  );
  m.send(FAY, "member.join", { name: "Fay", keyValid: true });
  m.send(FAY, "confidentiality.agree");
  for (const [id, name] of [
    [PRIYA, "Priya"],
    [MO, "Mo"],
  ] as const) {
    m.send(id, "member.join", { name, keyValid: false });
    m.send(id, "confidentiality.agree");
  }
  return m;
}

describe("a members-only table", () => {
  it("lets the roster and the key holder straight in, and puts the key holder on the roster", () => {
    const m = membersTable();
    expect(Object.keys(m.context.members).sort()).toEqual([FAY, MO, PRIYA].sort());
    expect(m.context.waiting).toEqual({});
    expect(m.context.roster[FAY]).toBe("Fay");
    expect(m.context.keyHolders).toEqual([FAY]);
  });

  it("asks someone not on the roster to wait: no member, no seat, nothing they can do", () => {
    const m = membersTable();
    m.wait(1_000);
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    expect(m.context.members[GUS]).toBeUndefined();
    expect(m.context.waiting[GUS]).toEqual({
      id: GUS,
      name: "Gus",
      since: m.now,
      reason: "never_admitted",
    });
    for (const type of ["confidentiality.agree", "hand.raise", "presenter.volunteer"] as const) {
      expect(m.can(GUS, type)).toBe(false);
    }
    expect(m.can(GUS, "checkin.word", { word: "hi" })).toBe(false);
    expect(m.can(GUS, "member.admit", { memberId: GUS })).toBe(false);
  });

  it("tells the facilitator what the table knows of a waiting person", () => {
    const m = membersTable({ removedEarlier: ["mallory"] });
    m.send("noor-phone", "member.join", { name: "NOOR", keyValid: false });
    m.send("mallory", "member.join", { name: "Mallory", keyValid: false });
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    expect(m.context.waiting["noor-phone"]?.reason).toBe("new_device");
    expect(m.context.waiting.mallory?.reason).toBe("removed_earlier");
    expect(m.context.waiting[GUS]?.reason).toBe("never_admitted");
  });

  it("keeps the time a person started waiting when their connection comes again", () => {
    const m = membersTable();
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    const since = m.now;
    m.wait(30_000);
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    expect(m.context.waiting[GUS]?.since).toBe(since);
  });

  it("lets the facilitator admit: onto the roster, a member who still has to agree", () => {
    const m = membersTable();
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    expect(m.why(MO, "member.admit", { memberId: GUS })).toBe("Only the facilitator can do that.");
    m.send(FAY, "member.admit", { memberId: GUS });
    expect(m.context.waiting).toEqual({});
    expect(m.context.roster[GUS]).toBe("Gus");
    expect(m.context.members[GUS]).toMatchObject({ name: "Gus", agreed: false, connected: true });
    expect(m.can(GUS, "hand.raise")).toBe(false);
    m.send(GUS, "confidentiality.agree");
    expect(m.context.members[GUS]?.agreed).toBe(true);
  });

  it("lets the facilitator decline: the person is gone, and nothing else changes", () => {
    const m = membersTable();
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    m.send(FAY, "member.decline", { memberId: GUS });
    expect(m.context.waiting).toEqual({});
    expect(m.context.roster[GUS]).toBeUndefined();
    expect(m.why(FAY, "member.decline", { memberId: GUS })).toBe(
      "That person is not waiting to be let in.",
    );
    expect(m.why(FAY, "member.admit", { memberId: MO })).toBe(
      "That person is not waiting to be let in.",
    );
  });

  it("forgets a waiting person who leaves", () => {
    const m = membersTable();
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    m.send(GUS, "member.leave");
    expect(m.context.waiting).toEqual({});
  });

  it("takes a removed member off the roster: with the same key they wait again", () => {
    const m = membersTable();
    walkTo(m, "checkIn");
    m.send(FAY, "member.remove", { memberId: MO });
    expect(m.context.roster[MO]).toBeUndefined();
    expect(m.context.removedEarlier).toEqual([MO]);
    m.send(MO, "member.join", { name: "Mo", keyValid: false });
    expect(m.context.members[MO]).toBeUndefined();
    expect(m.context.waiting[MO]?.reason).toBe("removed_earlier");
    // Admitted again, they are back on the roster and no longer "removed earlier".
    m.send(FAY, "member.admit", { memberId: MO });
    expect(m.context.removedEarlier).toEqual([]);
  });

  it("never keeps the key holder out: removed earlier or not on the roster, the key brings them in", () => {
    const m = track(
      new Meeting({ input: { admission: "members", removedEarlier: [FAY], roster: [] } }),
    );
    m.send(FAY, "member.join", { name: "Fay", keyValid: true });
    expect(m.context.members[FAY]).toBeDefined();
    expect(m.context.facilitatorId).toBe(FAY);
    expect(m.context.removedEarlier).toEqual([]);
  });

  it("refuses a name already used here or by someone waiting, without case", () => {
    const m = membersTable();
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    const taken = "Someone here already uses that name. Add an initial or pick another.";
    expect(m.why(NOOR, "member.join", { name: "mo", keyValid: false })).toBe(taken);
    expect(m.why("other", "member.join", { name: "GUS", keyValid: false })).toBe(taken);
    // One's own name is one's own: coming back, or joining again while waiting.
    expect(m.can(MO, "member.join", { name: "Mo", keyValid: false })).toBe(true);
    expect(m.can(GUS, "member.join", { name: "gus", keyValid: false })).toBe(true);
    // A member who left frees their name.
    m.send(MO, "member.leave");
    expect(m.can(NOOR, "member.join", { name: "Mo", keyValid: false })).toBe(true);
  });

  it("never lets someone waiting under a member's name keep that member out", () => {
    const m = membersTable();
    m.send(MO, "member.leave");
    m.send(GUS, "member.join", { name: "Mo", keyValid: false });
    expect(m.context.waiting[GUS]?.reason).toBe("new_device");
    m.send(MO, "member.join", { name: "Mo", keyValid: false });
    expect(m.context.members[MO]?.connected).toBe(true);
    expect(m.why(FAY, "member.admit", { memberId: GUS })).toBe(
      "Someone here already uses that name: ask them to join again with another.",
    );
  });

  it(`lets at most ${MAX_WAITING} people wait at once; members still come in`, () => {
    const m = membersTable();
    for (let i = 0; i < MAX_WAITING; i++) {
      m.send(`w${i}`, "member.join", { name: `Waiting ${i}`, keyValid: false });
    }
    expect(m.why("one-more", "member.join", { name: "One more", keyValid: false })).toBe(
      "Too many people are waiting to be let in. Try again later.",
    );
    expect(m.can(NOOR, "member.join", { name: "Noor", keyValid: false })).toBe(true);
    m.send(NOOR, "member.join", { name: "Noor", keyValid: false });
    m.send(NOOR, "confidentiality.agree");
    expect(m.context.members[NOOR]?.agreed).toBe(true);
  });
});

describe("an open table", () => {
  it("lets anyone with the link in and remembers them on its roster", () => {
    const m = track(new Meeting({ input: { admission: "open" } }));
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    expect(m.context.members[GUS]).toBeDefined();
    expect(m.context.waiting).toEqual({});
    expect(m.context.roster[GUS]).toBe("Gus");
  });

  it("keeps a removed member out of this meeting, but not the key holder", () => {
    const m = track(new Meeting({ input: { admission: "open" } }));
    m.send(FAY, "member.join", { name: "Fay", keyValid: true });
    m.send(FAY, "confidentiality.agree");
    m.send(GUS, "member.join", { name: "Gus", keyValid: false });
    m.send(FAY, "member.remove", { memberId: GUS });
    expect(m.why(GUS, "member.join", { name: "Gus", keyValid: false })).toBe(
      "The facilitator removed you from this meeting.",
    );
    expect(m.can(GUS, "member.join", { name: "Gus", keyValid: true })).toBe(true);
  });
});
