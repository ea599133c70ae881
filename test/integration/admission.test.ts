// A closed room (issue 10): each attack a stranger with nothing but the table's link could try,
// with real SDK clients against a real server, checked on what every person decodes and on the
// raw frames a waiting person receives.
import { matchMaker } from "@colyseus/core";
import { Client, type Room } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSE_DECLINED, CLOSE_IDLE, CLOSE_REMOVED, MAX_MEMBERS } from "../../shared/limits.ts";
import {
  createTable,
  FrameRecordingClient,
  join,
  settle,
  startTestServer,
  until,
  type Person,
  type TestServer,
} from "../support/server.ts";

let server: TestServer;
/** Every frame the waiting people's sockets receive. */
let recorder: FrameRecordingClient;
/** Milliseconds the room's clock runs ahead of the wall clock; tests move it forward. */
let clockAhead = 0;

beforeAll(async () => {
  server = await startTestServer({
    now: () => Date.now() + clockAhead,
    reconnectSeconds: 1,
    endedLingerMs: 50,
  });
  recorder = new FrameRecordingClient(server.url);
});
afterAll(async () => {
  await server?.stop();
});

let keySeq = 0;
const freshKey = (label: string) => `admission-${label}-${++keySeq}-`.padEnd(24, "k");

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

/** Resolves with the close code once the person's connection is closed by the server. */
function closed(p: Person): Promise<number> {
  return new Promise((resolve) => p.room.onLeave((code) => resolve(code)));
}

/** Tries to join; resolves to the refusal's message, or fails if it joined. */
async function refusedJoin(options: Record<string, unknown>): Promise<string> {
  let room: Room | undefined;
  try {
    room = await new Client(server.url).joinOrCreate("roundtable", options);
  } catch (error) {
    return (error as Error).message;
  }
  await room.leave();
  throw new Error(`joined with ${JSON.stringify(options)}`);
}

/** A members-only table in check-in: Ana holds the key, Ben was admitted; both agreed and spoke. */
async function closedMeeting() {
  const table = await createTable(server.url, "Founders' forum", { admission: "members" });
  const ana = await join(server.url, table.tableId, "Ana", {
    facilitatorKey: table.facilitatorKey,
  });
  expect(ana.waiting()).toBe(false);
  await accepted(ana, "confidentiality.agree");
  const ben = await join(server.url, table.tableId, "Ben", { memberKey: freshKey("ben") });
  expect(ben.waiting()).toBe(true);
  await settle(ana.room);
  await accepted(ana, "member.admit", { memberId: ben.memberId });
  await until("Ben is told he is in", () => !ben.waiting());
  await accepted(ben, "confidentiality.agree");
  await accepted(ana, "meeting.start");
  await accepted(ana, "checkin.word", { word: "Quokka" });
  await accepted(ben, "checkin.word", { word: "Zephyr" });
  return { table, ana, ben };
}

describe("a stranger with the table's link", () => {
  it("waits, and receives no names and no content on the wire until admitted", async () => {
    const { table, ana, ben } = await closedMeeting();
    const mal = await join(server.url, table.tableId, "Mal", {
      memberKey: freshKey("mal"),
      client: recorder,
    });
    const framesOf = (p: typeof mal) => recorder.framesOf(p.room);
    expect(mal.waiting()).toBe(true);
    await settle(mal.room);
    await settle(ana.room);

    // What Mal decodes and what reached Mal's socket: the table's name and the phase, nothing else.
    expect(mal.state()).toEqual({ tableName: "Founders' forum", phase: "checkIn" });
    const frames = Buffer.concat(framesOf(mal));
    expect(framesOf(mal).length).toBeGreaterThan(0);
    for (const secret of ["Ana", "Ben", "Quokka", "Zephyr", ana.memberId, ben.memberId]) {
      expect(frames.includes(Buffer.from(secret)), `"${secret}" reached Mal`).toBe(false);
    }

    // Only the facilitator is asked about Mal; Ben is not even told someone waits.
    expect(ana.state().waiting[mal.memberId]).toMatchObject({
      id: mal.memberId,
      name: "Mal",
      reason: "never_admitted",
    });
    expect(ben.state().waiting ?? {}).toEqual({});
    expect(frames.includes(Buffer.from("never_admitted"))).toBe(false);

    // Everything Mal sends is refused, and changes nothing.
    for (const [type, payload] of [
      ["confidentiality.agree", undefined],
      ["checkin.word", { word: "Hello" }],
      ["member.admit", { memberId: mal.memberId }],
      ["facilitator.claim", {}],
    ] as const) {
      expect(await mal.send(type, payload)).toEqual({
        code: "not_allowed",
        type,
        message: "You are waiting for the facilitator to let you in.",
      });
    }
    expect(Object.keys(ana.state().members).sort()).toEqual([ana.memberId, ben.memberId].sort());

    // Admitted: Mal sees who is here, still no content, until agreeing.
    await accepted(ana, "member.admit", { memberId: mal.memberId });
    await until("Mal is told he is in", () => !mal.waiting());
    await settle(mal.room);
    expect(mal.state().members[ana.memberId]).toMatchObject({ name: "Ana", agreed: true });
    expect(mal.state().members[ana.memberId].checkinWord ?? "").toBe("");
    expect(Buffer.concat(framesOf(mal)).includes(Buffer.from("Quokka"))).toBe(false);
    expect(ana.state().waiting).toEqual({});
    await accepted(mal, "confidentiality.agree");
    await until(
      "Mal sees the check-in",
      () => mal.state().members[ana.memberId]?.checkinWord === "Quokka",
    );
    for (const p of [ana, ben, mal]) await p.leave();
  });

  it("who is declined is sent away with 4403, and nothing else changes", async () => {
    const { table, ana, ben } = await closedMeeting();
    const eve = await join(server.url, table.tableId, "Eve", { memberKey: freshKey("eve") });
    const gone = closed(eve);
    await settle(ana.room);
    expect(await ben.send("member.decline", { memberId: eve.memberId })).toMatchObject({
      code: "not_allowed",
      message: "Only the facilitator can do that.",
    });
    await accepted(ana, "member.decline", { memberId: eve.memberId });
    expect(await gone).toBe(CLOSE_DECLINED);
    await settle(ana.room);
    expect(ana.state().waiting).toEqual({});
    expect(Object.keys(ana.state().members)).toHaveLength(2);
    for (const p of [ana, ben]) await p.leave();
  });

  it("who was removed waits again: with the same key, with a fresh one, and at the next meeting", async () => {
    const { table, ana, ben } = await closedMeeting();
    const gone = closed(ben);
    await accepted(ana, "member.remove", { memberId: ben.memberId });
    expect(await gone).toBe(CLOSE_REMOVED);

    const sameKey = await join(server.url, table.tableId, "Ben", { memberKey: ben.memberKey });
    expect(sameKey.memberId).toBe(ben.memberId);
    expect(sameKey.waiting()).toBe(true);
    await settle(ana.room);
    expect(ana.state().waiting[ben.memberId]?.reason).toBe("removed_earlier");
    await sameKey.leave();

    const freshKeyBen = await join(server.url, table.tableId, "Ben", { memberKey: freshKey("b2") });
    expect(freshKeyBen.waiting()).toBe(true);
    await freshKeyBen.leave();

    // The next meeting: the roster still does not hold Ben.
    const roomId = ana.room.roomId;
    await accepted(ana, "meeting.end");
    await ana.leave();
    const roster = await server.storage.roster(table.tableId);
    expect(roster.find((r) => r.memberId === ben.memberId)?.removedAt).toEqual(expect.any(Number));
    // The ended meeting's room closes after its recap lingers (50 ms here); the next join opens
    // the next meeting.
    await until("the ended meeting's room has closed", () => !matchMaker.getLocalRoomById(roomId));
    const nextMeeting = await join(server.url, table.tableId, "Ben", { memberKey: ben.memberKey });
    expect(nextMeeting.waiting()).toBe(true);
    await nextMeeting.leave();
  });

  it("cannot lock anyone out with idle connections: the key holder and a member still get in", async () => {
    const { table, ana, ben } = await closedMeeting();
    // A member of the roster, away for now.
    const chloeKey = freshKey("chloe");
    const chloe = await join(server.url, table.tableId, "Chloé", { memberKey: chloeKey });
    await accepted(ana, "member.admit", { memberId: chloe.memberId });
    await until("Chloé is in", () => !chloe.waiting());
    await accepted(chloe, "confidentiality.agree");
    await chloe.leave();
    await ana.leave();

    const idle: Person[] = [];
    for (let i = 0; i < MAX_MEMBERS; i++) {
      idle.push(
        await join(server.url, table.tableId, `Idle ${i}`, { memberKey: freshKey(`i${i}`) }),
      );
    }
    expect(idle.every((p) => p.waiting())).toBe(true);

    const anaAgain = await join(server.url, table.tableId, "Ana", {
      memberKey: ana.memberKey,
      facilitatorKey: table.facilitatorKey,
    });
    await settle(anaAgain.room);
    expect(anaAgain.state().facilitatorId).toBe(anaAgain.memberId);
    const chloeAgain = await join(server.url, table.tableId, "Chloé", { memberKey: chloeKey });
    expect(chloeAgain.waiting()).toBe(false);
    await settle(chloeAgain.room);
    expect(chloeAgain.state().members[chloeAgain.memberId]?.agreed).toBe(true);
    expect(Object.keys(anaAgain.state().waiting)).toHaveLength(MAX_MEMBERS);
    for (const p of [...idle, anaAgain, chloeAgain, ben]) await p.leave();
  });

  it("cannot claim facilitation before the facilitator came, nor remove the key holder after a claim", async () => {
    const table = await createTable(server.url, "Claims", { admission: "open" });
    const ben = await join(server.url, table.tableId, "Ben");
    const chloe = await join(server.url, table.tableId, "Chloé");
    await accepted(ben, "confidentiality.agree");
    await accepted(chloe, "confidentiality.agree");
    clockAhead += 10 * 60_000;
    expect(await ben.send("facilitator.claim", {})).toMatchObject({ code: "not_allowed" });

    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    await accepted(ana, "confidentiality.agree");
    await ana.leave();
    await until("Ana is away", () => ben.state().members[ana.memberId]?.connected === false);
    clockAhead += 61_000;
    await accepted(ben, "facilitator.claim", {});
    expect(await ben.send("member.remove", { memberId: ana.memberId })).toMatchObject({
      code: "not_allowed",
      message: "The holder of the table's key cannot be removed.",
    });
    const back = await join(server.url, table.tableId, "Ana", {
      memberKey: ana.memberKey,
      facilitatorKey: table.facilitatorKey,
    });
    await settle(ben.room);
    expect(ben.state().facilitatorId).toBe(back.memberId);
    for (const p of [ben, chloe, back]) await p.leave();
  });

  it("cannot pass for someone else: duplicate, invisible and bidi names are refused", async () => {
    const { table, ana, ben } = await closedMeeting();
    for (const [name, why] of [
      ["ben", "Someone here already uses that name"],
      [" BEN ", "Someone here already uses that name"],
      ["Be\u200Bn", "invisible or control characters"],
      ["\u202Enib", "invisible or control characters"],
      ["...", "needs at least one letter or digit"],
    ]) {
      expect(
        await refusedJoin({ tableId: table.tableId, name, memberKey: freshKey("dup") }),
      ).toContain(why);
    }
    for (const p of [ana, ben]) await p.leave();
  });
});

describe("a connection that is neither let in nor agreed", () => {
  let idleServer: TestServer;
  beforeAll(async () => {
    idleServer = await startTestServer({ idleAdmissionMs: 300 });
  });
  afterAll(() => idleServer?.stop());

  it("is closed with 4408, while a member who agreed stays", async () => {
    const table = await createTable(idleServer.url, "Idle", { admission: "members" });
    const ana = await join(idleServer.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    await accepted(ana, "confidentiality.agree");
    const waiting = await join(idleServer.url, table.tableId, "Wes");
    expect(await closed(waiting)).toBe(CLOSE_IDLE);
    await settle(ana.room);
    expect(ana.state().waiting).toEqual({});
    expect(ana.room.connection.isOpen).toBe(true);
    await ana.leave();
  });
});
