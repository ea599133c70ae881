// Every message of PROTOCOL.md's table, sent by a member who may not send it now, is refused with
// an `error` to that member alone and changes nothing; malformed messages are `invalid`; a flood
// is `rate_limited`, and past the hard cap the flooder is disconnected while the room carries on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberIdFor } from "../../server/keys.ts";
import { clientMessageTypes, TEXT_MAX, WORD_MAX } from "../../shared/index.ts";
import {
  createTable,
  join,
  settle,
  startTestServer,
  until,
  type ErrorReply,
  type Person,
  type TestServer,
} from "../support/server.ts";

/** A sentence a person can read: starts with a capital, ends with a full stop or the like. */
const SENTENCE = /^[A-Z][^\n]{8,}[.!?]$/;

/** Message types refused with `not_allowed` so far, to prove the table is covered. */
const refusedTypes = new Set<string>();

/**
 * Sends a message that must be refused, and checks the whole contract of a refusal: the `error`
 * reply `{ code, message, type }` reaches the sender, nobody else hears of it, and the synced
 * state every other member decodes is the same before and after.
 */
async function expectRefused(
  everyone: Person[],
  sender: Person,
  type: string | number,
  payload?: unknown,
  code: ErrorReply["code"] = "not_allowed",
): Promise<ErrorReply> {
  const others = everyone.filter((p) => p !== sender);
  await pingAll(everyone);
  const before = others.map((p) => JSON.stringify(p.state()));
  const senderBefore = JSON.stringify(sender.state());
  const errorsBefore = others.map((p) => p.errors.length);
  const sentBefore = sender.errors.length;

  const reply = await sender.send(type as string, payload);
  expect(reply, `${String(type)} ${JSON.stringify(payload)} was accepted`).toEqual({
    code,
    message: expect.stringMatching(SENTENCE),
    type: String(type),
  });
  expect(sender.errors.length).toBe(sentBefore + 1);

  // The reply came after the server handled the message; a ping round-trip on every other
  // connection now brings in anything it sent them before that.
  await pingAll(others);
  expect(others.map((p) => p.errors.length)).toEqual(errorsBefore);
  expect(others.map((p) => JSON.stringify(p.state()))).toEqual(before);
  expect(JSON.stringify(sender.state())).toBe(senderBefore);
  if (code === "not_allowed") refusedTypes.add(String(type));
  return reply!;
}

/** One ping round-trip on each connection: whatever the server sent before is in. */
function pingAll(people: Person[]): Promise<unknown> {
  return Promise.all(
    people.map((p) => new Promise<void>((resolve) => p.room.ping(() => resolve()))),
  );
}

async function accepted(person: Person, type: string, payload?: unknown): Promise<void> {
  expect(await person.send(type, payload), `${person.name} ${type}`).toBeUndefined();
}

describe("refused for a member who may not send it now", () => {
  let server: TestServer;
  let ana: Person; // facilitator
  let ben: Person; // presents the round; owns an earlier commitment
  let chloe: Person;
  let dev: Person;
  let zed: Person; // joined, never agreed to confidentiality
  let everyone: Person[];
  const earlierId = "earlier-commitment-of-ben";
  const refused = (sender: Person, type: string | number, payload?: unknown) =>
    expectRefused(everyone, sender, type, payload);

  beforeAll(async () => {
    server = await startTestServer();
    const table = await createTable(server.url);
    const benKey = "refusals-ben-key-0001";
    // An open commitment from an earlier meeting, so that the follow-up has something to review.
    await server.storage.addCommitment({
      id: earlierId,
      tableId: table.tableId,
      meetingId: "an-earlier-meeting",
      ownerId: memberIdFor(table.tableId, benKey),
      ownerName: "Ben",
      text: "Draft the leveling chart",
      createdAt: Date.now() - 30 * 86_400_000,
    });
    ana = await join(server.url, table.tableId, "Ana", { facilitatorKey: table.facilitatorKey });
    ben = await join(server.url, table.tableId, "Ben", { memberKey: benKey });
    chloe = await join(server.url, table.tableId, "Chloé");
    dev = await join(server.url, table.tableId, "Dev");
    zed = await join(server.url, table.tableId, "Zed");
    everyone = [ana, ben, chloe, dev, zed];
    for (const p of [ana, ben, chloe, dev]) await accepted(p, "confidentiality.agree");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("in the lobby", async () => {
    expect(ana.state().phase).toBe("lobby");
    await refused(ben, "confidentiality.agree"); // agreed already
    await refused(ben, "meeting.start"); // not the facilitator
    await refused(ben, "phase.next");
    await refused(ben, "checkin.word", { word: "Early" }); // wrong phase
    await refused(ben, "presenter.volunteer");
    await refused(ben, "hand.raise");
    await refused(chloe, "question.ask", { text: "What would a good outcome look like?" });
    await refused(ben, "commitment.add", { text: "Ship it" });
    await refused(ana, "pulse.open"); // not before the meeting starts
    // Version 2: the forum's messages at a roundtable table, and time control with no timer.
    await refused(ben, "turn.done");
    await refused(ben, "turn.pass");
    await refused(ana, "turn.next");
    await refused(ben, "update.rate", { work: 7 });
    await refused(ben, "parking.add", { text: "Hiring my first lead" });
    await refused(ana, "parking.remove", { id: "p1" });
    await refused(ben, "parking.vote", { id: "p1" });
    await refused(ben, "issue.set", { title: "Hiring", ask: "both" });
    await refused(chloe, "share.pass");
    await refused(ana, "timer.extend", { seconds: 60 });
    await refused(ben, "timekeeper.assign", { memberId: chloe.memberId });
    await refused(ana, "presenter.choose", { memberId: ben.memberId });
    await refused(zed, "hand.lowerFor", { memberId: ben.memberId });
  });

  it("from a facilitator who has not agreed, or without two agreed members", async () => {
    const table = await createTable(server.url);
    const fay = await join(server.url, table.tableId, "Fay", {
      facilitatorKey: table.facilitatorKey,
    });
    const gus = await join(server.url, table.tableId, "Gus");
    const people = [fay, gus];
    await accepted(gus, "confidentiality.agree");
    const notAgreed = await expectRefused(people, fay, "meeting.start");
    expect(notAgreed.message).toMatch(/agree/i);
    await expectRefused(people, fay, "phase.next");
    await expectRefused(people, fay, "member.remove", { memberId: gus.memberId });
    await accepted(fay, "confidentiality.agree");
    await gus.leave();
    const alone = await expectRefused([fay], fay, "meeting.start");
    expect(alone.message).toMatch(/two/i);
    await fay.leave();
  });

  it("in check-in", async () => {
    await accepted(ana, "meeting.start");
    expect(ana.state().phase).toBe("checkIn");
    await refused(zed, "checkin.word", { word: "Hello" }); // not agreed
    await refused(zed, "phase.next");
    await refused(ana, "meeting.start"); // started already
    await refused(ben, "followup.report", { commitmentId: earlierId, status: "done" });
    await refused(ben, "pulse.answer", { score: 4 }); // no pulse open
    await refused(ana, "pulse.close");
    await refused(ana, "floor.yield");
    await accepted(ben, "checkin.word", { word: "Curious" });
  });

  it("in follow-up", async () => {
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("followUp");
    expect(ana.state().commitments.map((c: { id: string }) => c.id)).toEqual([earlierId]);
    // Only its owner reports on a commitment, and only on one under review.
    await refused(chloe, "followup.report", { commitmentId: earlierId, status: "done" });
    await refused(zed, "followup.report", { commitmentId: earlierId, status: "done" });
    await refused(ben, "followup.report", { commitmentId: "no-such-commitment", status: "done" });
    await refused(ben, "checkin.word", { word: "Late" });
    await refused(ben, "presenter.volunteer");
    await accepted(ben, "followup.report", {
      commitmentId: earlierId,
      status: "partly",
      note: "Half of it",
    });
  });

  it("while choosing a presenter, and around a pulse", async () => {
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("choosing");
    await refused(zed, "presenter.volunteer"); // not agreed
    await accepted(ben, "presenter.volunteer");
    await refused(ben, "presenter.volunteer"); // volunteered already
    await refused(ben, "presenter.choose", { memberId: ben.memberId }); // not the facilitator
    await refused(ana, "presenter.choose", { memberId: "no-such-member" });
    await refused(ana, "presenter.choose", { memberId: zed.memberId }); // has not agreed
    await refused(chloe, "hand.raise");
    await refused(chloe, "hand.lower");
    await refused(ana, "floor.give");
    await refused(ben, "followup.report", { commitmentId: earlierId, status: "done" });

    await refused(ben, "pulse.open"); // not the facilitator
    await accepted(ana, "pulse.open");
    await refused(ana, "pulse.open"); // open already
    await refused(zed, "pulse.answer", { score: 3 }); // not agreed
    await accepted(ben, "pulse.answer", { score: 4 });
    await refused(ben, "pulse.answer", { score: 5 }); // answered already
    await refused(ben, "pulse.close"); // not the facilitator
    await accepted(ana, "pulse.close");
    await refused(ana, "pulse.close"); // closed already
    await refused(chloe, "pulse.answer", { score: 2 }); // too late
  });

  it("while the presenter presents", async () => {
    await accepted(ana, "presenter.choose", { memberId: ben.memberId });
    expect(ana.state().phase).toBe("presenting");
    await refused(ben, "phase.next"); // the presenter does not run the meeting
    await refused(chloe, "question.ask", { text: "How have you handled this before?" });
    await refused(chloe, "hand.raise");
    await refused(ben, "commitment.add", { text: "Too early" });
    await refused(ana, "presenter.choose", { memberId: chloe.memberId }); // mid-round
  });

  it("in probing questions", async () => {
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("questions");
    await refused(ben, "question.ask", { text: "Should I ask myself?" }); // the presenter
    await refused(zed, "question.ask", { text: "What happened next?" }); // not agreed
    await refused(zed, "hand.raise");
    await accepted(chloe, "question.ask", { text: "How have you handled this before?" });
    await accepted(dev, "question.ask", { text: "What would a good outcome look like?" });
    const [q1, q2] = ana.state().questions as { id: string }[];
    await refused(dev, "question.withdraw", { questionId: q1!.id }); // not the asker
    await refused(chloe, "question.withdraw", { questionId: "q99" }); // no such question
    await refused(dev, "question.answered", { questionId: q1!.id }); // a plain member
    await refused(ben, "question.dismiss", { questionId: q2!.id }); // the presenter
    await refused(ana, "question.answered", { questionId: "q99" });
    await refused(chloe, "hand.raise"); // up already (asking raised it)
    await refused(ana, "hand.lower"); // not up
    await refused(dev, "hand.lowerFor", { memberId: chloe.memberId }); // not the facilitator
    await refused(ana, "hand.lowerFor", { memberId: ana.memberId }); // not up
    await refused(dev, "floor.give"); // neither facilitator nor presenter
    await refused(ana, "floor.give", { memberId: zed.memberId }); // has not agreed
    await refused(ana, "floor.give", { memberId: ben.memberId }); // the presenter
    await refused(ana, "floor.give", { memberId: "no-such-member" });
    await refused(chloe, "floor.yield"); // nobody has the floor

    await accepted(ben, "floor.give"); // the presenter gives it to the head of the queue
    expect(ana.state().floorId).toBe(chloe.memberId);
    await refused(dev, "floor.yield"); // not theirs
    await refused(ana, "floor.give", { memberId: chloe.memberId }); // has it already
    await refused(chloe, "question.withdraw", { questionId: q1!.id }); // being asked now
    await refused(chloe, "hand.raise"); // has the floor
    await refused(ben, "commitment.add", { text: "Not yet" });
    await refused(ben, "commitment.remove", { commitmentId: "none" });

    // Membership and roles.
    await refused(ben, "member.remove", { memberId: dev.memberId }); // not the facilitator
    await refused(ana, "member.remove", { memberId: ana.memberId }); // oneself
    await refused(ana, "member.remove", { memberId: "no-such-member" });
    // At this open table nobody waits: there is nobody to let in or decline.
    await refused(ana, "member.admit", { memberId: zed.memberId });
    await refused(ana, "member.decline", { memberId: "no-such-member" });
    await refused(ben, "member.admit", { memberId: dev.memberId }); // not the facilitator
    await refused(ben, "facilitator.handoff", { memberId: ben.memberId });
    await refused(ana, "facilitator.handoff", { memberId: ana.memberId });
    await refused(ana, "facilitator.handoff", { memberId: zed.memberId }); // has not agreed
    await refused(ana, "facilitator.handoff", { memberId: "no-such-member" });
    await refused(ben, "facilitator.claim", { facilitatorKey: "not-the-key-of-this-table" });
    await refused(zed, "facilitator.claim", { facilitatorKey: "not-the-key-of-this-table" });
    await refused(ben, "meeting.end");

    await accepted(chloe, "floor.yield");
    await accepted(ana, "question.dismiss", { questionId: q2!.id });
    await refused(ana, "question.dismiss", { questionId: q2!.id }); // not open any more
    await refused(ana, "question.answered", { questionId: q2!.id });
    await refused(ben, "question.answered", { questionId: q1!.id }); // answered already
  });

  it("in experience shares", async () => {
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("experiences");
    await refused(ben, "hand.raise"); // the presenter does not share in their own round
    await refused(ben, "floor.give"); // only the facilitator gives the floor here
    await refused(ana, "floor.give"); // nobody has a hand up
    await refused(dev, "question.ask", { text: "What did you try?" });
    await accepted(dev, "hand.raise");
    await refused(ben, "floor.give", { memberId: dev.memberId });
    await refused(dev, "hand.lowerFor", { memberId: dev.memberId });
    await accepted(dev, "hand.lower");
    await refused(dev, "hand.lower");
  });

  it("in the commitment phase", async () => {
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("commitment");
    await refused(chloe, "commitment.add", { text: "Not mine to make" });
    await refused(zed, "commitment.add", { text: "Not mine to make" });
    await accepted(ben, "commitment.add", { text: "Finish the leveling chart" });
    await until("the commitment", () => ana.state().commitments.length === 1);
    const [commitment] = ana.state().commitments as { id: string }[];
    await refused(chloe, "commitment.remove", { commitmentId: commitment!.id });
    await refused(ben, "commitment.remove", { commitmentId: "no-such-commitment" });
    await refused(ben, "followup.report", { commitmentId: commitment!.id, status: "done" });
    await refused(ben, "hand.raise");
  });

  it("in closing and once the meeting ended", async () => {
    await accepted(ana, "phase.next");
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("closing");
    await refused(zed, "checkin.word", { word: "Bye" });
    await refused(ben, "presenter.volunteer");
    await refused(ana, "presenter.choose", { memberId: ben.memberId });
    await accepted(ana, "meeting.end");
    expect(ana.state().phase).toBe("ended");
    await refused(ana, "meeting.end");
    await refused(ana, "phase.next");
    await refused(ana, "pulse.open");
    await refused(zed, "confidentiality.agree");
    await refused(ben, "checkin.word", { word: "Later" });
    await refused(ana, "facilitator.handoff", { memberId: ben.memberId });
    await refused(ana, "member.remove", { memberId: zed.memberId });
  });

  it("covers every message type of PROTOCOL.md's table", () => {
    expect([...refusedTypes].sort()).toEqual([...clientMessageTypes].sort());
    // PROTOCOL.md's table: 24 rows, `hand.raise / hand.lower` sharing one; and version 2's
    // `member.admit` and `member.decline`, and the forum's and time control's eleven.
    expect(clientMessageTypes).toHaveLength(38);
  });
});

describe("malformed messages are refused as invalid", () => {
  let server: TestServer;
  let ana: Person;
  let ben: Person;
  let chloe: Person;
  let everyone: Person[];
  const invalid = (sender: Person, type: string | number, payload?: unknown) =>
    expectRefused(everyone, sender, type, payload, "invalid");

  beforeAll(async () => {
    server = await startTestServer();
    const table = await createTable(server.url);
    ana = await join(server.url, table.tableId, "Ana", { facilitatorKey: table.facilitatorKey });
    ben = await join(server.url, table.tableId, "Ben");
    chloe = await join(server.url, table.tableId, "Chloé");
    everyone = [ana, ben, chloe];
    for (const p of everyone) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses bad check-in words, and accepts a good one", async () => {
    await invalid(ben, "checkin.word", { word: "two words" });
    await invalid(ben, "checkin.word", { word: "" });
    await invalid(ben, "checkin.word", { word: "x".repeat(WORD_MAX + 1) });
    await invalid(ben, "checkin.word", { word: 7 });
    await invalid(ben, "checkin.word", {});
    await invalid(ben, "checkin.word", "Tired");
    await invalid(ben, "checkin.word", { word: "Tired", mood: "low" });
    await accepted(ben, "checkin.word", { word: "x".repeat(WORD_MAX) });
  });

  it("refuses bad questions, and accepts one of 280 characters", async () => {
    await accepted(ana, "phase.next"); // no follow-up at a first meeting: choosing
    await accepted(ana, "presenter.choose", { memberId: ben.memberId });
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("questions");
    await invalid(chloe, "question.ask", { text: "x".repeat(TEXT_MAX + 1) });
    await invalid(chloe, "question.ask", { text: "" });
    await invalid(chloe, "question.ask", { text: "   " });
    await invalid(chloe, "question.ask", { text: 42 });
    await invalid(chloe, "question.ask", { text: ["How", "why"] });
    await invalid(chloe, "question.ask", { text: "Why?", extra: true });
    await invalid(chloe, "question.ask", "How have you handled this before?");
    await invalid(chloe, "question.ask", 12);
    await invalid(chloe, "question.ask", null);
    await invalid(chloe, "question.ask");
    await invalid(chloe, "hand.lower", { memberId: ben.memberId }); // takes no payload
    await invalid(chloe, "hand.raise", [1, 2, 3]);
    await invalid(chloe, "question.withdraw", { questionId: "" });
    await invalid(chloe, "question.withdraw", { questionId: "q".repeat(65) });
    await invalid(ana, "floor.give", { memberId: 5 });
    await invalid(ana, "presenter.choose", {});
    await accepted(chloe, "question.ask", { text: `${"W".repeat(TEXT_MAX - 1)}?` });
    expect(ana.state().questions[0].text).toHaveLength(TEXT_MAX);
  });

  it("refuses bad scores, statuses and keys", async () => {
    await accepted(ana, "pulse.open");
    for (const score of [6, 0, -1, 2.5, "5", null, 1e9]) {
      await invalid(ben, "pulse.answer", { score });
    }
    await invalid(ben, "pulse.answer", {});
    await invalid(ben, "pulse.answer", 5);
    await invalid(ben, "followup.report", { commitmentId: "c1", status: "maybe" });
    await invalid(ben, "followup.report", { commitmentId: "c1", status: "done", note: 3 });
    await invalid(ben, "facilitator.claim", { facilitatorKey: 12345 });
    await invalid(ben, "facilitator.claim", { facilitatorKey: "k".repeat(129) });
    await invalid(ben, "member.remove", { memberId: null });
    await accepted(ben, "pulse.answer", { score: 5 });
    expect(ana.state().pulse.answered).toBe(1);
  });

  it("refuses unknown types, and deep or wide payloads, without harm", async () => {
    await invalid(ben, "pulse.peek");
    await invalid(ben, "__proto__", {});
    await invalid(ben, "constructor", {});
    await invalid(ben, "toString");
    await invalid(ben, 7, { score: 5 });
    await invalid(ana, "*", "phase.next"); // the wildcard's own name is no type either
    let nested: unknown = "deep";
    for (let i = 0; i < 400; i++) nested = { text: nested };
    await invalid(chloe, "question.ask", nested);
    let array: unknown = [];
    for (let i = 0; i < 1000; i++) array = [array];
    await invalid(chloe, "question.ask", { text: array });
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    await invalid(chloe, "question.ask", wide);
    await invalid(chloe, "question.ask", { __proto__: { text: "polluted?" } });
    // The room is unharmed: a well-formed message still works for everyone.
    await accepted(chloe, "question.ask", { text: "What would a good outcome look like?" });
    expect(ana.state().questions).toHaveLength(2);
    expect(({} as { text?: unknown }).text).toBeUndefined();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe("a flood of messages", () => {
  let server: TestServer;
  let ana: Person;
  let ben: Person;
  let flooder: Person;
  let tableId: string;
  /** Milliseconds the room's clock runs ahead of the wall clock: tokens come back by it. */
  let clockAhead = 0;

  beforeAll(async () => {
    server = await startTestServer({
      rateLimit: { perSecond: 5, burst: 5, disconnectAbove: 60 },
      now: () => Date.now() + clockAhead,
    });
    const table = await createTable(server.url);
    tableId = table.tableId;
    ana = await join(server.url, table.tableId, "Ana", { facilitatorKey: table.facilitatorKey });
    ben = await join(server.url, table.tableId, "Ben");
    flooder = await join(server.url, table.tableId, "Flo");
    // Joining and agreeing spend tokens too; start the flood with a full bucket.
    for (const p of [ana, ben, flooder]) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    clockAhead += 1000;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses a flooding member with rate_limited, to them alone, while others carry on", async () => {
    for (let i = 1; i <= 20; i++) flooder.room.send("checkin.word", { word: `w${i}` });
    // Another member, mid-flood: served as usual.
    expect(await ben.send("checkin.word", { word: "Calm" })).toBeUndefined();
    await until("every flooded message answered", () => flooder.errors.length >= 14);
    await settle(flooder.room);
    const limited = flooder.errors.filter((e) => e.code === "rate_limited");
    expect(limited.length).toBeGreaterThanOrEqual(14);
    expect(limited.length).toBeLessThanOrEqual(15);
    for (const e of limited) {
      expect(e).toEqual({
        code: "rate_limited",
        type: "checkin.word",
        message: expect.any(String),
      });
      expect(e.message).toMatch(SENTENCE);
    }
    // The words let through are the first few; what was refused changed nothing.
    await settle(ana.room);
    const word = ana.state().members[flooder.memberId].checkinWord as string;
    expect(["w5", "w6"]).toContain(word);
    expect(ana.state().members[ben.memberId].checkinWord).toBe("Calm");
    expect(ana.errors).toEqual([]);
    expect(ben.errors).toEqual([]);

    // Tokens come back with time.
    clockAhead += 500;
    expect(await flooder.send("checkin.word", { word: "Sorry" })).toBeUndefined();
  });

  it("disconnects a member past the hard cap, and the room keeps serving the others", async () => {
    let closedWith: number | undefined;
    flooder.room.onLeave((code) => (closedWith = code));
    for (let i = 0; i < 200; i++) flooder.room.send("hand.raise");
    await until("the flooder is disconnected", () => closedWith !== undefined);
    expect(closedWith).toBe(4002); // Colyseus' CloseCode.WITH_ERROR
    await until(
      "the others see the flooder gone",
      () => ana.state().members[flooder.memberId]?.connected === false,
    );
    expect(ana.errors).toEqual([]);
    expect(await ana.send("phase.next")).toBeUndefined();
    await settle(ben.room);
    expect(ben.state().phase).toBe("choosing");
    expect(await ben.send("presenter.volunteer")).toBeUndefined();
    const late = await join(server.url, tableId, "Late");
    expect(late.room.roomId).toBe(ana.room.roomId);
  });
});
