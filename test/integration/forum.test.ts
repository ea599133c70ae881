// The forum's own meeting (issue 13), with real SDK clients: the updates go-around with ratings,
// the parking lot feeding the choice of presenter, the issue card, passing in shares, time the
// facilitator and the timekeeper give. Bad input is refused to its sender alone and changes
// nothing; what is said (topics, the issue card, ratings) reaches only members who agreed, and
// never storage or the logs. A table's own timeboxes set the meeting's timers.
import { existsSync, readFileSync } from "node:fs";
import { join as joinPath, dirname } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { matchMaker } from "@colyseus/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ISSUE_TITLE_MAX, TOPIC_MAX } from "../../shared/limits.ts";
import { memberIdFor } from "../../server/keys.ts";
import { openStorage, type Storage } from "../../server/storage/index.ts";
import {
  createTable,
  FrameRecordingClient,
  join as joinTable,
  settle,
  startTestServer,
  until,
  type Person,
  type TestServer,
} from "../support/server.ts";

let server: TestServer;
let recorder: FrameRecordingClient;

/** Joins on the client that records every frame a socket receives. */
const join: typeof joinTable = (url, tableId, name, extra = {}) =>
  joinTable(url, tableId, name, { ...extra, client: recorder });

const output: string[] = [];
/** Everything the server process writes to its logs while the meeting runs. */
function captureLogs(): void {
  output.length = 0;
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(
        args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" "),
      );
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
}

beforeAll(async () => {
  server = await startTestServer();
  recorder = new FrameRecordingClient(server.url);
});
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

/**
 * Sends what must be refused: the sender alone hears an `error` (with `code`), the others hear
 * nothing, and nobody's state changes.
 */
async function refused(
  everyone: Person[],
  p: Person,
  type: string,
  payload: unknown,
  code: "not_allowed" | "invalid",
  message?: string | RegExp,
): Promise<void> {
  const states = everyone.map((q) => JSON.stringify(q.state()));
  const errors = everyone.map((q) => q.errors.length);
  const refusal = await p.send(type, payload);
  expect(refusal, `${p.name} ${type} is refused`).toMatchObject({ code, type });
  if (message !== undefined) expect(refusal?.message).toMatch(message);
  await Promise.all(everyone.map((q) => settle(q.room)));
  everyone.forEach((q, i) => {
    expect(q.errors.length, `${q.name} hears of ${p.name}'s ${type}`).toBe(
      errors[i]! + (q === p ? 1 : 0),
    );
    expect(JSON.stringify(q.state()), `${type} changed ${q.name}'s state`).toBe(states[i]);
  });
}

// What is said in the forum's own parts: none of it may reach anyone who has not agreed.
const topics = {
  ben: "Hiring my first engineering lead without a recruiter",
  chloe: "Quarterly pricing overhaul for the marzipan bakery",
  dev: "Whether to sell the lighthouse workshop",
};
const issue = {
  title: "Should I hire the zeppelin engineer",
  why: "The kiln project stalls while I interview alone",
  tried: "Two agencies and a referral bonus at the quokka fair",
};

describe("a forum meeting of four", () => {
  it("runs the go-around, the parking lot, the issue card and time control, and keeps it all among the agreed", async () => {
    captureLogs();
    const table = await createTable(server.url, "Founders' forum", {
      format: "forum",
      admission: "members",
    });
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    await accepted(ana, "confidentiality.agree");
    const ben = await join(server.url, table.tableId, "Ben");
    const chloe = await join(server.url, table.tableId, "Chloé");
    const dev = await join(server.url, table.tableId, "Dev");
    const zed = await join(server.url, table.tableId, "Zed");
    for (const p of [ben, chloe, dev, zed]) {
      expect(p.waiting()).toBe(true);
      await accepted(ana, "member.admit", { memberId: p.memberId });
    }
    // Wes waits the whole meeting; Zed is let in and never agrees.
    const wes = await join(server.url, table.tableId, "Wes");
    expect(wes.waiting()).toBe(true);
    const four = [ana, ben, chloe, dev];
    const everyone = [...four, zed, wes];
    for (const p of [ben, chloe, dev]) await accepted(p, "confidentiality.agree");
    expect(ana.state().format).toBe("forum");

    await accepted(ana, "meeting.start");
    expect(ana.state().phase).toBe("checkIn");

    // The parking lot: topics go up from check-in on, votes toggle, authors take theirs down.
    await accepted(ben, "parking.add", { text: topics.ben });
    await accepted(chloe, "parking.add", { text: topics.chloe });
    await accepted(dev, "parking.add", { text: topics.dev });
    await accepted(ana, "parking.vote", { id: "p1" });
    await accepted(dev, "parking.vote", { id: "p1" });
    await accepted(ben, "parking.vote", { id: "p2" });
    await accepted(ben, "parking.vote", { id: "p2" }); // and takes it back
    await refused(everyone, chloe, "parking.remove", { id: "p3" }, "not_allowed", /author/);
    await accepted(dev, "parking.remove", { id: "p3" });
    await refused(
      everyone,
      dev,
      "parking.vote",
      { id: "p3" },
      "not_allowed",
      "That topic is not on the parking lot.",
    );
    await refused(everyone, dev, "parking.add", { text: "x".repeat(TOPIC_MAX + 1) }, "invalid");
    await refused(everyone, zed, "parking.add", { text: "Zed's own topic" }, "not_allowed");
    await refused(everyone, wes, "parking.add", { text: "Wes's own topic" }, "not_allowed");
    expect(ana.state().parking).toEqual([
      {
        id: "p1",
        authorId: ben.memberId,
        text: topics.ben,
        votes: 2,
        voters: [ana.memberId, dev.memberId].sort(),
      },
      { id: "p2", authorId: chloe.memberId, text: topics.chloe, votes: 0, voters: [] },
    ]);
    for (const p of four) expect(p.state().parking).toEqual(ana.state().parking);

    // The updates go-around, in join order.
    await accepted(ana, "phase.next");
    expect(ana.state()).toMatchObject({
      phase: "updates",
      turnOrder: four.map((p) => p.memberId),
      turnId: ana.memberId,
    });
    expect(ana.state().turnEndsAt).toBeGreaterThan(Date.now());
    expect(zed.state().turnId).toBe(ana.memberId); // whose turn it is, every admitted member sees
    await refused(everyone, ben, "turn.done", undefined, "not_allowed", "It is not your turn.");
    await refused(everyone, ben, "update.rate", { work: 6 }, "not_allowed");
    await accepted(ana, "update.rate", { work: 7, family: 9 });
    await accepted(ana, "update.rate", { personal: 4 });
    await accepted(ana, "turn.done");
    expect(ana.state().turnId).toBe(ben.memberId);
    await refused(everyone, ben, "update.rate", { work: 11 }, "invalid");
    await accepted(ben, "turn.pass");
    expect(ana.state().turnId).toBe(chloe.memberId);

    // Time: the facilitator gives a minute, the timekeeper half a minute; a member cannot.
    const turnEndsAt = ana.state().turnEndsAt as number;
    await accepted(ana, "timer.extend", { seconds: 60 });
    expect(ana.state().turnEndsAt).toBe(turnEndsAt + 60_000);
    await refused(
      everyone,
      dev,
      "timer.extend",
      { seconds: 30 },
      "not_allowed",
      "Only the facilitator or the timekeeper can give more time.",
    );
    await accepted(ana, "timekeeper.assign", { memberId: dev.memberId });
    expect(zed.state().timekeeperId).toBe(dev.memberId);
    await accepted(dev, "timer.extend", { seconds: 30 });
    expect(ana.state().turnEndsAt).toBe(turnEndsAt + 90_000);
    await refused(everyone, ben, "timer.extend", { seconds: 60 }, "not_allowed");
    await refused(everyone, dev, "timer.extend", { seconds: 5 }, "invalid");

    await accepted(ana, "turn.next"); // Chloé is skipped
    expect(ana.state().turnId).toBe(dev.memberId);
    await accepted(dev, "update.rate", { work: 3, family: 8, personal: 6 });
    await accepted(dev, "turn.done");
    const state = ana.state();
    expect(state.turnId).toBe("");
    expect(state.turnEndsAt).toBe(0);
    expect(four.map((p) => state.members[p.memberId].turnStatus)).toEqual([
      "done",
      "passed",
      "skipped",
      "done",
    ]);
    for (const p of four) {
      expect(p.state().members[ana.memberId].ratings).toEqual({ work: 7, family: 9, personal: 4 });
      expect(p.state().members[dev.memberId].ratings).toEqual({ work: 3, family: 8, personal: 6 });
    }
    expect(zed.state().members[ana.memberId].turnStatus).toBe("done");
    expect(zed.state().members[ana.memberId].ratings).toBeUndefined();

    // Choosing: a presenter with a topic from the parking lot.
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("choosing");
    await refused(
      everyone,
      ana,
      "presenter.choose",
      { memberId: ben.memberId, topicId: "p3" },
      "not_allowed",
      "That topic is not on the parking lot.",
    );
    await accepted(ana, "presenter.choose", { memberId: ben.memberId, topicId: "p1" });
    expect(ana.state()).toMatchObject({
      phase: "presenting",
      presenterId: ben.memberId,
      topicId: "p1",
    });

    // The issue card: the presenter's alone, not language-checked, in view through the round.
    await refused(
      everyone,
      chloe,
      "issue.set",
      { title: "Not mine to share", ask: "both" },
      "not_allowed",
      "Only this round's presenter shares an issue card.",
    );
    await refused(
      everyone,
      ben,
      "issue.set",
      { title: "x".repeat(ISSUE_TITLE_MAX + 1), ask: "both" },
      "invalid",
    );
    await accepted(ben, "issue.set", { ...issue, ask: "both" });
    for (const p of four) expect(p.state().issue).toEqual({ ...issue, ask: "both" });
    const phaseEndsAt = ana.state().phaseEndsAt as number;
    await accepted(dev, "timer.extend", { seconds: 120 });
    expect(ana.state().phaseEndsAt).toBe(phaseEndsAt + 120_000);

    await accepted(ana, "phase.next");
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("experiences");
    expect(chloe.state().issue.title).toBe(issue.title);
    await accepted(chloe, "hand.raise");
    await accepted(chloe, "share.pass");
    expect(ana.state().members[chloe.memberId].passedThisRound).toBe(true);
    expect(ana.state().hands).toEqual([]);
    await refused(
      everyone,
      chloe,
      "share.pass",
      undefined,
      "not_allowed",
      "You have passed in this round already.",
    );
    await refused(
      everyone,
      ben,
      "share.pass",
      undefined,
      "not_allowed",
      "The presenter listens in their own round.",
    );
    await accepted(dev, "hand.raise");
    await accepted(ana, "floor.give");
    const turnBefore = ana.state().turnEndsAt as number;
    await accepted(ana, "timer.extend", { seconds: 60 });
    expect(ana.state().turnEndsAt).toBe(turnBefore + 60_000);
    await accepted(dev, "floor.yield");
    // The facilitator's view: shared, passed, not yet.
    const shares = ana.state().members;
    expect(shares[dev.memberId]).toMatchObject({ sharedThisRound: true, passedThisRound: false });
    expect(shares[chloe.memberId]).toMatchObject({ sharedThisRound: false, passedThisRound: true });
    expect(shares[ana.memberId]).toMatchObject({ sharedThisRound: false, passedThisRound: false });

    await accepted(ana, "phase.next");
    await accepted(ben, "commitment.add", { text: "Call two engineers I trust" });
    await accepted(ana, "phase.next");
    // The round is over: its card is gone, and its topic is off the parking lot.
    expect(ana.state()).toMatchObject({ phase: "choosing", topicId: "", presenterId: "" });
    expect(ana.state().issue).toEqual({ title: "", why: "", tried: "", ask: "" });
    expect(ana.state().parking.map((t: { id: string }) => t.id)).toEqual(["p2"]);
    for (const p of four) expect(p.state().members[chloe.memberId].passedThisRound).toBe(true);

    await accepted(ana, "phase.next");
    await refused(everyone, ben, "parking.add", { text: "One more" }, "not_allowed");
    await accepted(ana, "meeting.end");

    // Nothing of it reached Zed (let in, not agreed) or Wes (waiting): not on their sockets.
    const said = [...Object.values(topics), ...Object.values(issue)];
    await Promise.all(everyone.map((p) => settle(p.room)));
    for (const p of [zed, wes]) {
      const frames = recorder.framesOf(p.room);
      expect(frames.length).toBeGreaterThan(0);
      const bytes = Buffer.concat(frames);
      const decoded = JSON.stringify(p.state());
      for (const text of said) {
        expect(bytes.includes(Buffer.from(text)), `"${text}" reached ${p.name}'s socket`).toBe(
          false,
        );
        expect(decoded).not.toContain(text);
      }
      for (const m of Object.values<any>(p.state().members ?? {})) {
        expect(m.ratings, `${p.name} decoded ratings`).toBeUndefined();
      }
    }
    expect(wes.state().members ?? {}).toEqual({});

    const roomId = ana.room.roomId;
    for (const p of everyone) await p.leave();
    await until("the meeting's room has closed", () => !matchMaker.getLocalRoomById(roomId));
    await server.storage.tableSummary(table.tableId); // every write is through

    // Nor storage, nor the logs.
    const db = joinPath(server.dir, "test.db");
    const files = [db, `${db}-wal`, `${db}-journal`].filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThan(0);
    const stored = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(stored.includes(Buffer.from("Call two engineers I trust"))).toBe(true); // what is kept
    const log = output.join("\n");
    for (const text of said) {
      expect(stored.includes(Buffer.from(text)), `"${text}" was stored`).toBe(false);
      expect(log, `the log repeats "${text}"`).not.toContain(text);
    }
    expect(dirname(db)).toBe(server.dir);
  });

  it("keeps a roundtable table as it was: no updates, no parking lot", async () => {
    const table = await createTable(server.url, "Roundtable");
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(server.url, table.tableId, "Ben");
    for (const p of [ana, ben]) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    await refused(
      [ana, ben],
      ben,
      "parking.add",
      { text: "A topic" },
      "not_allowed",
      "The parking lot is part of the forum format.",
    );
    await accepted(ana, "phase.next");
    expect(ana.state()).toMatchObject({ phase: "choosing", format: "roundtable", turnOrder: [] });
    await accepted(ana, "meeting.end");
    for (const p of [ana, ben]) await p.leave();
  });
});

describe("a table's own timeboxes", () => {
  let own: TestServer;
  let dir: string;
  const NOW = Date.UTC(2026, 10, 29, 9, 0, 0);

  beforeAll(async () => {
    dir = mkdtempSync(joinPath(tmpdir(), "roundtable-forum-"));
    const storage = await openStorage(joinPath(dir, "own.db"));
    // Storage keeps a table's timeboxes and planned presenters (between-meetings work); here a
    // table reads as if it had them.
    const withSettings = new Proxy(storage, {
      get(target, prop, receiver) {
        if (prop === "getTable") {
          return async (tableId: string) => {
            const table = await target.getTable(tableId);
            return (
              table && {
                ...table,
                timeboxes: { presentingMin: 3, updateMin: 2, turnMin: 1 },
                nextPresenters: ["not-on-the-roster", plannedId],
              }
            );
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Storage;
    own = await startTestServer({ storage: withSettings, now: () => NOW });
  });
  afterAll(async () => {
    await own?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  let plannedId = "";

  it("set the meeting's timers, over the server's defaults, and its planned presenters", async () => {
    const table = await createTable(own.url, "Forum with its own times", { format: "forum" });
    // Ben is on the roster from an earlier meeting, and planned to present.
    const benKey = "forum-own-times-ben-key";
    plannedId = memberIdFor(table.tableId, benKey);
    await own.storage.admit({ tableId: table.tableId, memberId: plannedId, name: "Ben", at: NOW });
    const ana = await joinTable(own.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await joinTable(own.url, table.tableId, "Ben", { memberKey: benKey });
    expect(ben.memberId).toBe(plannedId);
    // Planned presenters are filtered to the roster; an admitted member sees them.
    expect(ben.state().nextPresenters).toEqual([plannedId]);
    for (const p of [ana, ben]) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    expect(ana.state().phaseEndsAt).toBe(NOW + 2 * 30_000); // check-in: the server's default
    await accepted(ana, "phase.next");
    expect(ana.state()).toMatchObject({
      phase: "updates",
      turnEndsAt: NOW + 2 * 60_000,
      updateMs: 2 * 60_000,
    });
    await accepted(ana, "phase.next");
    await accepted(ana, "presenter.choose", { memberId: ben.memberId });
    expect(ana.state().phaseEndsAt).toBe(NOW + 3 * 60_000);
    await accepted(ana, "phase.next");
    expect(ana.state().phaseEndsAt).toBe(NOW + 10 * 60_000); // questions: the default
    await accepted(ana, "hand.raise");
    await accepted(ben, "floor.give");
    expect(ana.state()).toMatchObject({ turnEndsAt: NOW + 60_000, turnMs: 60_000 });
    await accepted(ana, "meeting.end");
    for (const p of [ana, ben]) await p.leave();
  });
});
