// Confidentiality in the wire (BRIEF.md "Trust and confidentiality by design", PROTOCOL.md
// "Content reaches only members who agreed"): what a client that has not agreed actually
// receives and decodes; pulses that never tie a score to a person, in any client, in the server's
// state or in the room's protocol machine; and logs that never repeat what was said.
import { createClient } from "@libsql/client";
import { matchMaker } from "@colyseus/core";
import { join as joinPath } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { memberIdFor } from "../../server/keys.ts";
import type { ProtocolContext } from "../../shared/index.ts";
import {
  createTable,
  FrameRecordingClient,
  join as joinTable,
  settle,
  startTestServer,
  until,
  type Person,
  type TestServer,
  tableSummary,
} from "../support/server.ts";

// Every context the room's protocol machine goes through passes through `syncedFromSnapshot`
// on its way to the synced state: record them, to look inside the room's actor.
const contexts = vi.hoisted(() => [] as unknown[]);
vi.mock("../../shared/sync.ts", async (importOriginal) => {
  const sync = await importOriginal<typeof import("../../shared/sync.ts")>();
  return {
    ...sync,
    syncedFromSnapshot: (snapshot: Parameters<typeof sync.syncedFromSnapshot>[0]) => {
      contexts.push(structuredClone(snapshot.context));
      return sync.syncedFromSnapshot(snapshot);
    },
  };
});

// Every frame each person's socket receives, from the first: what a client got on the wire.
let recorder: FrameRecordingClient;

function framesOf(p: Person): Buffer[] {
  return recorder.framesOf(p.room);
}

/** Joins as `join` does, on the client that records what arrives. */
const join: typeof joinTable = (url, tableId, name, extra = {}) =>
  joinTable(url, tableId, name, { ...extra, client: recorder });

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  recorder = new FrameRecordingClient(server.url);
});
afterAll(async () => {
  await server?.stop();
});

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

/** Meeting content, as a client decodes it: none of it may reach a member who has not agreed. */
function contentOf(state: any): string[] {
  const found: string[] = [];
  for (const q of state.questions ?? []) found.push(q.text);
  for (const c of state.commitments ?? []) found.push(c.text, c.note, c.ownerName);
  for (const m of Object.values<any>(state.members ?? {})) {
    found.push(m.checkinWord ?? "", m.closingWord ?? "", m.shareNote ?? "", m.shareHint ?? "");
  }
  return found.filter((text) => text !== "" && text !== undefined);
}

/** Checks that none of the texts is in what the person decoded, nor in any frame they received. */
function expectNoneReached(p: Person, texts: string[]): void {
  const decoded = JSON.stringify(p.state());
  const frames = Buffer.concat(framesOf(p));
  expect(framesOf(p).length).toBeGreaterThan(0);
  for (const text of texts) {
    expect(decoded, `${p.name} decoded "${text}"`).not.toContain(text);
    expect(frames.includes(Buffer.from(text)), `"${text}" reached ${p.name}'s socket`).toBe(false);
  }
  expect(contentOf(p.state())).toEqual([]);
  expect(p.state().questions ?? []).toEqual([]);
  expect(p.state().commitments ?? []).toEqual([]);
}

const words = { ana: "Quokka", ben: "Zephyr", chloe: "Marzipan" };
const question = "How did the zebra migration plan first come about?";
const shareNote = "When we tried the marmalade rota, I found it calmed things";
const commitment = "Call the quartermaster about the lanterns";
const earlierText = "Repaint the heliograph tower";
const followUpNote = "Painted the northern half only";
const closingWord = "Lanternfish";

describe("a member who has not agreed", () => {
  it("decodes no content at any point of a meeting, while agreed members see all of it", async () => {
    const table = await createTable(server.url);
    const benKey = "confidential-ben-key-01";
    await server.storage.addCommitment({
      id: "earlier-1",
      tableId: table.tableId,
      meetingId: "an-earlier-meeting",
      ownerId: memberIdFor(table.tableId, benKey),
      ownerName: "Ben",
      text: earlierText,
      createdAt: Date.now() - 86_400_000,
    });
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(server.url, table.tableId, "Ben", { memberKey: benKey });
    const chloe = await join(server.url, table.tableId, "Chloé");
    const zed = await join(server.url, table.tableId, "Zed");
    const agreed = [ana, ben, chloe];
    for (const p of agreed) await accepted(p, "confidentiality.agree");
    // Everything said so far (none of it may reach Zed), and what the agreed see right now.
    const seen: string[] = [];
    const check = async (now: string[]) => {
      await Promise.all([...agreed, zed].map((p) => settle(p.room)));
      expectNoneReached(zed, seen);
      for (const p of agreed) {
        const decoded = JSON.stringify(p.state());
        for (const text of now) expect(decoded, `${p.name} misses "${text}"`).toContain(text);
      }
    };

    await accepted(ana, "meeting.start");
    await accepted(ana, "checkin.word", { word: words.ana });
    await accepted(ben, "checkin.word", { word: words.ben });
    await accepted(chloe, "checkin.word", { word: words.chloe });
    seen.push(...Object.values(words));
    await check(Object.values(words));
    // Zed can see who is here, and where the meeting is: the public part of the state.
    expect(zed.state()).toMatchObject({ phase: "checkIn", facilitatorId: ana.memberId });
    expect(Object.keys(zed.state().members)).toHaveLength(4);
    expect(zed.state().members[ben.memberId]).toMatchObject({ name: "Ben", agreed: true });

    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("followUp");
    seen.push(earlierText);
    await check([earlierText]);
    await accepted(ben, "followup.report", {
      commitmentId: "earlier-1",
      status: "partly",
      note: followUpNote,
    });
    seen.push(followUpNote);
    await check([earlierText, followUpNote]);

    await accepted(ana, "phase.next");
    await accepted(ana, "presenter.choose", { memberId: ben.memberId });
    await accepted(ana, "phase.next");
    await accepted(chloe, "question.ask", { text: question });
    seen.push(question);
    await check([question, ...Object.values(words)]);
    expect(zed.state().hands).toEqual([chloe.memberId]); // who waits is public; what they ask is not

    // A member who joins now, and does not agree, gets none of it from their first frame on.
    const yan = await join(server.url, table.tableId, "Yan");
    expectNoneReached(yan, seen);

    await accepted(ana, "phase.next");
    await accepted(chloe, "hand.raise", { note: shareNote });
    seen.push(shareNote);
    await check([question, shareNote]);
    await accepted(ana, "phase.next");
    await accepted(ben, "commitment.add", { text: commitment });
    await until("the commitment", () => ana.state().commitments.length === 1);
    seen.push(commitment);
    await check([commitment]);
    await accepted(ana, "phase.next");
    await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("closing");
    await accepted(chloe, "checkin.word", { word: closingWord });
    seen.push(closingWord);
    await check([closingWord, commitment]);
    await accepted(ana, "meeting.end");
    await check([closingWord, commitment]);
    expectNoneReached(yan, seen);
    for (const p of [...agreed, zed, yan]) await p.leave();
  });

  it("sees the current content once they agree, and new content as it arrives", async () => {
    const table = await createTable(server.url);
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(server.url, table.tableId, "Ben");
    const zed = await join(server.url, table.tableId, "Zed");
    await accepted(ana, "confidentiality.agree");
    await accepted(ben, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    await accepted(ana, "checkin.word", { word: words.ana });
    await accepted(ben, "checkin.word", { word: words.ben });
    await settle(zed.room);
    expectNoneReached(zed, [words.ana, words.ben]);

    // Agreeing brings the content already there at once, with the agreement's own patch, not
    // at Colyseus' next 50 ms tick: one ping round-trip after Zed sees himself agreed is enough.
    await new Promise<void>((resolve) => {
      const onChange = () => {
        if (zed.state().members[zed.memberId]?.agreed !== true) return;
        zed.room.onStateChange.remove(onChange);
        resolve();
      };
      zed.room.onStateChange(onChange);
      zed.room.send("confidentiality.agree");
    });
    await new Promise<void>((resolve) => zed.room.ping(() => resolve()));
    expect(zed.errors).toEqual([]);
    expect(zed.state().members[ana.memberId].checkinWord).toBe(words.ana);
    expect(zed.state().members[ben.memberId].checkinWord).toBe(words.ben);
    expect(zed.state().questions).toEqual([]);
    expect(zed.state().commitments).toEqual([]);

    // A member who joins later, agrees and checks in: Zed sees their word as it comes.
    const dev = await join(server.url, table.tableId, "Dev");
    await settle(zed.room);
    expect(zed.state().members[dev.memberId]).toMatchObject({ name: "Dev", agreed: false });
    await accepted(dev, "confidentiality.agree");
    expect(dev.state().members[ana.memberId].checkinWord).toBe(words.ana);
    await accepted(dev, "checkin.word", { word: "Obsidian" });
    await settle(zed.room);
    expect(zed.state().members[dev.memberId].checkinWord).toBe("Obsidian");
    await accepted(zed, "checkin.word", { word: "Relieved" });
    await settle(ana.room);
    expect(ana.state().members[zed.memberId].checkinWord).toBe("Relieved");

    await accepted(ana, "phase.next");
    await accepted(ana, "presenter.choose", { memberId: ben.memberId });
    await accepted(ana, "phase.next");
    await accepted(dev, "question.ask", { text: question });
    await settle(zed.room);
    expect(zed.state().questions).toMatchObject([{ askerId: dev.memberId, text: question }]);
    await accepted(ana, "phase.next");
    await accepted(dev, "hand.raise", { note: shareNote });
    await settle(zed.room);
    expect(zed.state().members[dev.memberId].shareNote).toBe(shareNote);
    await accepted(ana, "phase.next");
    await accepted(ben, "commitment.add", { text: commitment });
    await until("Zed sees the commitment", () => zed.state().commitments?.length === 1);
    expect(zed.state().commitments[0]).toMatchObject({ ownerId: ben.memberId, text: commitment });

    // The same member from a new window needs no second agreement to see it all.
    const zedAgain = await join(server.url, table.tableId, "Zed", { memberKey: zed.memberKey });
    expect(zedAgain.state().members[ana.memberId].checkinWord).toBe(words.ana);
    expect(zedAgain.state().commitments[0].text).toBe(commitment);
    for (const p of [ana, ben, dev, zedAgain]) await p.leave();
  });
});

describe("the trust pulse", () => {
  const pulseKeys = [
    "answered",
    "answeredBy",
    "counts",
    "mean",
    "seq",
    "status",
    "threshold",
    "withheldBecause",
  ];

  /** Fails if any object in the tree names a member and holds anything score-like. */
  function expectNoMemberScorePair(tree: unknown, memberIds: string[], where: string): void {
    const visit = (node: unknown, path: string) => {
      if (node === null || typeof node !== "object") return;
      const entries = Object.entries(node);
      const namesMember = entries.some(
        ([k, v]) => memberIds.includes(k) || (typeof v === "string" && memberIds.includes(v)),
      );
      if (namesMember) {
        for (const [k] of entries) expect(k, `${where}${path}`).not.toMatch(/score/i);
      }
      for (const [k, v] of entries) visit(v, `${path}.${k}`);
    };
    visit(tree, "");
  }

  it("never ties a score to a member: not in any client, the server's state, or the machine", async () => {
    const table = await createTable(server.url);
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(server.url, table.tableId, "Ben");
    const chloe = await join(server.url, table.tableId, "Chloé");
    const dev = await join(server.url, table.tableId, "Dev");
    const eve = await join(server.url, table.tableId, "Eve");
    const zed = await join(server.url, table.tableId, "Zed");
    const everyone = [ana, ben, chloe, dev, eve, zed];
    const ids = everyone.map((p) => p.memberId);
    for (const p of [ana, ben, chloe, dev, eve]) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    const room = matchMaker.getLocalRoomById(ana.room.roomId);
    expect(room, "the room instance, through the matchmaker").toBeDefined();
    const serverState = () => (room!.state as { toJSON(): any }).toJSON();

    await accepted(ana, "pulse.open");
    const contextsFrom = contexts.length;
    const membersBefore = JSON.stringify(serverState().members);
    const answers: [Person, number][] = [
      [ben, 1],
      [chloe, 2],
      [dev, 5],
      [ana, 4],
      [eve, 3],
    ];
    for (const [i, [p, score]] of answers.entries()) {
      const before = everyone.map((q) => q.state());
      await accepted(p, "pulse.answer", { score });
      await Promise.all(everyone.map((q) => settle(q.room)));
      for (const [j, q] of everyone.entries()) {
        if (q === zed) {
          // Who has not agreed sees nothing of the pulse, not even how many answered.
          expect(q.state()).toEqual(before[j]);
          expect(q.state().pulse).toBeUndefined();
          continue;
        }
        // The only change anyone sees: one more answer. Not whose, not what.
        expect(q.state()).toEqual({
          ...before[j],
          pulse: { ...before[j].pulse, answered: i + 1 },
        });
        expect(q.state().pulse).toMatchObject({ status: "open", counts: [], mean: 0 });
      }
      expect(serverState().pulse).toMatchObject({ status: "open", answered: i + 1, counts: [] });
      expect(JSON.stringify(serverState().members)).toBe(membersBefore);
    }
    await accepted(ana, "pulse.close");
    await Promise.all(everyone.map((q) => settle(q.room)));
    expect(zed.state().pulse).toBeUndefined();
    for (const q of everyone.filter((p) => p !== zed)) {
      expect(q.state().pulse).toMatchObject({
        status: "revealed",
        answered: 5,
        counts: [1, 1, 1, 1, 1],
        mean: 3,
      });
    }

    // Inside the room's machine: the pulse holds counts and the (sorted) set of who answered;
    // each answer changes only those, and the close keeps that set (never a score) to compare
    // later pulses with; no member record ever carries a score.
    const seen = contexts.slice(contextsFrom) as ProtocolContext[];
    expect(seen.length).toBeGreaterThanOrEqual(answers.length);
    for (const [i, context] of seen.entries()) {
      expect(Object.keys(context.pulse).sort()).toEqual(pulseKeys);
      expect(context.pulse.answeredBy).toEqual([...context.pulse.answeredBy].sort());
      expect(JSON.stringify(context.members)).toBe(JSON.stringify(seen[0]!.members));
      expectNoMemberScorePair(context, ids, `context ${i}`);
      const previous = seen[i - 1];
      if (previous) {
        const { pulse: _p, revealedAnswerers: _r, ...rest } = context;
        const { pulse: _q, revealedAnswerers: _s, ...restBefore } = previous;
        expect(rest).toEqual(restBefore);
      }
    }
    expect(seen.at(-1)!.revealedAnswerers).toEqual([[...answers.map(([p]) => p.memberId)].sort()]);
    expectNoMemberScorePair(serverState(), ids, "server state");

    // Two answers: withheld, and the counts go nowhere.
    await accepted(ana, "pulse.open");
    await accepted(ben, "pulse.answer", { score: 5 });
    await accepted(chloe, "pulse.answer", { score: 1 });
    await accepted(ana, "pulse.close");
    await Promise.all(everyone.map((q) => settle(q.room)));
    expect(zed.state().pulse).toBeUndefined();
    for (const q of everyone.filter((p) => p !== zed)) {
      expect(q.state().pulse).toMatchObject({
        status: "withheld",
        answered: 2,
        counts: [],
        mean: 0,
      });
    }
    expect(serverState().pulse).toMatchObject({ status: "withheld", counts: [], mean: 0 });
    const summary = await tableSummary(server.url, table.tableId, table.facilitatorKey);
    expect(summary.trust).toEqual([{ endedAt: expect.any(Number), answered: 5, mean: 3 }]);
    for (const p of everyone) await p.leave();
  });
});

describe("the server's logs", () => {
  const output: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function capture(): void {
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

  it("never repeat what was said in a meeting, or a score, even when saving fails", async () => {
    capture();
    const said = [
      "Tangerine",
      "Periwinkle",
      "What made the zeppelin budget feel urgent to you?",
      "When our kiln cracked, I learned to ask for help",
      "Draft the zeppelin budget with Priya",
      "Sketch the kiln repair plan",
      "Albatross",
    ];
    const table = await createTable(server.url);
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(server.url, table.tableId, "Ben");
    const chloe = await join(server.url, table.tableId, "Chloé");
    for (const p of [ana, ben, chloe]) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    await accepted(ben, "checkin.word", { word: said[0] });
    await accepted(chloe, "checkin.word", { word: said[1] });
    await accepted(ana, "phase.next");
    await accepted(ana, "presenter.choose", { memberId: ben.memberId });
    await accepted(ana, "phase.next");
    await accepted(chloe, "question.ask", { text: said[2] });
    await accepted(ben, "floor.give");
    await accepted(chloe, "floor.yield");
    await accepted(ana, "phase.next");
    await accepted(chloe, "hand.raise", { note: said[3] });
    await accepted(ana, "floor.give");
    await accepted(ana, "phase.next");
    await accepted(ben, "commitment.add", { text: said[4] });

    // The database fails under the next commitment: the room refuses it and logs the failure,
    // but a failed query's message carries its parameters, and those are what was said.
    const db = createClient({ url: `file:${joinPath(server.dir, "test.db")}` });
    await db.execute("ALTER TABLE commitments RENAME TO commitments_parked");
    const failed = await ben.send("commitment.add", { text: said[5] });
    await db.execute("ALTER TABLE commitments_parked RENAME TO commitments");
    db.close();
    expect(failed).toMatchObject({ code: "not_allowed", type: "commitment.add" });
    expect(output.join("\n")).toMatch(/could not save/);

    await accepted(ana, "pulse.open");
    await accepted(ben, "pulse.answer", { score: 2 });
    await accepted(chloe, "pulse.answer", { score: 5 });
    await accepted(ana, "pulse.answer", { score: 3 });
    await accepted(ana, "pulse.close");
    await accepted(ana, "phase.next");
    await accepted(ana, "phase.next");
    await accepted(chloe, "checkin.word", { word: said[6] });
    await accepted(ana, "meeting.end");
    const roomId = ana.room.roomId;
    for (const p of [ana, ben, chloe]) await p.leave();
    // The room closes when the last one leaves, writing the meeting's record as it goes.
    await until("the meeting's room has closed", () => !matchMaker.getLocalRoomById(roomId));

    const log = output.join("\n");
    for (const text of said) expect(log, `the log repeats "${text}"`).not.toContain(text);
    expect(log).not.toMatch(/score/i);
  });
});
