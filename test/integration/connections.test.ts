// Joining, dropping, coming back and leaving: PROTOCOL.md "The room" and the issue's
// "Connections" requirements, with real SDK clients against a real server.
import { Client, type Room } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSE_REMOVED, CLOSE_REPLACED } from "../../shared/limits.ts";
import {
  createTable,
  join,
  settle,
  startTestServer,
  until,
  type Person,
  type TestServer,
} from "../support/server.ts";

/** Seconds a dropped seat is kept here: short, so the "gone for good" path runs in the test. */
const RECONNECT_SECONDS = 1;

let server: TestServer;
/** Milliseconds the room's clock runs ahead of the wall clock; tests move it forward. */
let clockAhead = 0;

beforeAll(async () => {
  server = await startTestServer({
    reconnectSeconds: RECONNECT_SECONDS,
    now: () => Date.now() + clockAhead,
  });
});
afterAll(async () => {
  await server?.stop();
});

let keySeq = 0;
function memberKey(label: string): string {
  return `conn-${label}-${++keySeq}-`.padEnd(24, "k");
}

/** Tries to join with raw options; resolves to the refusal's message, or fails if it joined. */
async function refusedJoin(options: Record<string, unknown>): Promise<string> {
  const client = new Client(server.url);
  let room: Room | undefined;
  try {
    room = await client.joinOrCreate("roundtable", options);
  } catch (error) {
    return (error as Error).message;
  }
  await room.leave();
  throw new Error(`joined with ${JSON.stringify(options)}`);
}

/** Drops a client's socket without a goodbye, as a lost Wi-Fi does. */
function dropSocket(room: Room): void {
  const ws = (room.connection.transport as unknown as { ws: { terminate(): void } }).ws;
  ws.terminate();
}

/** A table whose members all agreed; the first holds the facilitator key. */
async function openMeeting(names: string[]) {
  const table = await createTable(server.url);
  const people: Person[] = [];
  for (const [i, name] of names.entries()) {
    people.push(
      await join(
        server.url,
        table.tableId,
        name,
        i === 0 ? { facilitatorKey: table.facilitatorKey } : {},
      ),
    );
  }
  for (const p of people) expect(await p.send("confidentiality.agree")).toBeUndefined();
  return { table, people };
}

function member(p: Person, of: Person) {
  return p.state().members[of.memberId];
}

describe("joining", () => {
  it("refuses a join to an unknown table with a clear message", async () => {
    const message = await refusedJoin({
      tableId: "no-such-table-anywhere",
      name: "Ana",
      memberKey: memberKey("unknown"),
    });
    expect(message).toMatch(/table does not exist/i);
  });

  it("refuses a missing, empty or over-long name, and accepts 40 characters", async () => {
    const { tableId } = await createTable(server.url);
    const key = memberKey("name");
    expect(await refusedJoin({ tableId, memberKey: key })).toMatch(
      /your name must be 1–40 characters/,
    );
    expect(await refusedJoin({ tableId, name: "", memberKey: key })).toMatch(/Type your name/);
    expect(await refusedJoin({ tableId, name: "   ", memberKey: key })).toMatch(/Type your name/);
    expect(await refusedJoin({ tableId, name: 42, memberKey: key })).toMatch(
      /your name must be 1–40 characters/,
    );
    expect(await refusedJoin({ tableId, name: "x".repeat(41), memberKey: key })).toMatch(
      /your name can be at most 40 characters/i,
    );
    const forty = await join(server.url, tableId, "y".repeat(40), { memberKey: key });
    expect(forty.state().members[forty.memberId].name).toBe("y".repeat(40));
    await forty.leave();
  });

  it("refuses a member key that is missing or shorter than 16 characters", async () => {
    const { tableId } = await createTable(server.url);
    expect(await refusedJoin({ tableId, name: "Ana" })).toMatch(
      /member key must be 16–128 characters/,
    );
    expect(await refusedJoin({ tableId, name: "Ana", memberKey: "k".repeat(15) })).toMatch(
      /member key must be 16–128 characters/,
    );
    const sixteen = await join(server.url, tableId, "Ana", { memberKey: "k".repeat(16) });
    expect(sixteen.memberId).not.toBe("");
    await sixteen.leave();
  });

  it("refuses a facilitator key that is not the table's", async () => {
    const { tableId } = await createTable(server.url);
    const other = await createTable(server.url);
    const message = await refusedJoin({
      tableId,
      name: "Mallory",
      memberKey: memberKey("wrong-key"),
      facilitatorKey: other.facilitatorKey,
    });
    expect(message).toMatch(/facilitator key/i);
  });

  it("seats 16 members and refuses the 17th, who does not get a meeting of their own", async () => {
    const { tableId } = await createTable(server.url);
    const people: Person[] = [];
    for (let i = 1; i <= 16; i++) {
      const p = await join(server.url, tableId, `Member ${i}`);
      // A seat is taken by agreeing: people who have not agreed keep nobody out.
      expect(await p.send("confidentiality.agree")).toBeUndefined();
      people.push(p);
    }
    const roomId = people[0]!.room.roomId;
    expect(people.every((p) => p.room.roomId === roomId)).toBe(true);
    await settle(people[0]!.room);
    expect(Object.keys(people[0]!.state().members)).toHaveLength(16);

    const message = await refusedJoin({ tableId, name: "Seventeen", memberKey: memberKey("17") });
    expect(message).toMatch(/full/i);

    // Someone leaving frees a seat for them, in the same meeting.
    await people.pop()!.leave();
    const seventeenth = await join(server.url, tableId, "Seventeen");
    expect(seventeenth.room.roomId).toBe(roomId);
    for (const p of [...people, seventeenth]) await p.leave();
  });

  it("welcomes each member with a memberId that is stable per table and member key", async () => {
    const first = await createTable(server.url);
    const second = await createTable(server.url);
    const key = memberKey("stable");
    const ana = await join(server.url, first.tableId, "Ana", { memberKey: key });
    expect(ana.memberId).toMatch(/^[\w-]{8,}$/);
    expect(ana.memberId).not.toContain(key);
    expect(Object.keys(ana.state().members)).toEqual([ana.memberId]);
    await ana.leave();

    const again = await join(server.url, first.tableId, "Ana again", { memberKey: key });
    expect(again.memberId).toBe(ana.memberId);
    const elsewhere = await join(server.url, second.tableId, "Ana", { memberKey: key });
    expect(elsewhere.memberId).not.toBe(ana.memberId);
    const someoneElse = await join(server.url, first.tableId, "Ben");
    expect(someoneElse.memberId).not.toBe(ana.memberId);
    for (const p of [again, elsewhere, someoneElse]) await p.leave();
  });
});

describe("drops and returns", () => {
  it("keeps a dropped member's seat, and the SDK reconnects to it", async () => {
    const {
      people: [ana, ben],
    } = await openMeeting(["Ana", "Ben"]);
    expect(await ana!.send("meeting.start")).toBeUndefined();
    expect(await ana!.send("checkin.word", { word: "Steady" })).toBeUndefined();
    ben!.room.reconnection.minUptime = 0;
    const sessionId = ben!.room.sessionId;
    let dropped = 0;
    let reconnected = 0;
    ben!.room.onDrop(() => dropped++);
    ben!.room.onReconnect(() => reconnected++);

    dropSocket(ben!.room);
    await until("Ana sees Ben away", () => member(ana!, ben!)?.connected === false);
    expect(member(ana!, ben!)).toMatchObject({ agreed: true, name: "Ben" });
    expect(member(ana!, ben!).awaySince).toBeGreaterThan(0);

    await until("Ben is back", () => reconnected === 1, 4000);
    await until("Ana sees Ben back", () => member(ana!, ben!)?.connected === true);
    expect(dropped).toBe(1);
    expect(ben!.room.sessionId).toBe(sessionId);
    expect(member(ana!, ben!)).toMatchObject({ agreed: true, awaySince: 0 });
    // Back in the same seat: he still acts as himself, and still sees the meeting's content.
    expect(await ben!.send("presenter.volunteer")).toMatchObject({ code: "not_allowed" });
    expect(await ben!.send("checkin.word", { word: "Back" })).toBeUndefined();
    expect(member(ben!, ana!).checkinWord).toBe("Steady");
    await settle(ana!.room);
    expect(member(ana!, ben!).checkinWord).toBe("Back");
    await ana!.leave();
    await ben!.leave();
  });

  it("gives a later join with the same member key the same seat, and closes the older connection", async () => {
    const {
      table,
      people: [ana, ben, chloe],
    } = await openMeeting(["Ana", "Ben", "Chloé"]);
    expect(await ana!.send("meeting.start")).toBeUndefined();
    expect(await ana!.send("phase.next")).toBeUndefined();
    expect(await ana!.send("presenter.choose", { memberId: chloe!.memberId })).toBeUndefined();
    expect(await ana!.send("phase.next")).toBeUndefined();
    expect(await ana!.send("phase.next")).toBeUndefined();
    expect(ana!.state().phase).toBe("experiences");
    // Ben holds the floor for five seconds of the room's clock.
    expect(await ana!.send("floor.give", { memberId: ben!.memberId })).toBeUndefined();
    clockAhead += 5000;
    expect(await ben!.send("floor.yield")).toBeUndefined();
    await settle(ana!.room);
    const airtime = member(ana!, ben!).airtimeMs;
    expect(airtime).toBeGreaterThanOrEqual(5000);
    expect(airtime).toBeLessThan(6000);

    let oldClosed: number | undefined;
    ben!.room.onLeave((code) => (oldClosed = code));
    const fresh = await join(server.url, table.tableId, "Ben (phone)", {
      memberKey: ben!.memberKey,
    });
    expect(fresh.memberId).toBe(ben!.memberId);
    expect(fresh.room.roomId).toBe(ben!.room.roomId);
    await until("the older connection is closed", () => oldClosed !== undefined);
    expect(oldClosed).toBe(CLOSE_REPLACED);
    await settle(ana!.room);
    expect(member(ana!, ben!)).toMatchObject({
      name: "Ben (phone)",
      connected: true,
      agreed: true,
      airtimeMs: airtime,
      sharedThisRound: true,
    });
    expect(Object.keys(ana!.state().members)).toHaveLength(3);
    // The new window acts for Ben: no second agreement needed, and he already shared this round.
    expect(await fresh.send("hand.raise")).toBeUndefined();
    expect(ana!.state().hands).toEqual([ben!.memberId]);
    for (const p of [ana!, chloe!, fresh]) await p.leave();
  });

  it("does not let an older, dropped connection come back once the member joined again", async () => {
    const {
      table,
      people: [ana, ben],
    } = await openMeeting(["Ana", "Ben"]);
    // The old window retries after half a second (well inside the seat's grace period); the
    // member opens a new one at once.
    Object.assign(ben!.room.reconnection, { minUptime: 0, minDelay: 500, delay: 250 });
    let oldLeft = false;
    let oldBack = false;
    ben!.room.onLeave(() => (oldLeft = true));
    ben!.room.onReconnect(() => (oldBack = true));
    dropSocket(ben!.room);
    await until("Ana sees Ben away", () => member(ana!, ben!)?.connected === false);
    const fresh = await join(server.url, table.tableId, "Ben", { memberKey: ben!.memberKey });
    // Past the old window's first retry, still inside what would have been its grace period.
    await new Promise((r) => setTimeout(r, 900));
    expect(oldBack).toBe(false);
    ben!.room.reconnection.maxRetries = 0; // let the old window stop retrying
    await until("the old window gives up", () => oldLeft, 8000);
    expect(oldBack).toBe(false);
    await settle(ana!.room);
    expect(member(ana!, ben!).connected).toBe(true);
    expect(await fresh.send("hand.lower")).toMatchObject({ code: "not_allowed" });
    // The seat is the new window's: leaving from it marks Ben gone.
    await fresh.leave();
    await until("Ana sees Ben gone", () => member(ana!, ben!)?.connected === false);
    await ana!.leave();
  });

  it("marks a member who does not come back in time as left: hand lowered, floor released", async () => {
    const {
      people: [ana, ben, chloe, dev],
    } = await openMeeting(["Ana", "Ben", "Chloé", "Dev"]);
    expect(await ana!.send("meeting.start")).toBeUndefined();
    expect(await ana!.send("phase.next")).toBeUndefined();
    expect(await ana!.send("presenter.choose", { memberId: ben!.memberId })).toBeUndefined();
    expect(await ana!.send("phase.next")).toBeUndefined();
    expect(await chloe!.send("hand.raise")).toBeUndefined();
    expect(await dev!.send("hand.raise")).toBeUndefined();
    expect(await ana!.send("floor.give")).toBeUndefined();
    expect(ana!.state()).toMatchObject({ floorId: chloe!.memberId, hands: [dev!.memberId] });

    for (const p of [chloe!, dev!]) {
      p.room.reconnection.enabled = false;
      dropSocket(p.room);
    }
    await until(
      "both away",
      () => !member(ana!, chloe!)?.connected && !member(ana!, dev!)?.connected,
    );
    // Within the grace period the seat is kept as it was.
    expect(ana!.state()).toMatchObject({ floorId: chloe!.memberId, hands: [dev!.memberId] });
    expect(member(ana!, dev!).handUp).toBe(true);

    await until(
      "gone for good",
      () => ana!.state().floorId === "" && ana!.state().hands.length === 0,
      RECONNECT_SECONDS * 1000 + 3000,
    );
    expect(member(ana!, dev!)).toMatchObject({ connected: false, handUp: false });
    expect(member(ana!, chloe!)).toMatchObject({ connected: false, agreed: true });
    expect(ana!.state().turnEndsAt).toBe(0);
    expect(ana!.state().questions).toEqual([]);
    await ana!.leave();
    await ben!.leave();
  });
});

describe("facilitation", () => {
  it("hands facilitation off to an agreed member", async () => {
    const {
      people: [ana, ben],
    } = await openMeeting(["Ana", "Ben", "Chloé"]);
    expect(await ana!.send("facilitator.handoff", { memberId: ben!.memberId })).toBeUndefined();
    await settle(ben!.room);
    expect(ben!.state().facilitatorId).toBe(ben!.memberId);
    expect((await ana!.send("meeting.start"))?.code).toBe("not_allowed");
    expect(await ben!.send("meeting.start")).toBeUndefined();
    expect(ana!.state().phase).toBe("checkIn");
  });

  it("lets anyone holding the key claim facilitation at any time", async () => {
    const {
      table,
      people: [ana, ben],
    } = await openMeeting(["Ana", "Ben", "Chloé"]);
    expect(await ana!.send("facilitator.handoff", { memberId: ben!.memberId })).toBeUndefined();
    // Ben is here and facilitating; Ana takes it back with the key.
    expect(
      await ana!.send("facilitator.claim", { facilitatorKey: table.facilitatorKey }),
    ).toBeUndefined();
    await settle(ben!.room);
    expect(ben!.state().facilitatorId).toBe(ana!.memberId);
    // The key works for whoever holds it, not only for whoever created the table.
    expect(
      await ben!.send("facilitator.claim", { facilitatorKey: table.facilitatorKey }),
    ).toBeUndefined();
    expect(ana!.state().facilitatorId).toBe(ben!.memberId);
  });

  it("lets a member without the key claim only after the facilitator has been away a minute", async () => {
    const {
      table,
      people: [ana, ben, chloe],
    } = await openMeeting(["Ana", "Ben", "Chloé"]);
    const notTheKey = { facilitatorKey: "not-the-key-of-this-table" };
    const refused = await ben!.send("facilitator.claim", notTheKey);
    expect(refused).toMatchObject({ code: "not_allowed", type: "facilitator.claim" });
    expect(refused!.message).toMatch(/key|away/);

    // Ana's connection drops and she does not come back.
    ana!.room.reconnection.enabled = false;
    dropSocket(ana!.room);
    await until("Ana away", () => member(ben!, ana!)?.connected === false);
    clockAhead += 59_000;
    expect((await ben!.send("facilitator.claim", notTheKey))?.code).toBe("not_allowed");
    expect(ben!.state().facilitatorId).toBe(ana!.memberId);
    clockAhead += 1_000;
    expect(await ben!.send("facilitator.claim", notTheKey)).toBeUndefined();
    await settle(chloe!.room);
    expect(chloe!.state().facilitatorId).toBe(ben!.memberId);
    // Once someone facilitates again, the others need the key or another minute.
    expect((await chloe!.send("facilitator.claim", notTheKey))?.code).toBe("not_allowed");

    // Ana comes back: she is a member again, and her key still works.
    const back = await join(server.url, table.tableId, "Ana", { memberKey: ana!.memberKey });
    expect(back.state().facilitatorId).toBe(ben!.memberId);
    expect(
      await back.send("facilitator.claim", { facilitatorKey: table.facilitatorKey }),
    ).toBeUndefined();
    expect(back.state().facilitatorId).toBe(back.memberId);
    for (const p of [back, ben!, chloe!]) await p.leave();
  });

  it("makes whoever joins with the key the facilitator", async () => {
    const table = await createTable(server.url);
    const ben = await join(server.url, table.tableId, "Ben");
    expect(ben.state().facilitatorId).toBe("");
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    await settle(ben.room);
    expect(ben.state().facilitatorId).toBe(ana.memberId);
    await ana.leave();
    await ben.leave();
  });
});

describe("removal and the end of a meeting", () => {
  it("disconnects a removed member, who cannot rejoin that meeting", async () => {
    const {
      table,
      people: [ana, ben, chloe],
    } = await openMeeting(["Ana", "Ben", "Chloé"]);
    let closed: number | undefined;
    ben!.room.onLeave((code) => (closed = code));
    expect(await ana!.send("member.remove", { memberId: ben!.memberId })).toBeUndefined();
    await until("Ben is disconnected", () => closed !== undefined);
    expect(closed).toBe(CLOSE_REMOVED);
    await settle(chloe!.room);
    expect(chloe!.state().members[ben!.memberId]).toBeUndefined();

    const message = await refusedJoin({
      tableId: table.tableId,
      name: "Ben",
      memberKey: ben!.memberKey,
    });
    expect(message).toMatch(/removed/i);
    // Under another name, too: the seat is the member key's.
    expect(
      await refusedJoin({ tableId: table.tableId, name: "Not Ben", memberKey: ben!.memberKey }),
    ).toMatch(/removed/i);
    await settle(ana!.room);
    expect(Object.keys(ana!.state().members)).toHaveLength(2);
    await ana!.leave();
    await chloe!.leave();
  });

  it("does not let a member removed while their connection was down come back through it", async () => {
    const {
      people: [ana, ben, chloe],
    } = await openMeeting(["Ana", "Ben", "Chloé"]);
    expect(await ana!.send("meeting.start")).toBeUndefined();
    // Ben's window will retry after half a second, well inside the seat's grace period.
    Object.assign(ben!.room.reconnection, { minUptime: 0, minDelay: 500, delay: 250 });
    let back = false;
    let left = false;
    ben!.room.onReconnect(() => (back = true));
    ben!.room.onLeave(() => (left = true));
    dropSocket(ben!.room);
    await until("Ben away", () => member(ana!, ben!)?.connected === false);
    expect(await ana!.send("member.remove", { memberId: ben!.memberId })).toBeUndefined();
    // Past Ben's first retry: he is not back, and hears nothing more of the meeting.
    await new Promise((r) => setTimeout(r, 900));
    expect(await chloe!.send("checkin.word", { word: "Private" })).toBeUndefined();
    await settle(ana!.room);
    expect(back).toBe(false);
    expect(JSON.stringify(ben!.state())).not.toContain("Private");
    expect(ana!.state().members[ben!.memberId]).toBeUndefined();
    ben!.room.reconnection.maxRetries = 0;
    await until("Ben's window gives up", () => left, 8000);
    for (const p of [ana!, chloe!]) await p.leave();
  });

  it("takes no joins once ended; the next join starts a new meeting in the lobby", async () => {
    const {
      table,
      people: [ana, ben],
    } = await openMeeting(["Ana", "Ben"]);
    expect(await ana!.send("meeting.start")).toBeUndefined();
    expect(await ana!.send("meeting.end")).toBeUndefined();
    await settle(ben!.room);
    expect(ben!.state().phase).toBe("ended");
    const endedRoom = ana!.room.roomId;

    const late = await join(server.url, table.tableId, "Chloé");
    expect(late.room.roomId).not.toBe(endedRoom);
    expect(late.state()).toMatchObject({ phase: "lobby", round: 0, facilitatorId: "" });
    expect(Object.keys(late.state().members)).toEqual([late.memberId]);
    // A member of the ended meeting who joins again lands in the new one as well.
    const benAgain = await join(server.url, table.tableId, "Ben", { memberKey: ben!.memberKey });
    expect(benAgain.room.roomId).toBe(late.room.roomId);
    expect(benAgain.memberId).toBe(ben!.memberId);
    expect(benAgain.state().members[ben!.memberId].agreed).toBe(false);
    for (const p of [ana!, ben!, late, benAgain]) await p.leave();
  });
});
