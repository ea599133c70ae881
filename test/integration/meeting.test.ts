import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTable,
  join,
  settle,
  startTestServer,
  until,
  type Person,
  type TestServer,
  tableSummary,
} from "../support/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

async function openMeeting(names: string[]) {
  const table = await createTable(server.url);
  const [first, ...rest] = names;
  const facilitator = await join(server.url, table.tableId, first!, {
    facilitatorKey: table.facilitatorKey,
  });
  const members: Person[] = [];
  for (const name of rest) members.push(await join(server.url, table.tableId, name));
  const everyone = [facilitator, ...members];
  for (const p of everyone) expect(await p.send("confidentiality.agree")).toBeUndefined();
  await Promise.all(everyone.map((p) => settle(p.room)));
  return { table, facilitator, members, everyone };
}

describe("a whole meeting, as every member sees it", () => {
  it("runs from the lobby through two rounds to the end, with a pulse revealed and one withheld", async () => {
    const {
      table,
      facilitator: ana,
      members,
      everyone,
    } = await openMeeting(["Ana", "Ben", "Chloé", "Dev"]);
    const [ben, chloe, dev] = members as [Person, Person, Person];

    expect(ana.state().facilitatorId).toBe(ana.memberId);
    expect(ana.state().phase).toBe("lobby");

    expect(await ana.send("meeting.start")).toBeUndefined();
    for (const p of everyone) expect(p.state().phase).toBe("checkIn");
    expect(ana.state().phaseEndsAt).toBeGreaterThan(Date.now());

    for (const [p, word] of [
      [ana, "Curious"],
      [ben, "Tired"],
      [chloe, "Hopeful"],
      [dev, "Focused"],
    ] as const) {
      expect(await p.send("checkin.word", { word })).toBeUndefined();
    }
    await settle(dev.room);
    expect(dev.state().members[ben.memberId].checkinWord).toBe("Tired");

    // Nothing to follow up on at a table's first meeting: follow-up is skipped.
    expect(await ana.send("phase.next")).toBeUndefined();
    expect(ana.state().phase).toBe("choosing");

    expect(await ben.send("presenter.volunteer")).toBeUndefined();
    expect(ana.state().volunteers).toEqual([ben.memberId]);
    expect(await ana.send("presenter.choose", { memberId: ben.memberId })).toBeUndefined();
    for (const p of everyone) {
      expect(p.state().phase).toBe("presenting");
      expect(p.state().presenterId).toBe(ben.memberId);
      expect(p.state().round).toBe(1);
    }

    expect(await ana.send("phase.next")).toBeUndefined();
    expect(ana.state().phase).toBe("questions");

    expect(
      await chloe.send("question.ask", { text: "How have you handled this before?" }),
    ).toBeUndefined();
    expect(
      await dev.send("question.ask", { text: "Have you tried just talking to them?" }),
    ).toBeUndefined();
    await settle(ana.room);
    const questions = ana.state().questions;
    expect(questions.map((q: { hint: string }) => q.hint)).toEqual(["open", "advice"]);
    expect(ana.state().hands).toEqual([chloe.memberId, dev.memberId]);

    // The presenter gives the floor to the head of the queue; Chloé's hand drops.
    expect(await ben.send("floor.give")).toBeUndefined();
    await settle(chloe.room);
    expect(chloe.state().floorId).toBe(chloe.memberId);
    expect(chloe.state().hands).toEqual([dev.memberId]);
    expect(chloe.state().members[chloe.memberId].handUp).toBe(false);
    expect(chloe.state().questions[0].status).toBe("asking");
    expect(chloe.state().turnEndsAt).toBeGreaterThan(Date.now());

    expect(await chloe.send("floor.yield")).toBeUndefined();
    await settle(ana.room);
    expect(ana.state().floorId).toBe("");
    expect(ana.state().questions[0].status).toBe("answered");
    expect(ana.state().members[chloe.memberId].airtimeMs).toBeGreaterThanOrEqual(0);

    expect(await ana.send("question.dismiss", { questionId: questions[1].id })).toBeUndefined();
    expect(await ana.send("phase.next")).toBeUndefined();
    expect(ana.state().phase).toBe("experiences");
    expect(ana.state().hands).toEqual([]);

    // Everyone once before anyone twice.
    expect(await dev.send("hand.raise")).toBeUndefined();
    expect(await ana.send("floor.give")).toBeUndefined();
    expect(await dev.send("floor.yield")).toBeUndefined();
    expect(await dev.send("hand.raise")).toBeUndefined();
    expect(
      await chloe.send("hand.raise", { note: "When we did a leveling chart, I found…" }),
    ).toBeUndefined();
    await settle(ana.room);
    expect(ana.state().hands).toEqual([chloe.memberId, dev.memberId]);
    expect(ana.state().members[dev.memberId].sharedThisRound).toBe(true);
    expect((await ben.send("hand.raise"))?.code).toBe("not_allowed");
    expect(await ana.send("floor.give")).toBeUndefined();
    expect(await ana.send("floor.yield")).toBeUndefined();

    expect(await ana.send("phase.next")).toBeUndefined();
    expect(ana.state().phase).toBe("commitment");
    expect(
      await ben.send("commitment.add", { text: "Write the leveling chart draft" }),
    ).toBeUndefined();
    expect(await ben.send("commitment.add", { text: "Talk to HR about bands" })).toBeUndefined();
    await until("two commitments", () => ana.state().commitments.length === 2);
    const [first] = ana.state().commitments;
    expect(first).toMatchObject({ ownerId: ben.memberId, ownerName: "Ben", status: "open" });
    expect(
      await ben.send("commitment.remove", { commitmentId: ana.state().commitments[1].id }),
    ).toBeUndefined();
    await until("one commitment", () => ana.state().commitments.length === 1);

    expect(await ana.send("phase.next")).toBeUndefined();
    expect(ana.state().phase).toBe("choosing");
    expect(ana.state().presenterId).toBe("");

    // Round two: Dev presents.
    expect(await ana.send("presenter.choose", { memberId: dev.memberId })).toBeUndefined();
    expect(ana.state().round).toBe(2);
    expect(ana.state().questions).toEqual([]);
    for (let i = 0; i < 3; i++) expect(await ana.send("phase.next")).toBeUndefined();
    expect(await dev.send("commitment.add", { text: "Ship the on-call rota" })).toBeUndefined();
    await until("round two commitment", () => ana.state().commitments.length === 2);
    expect(await ana.send("phase.next")).toBeUndefined();

    // A pulse with three answers is revealed as its mean alone; with two it is withheld.
    expect(await ana.send("pulse.open")).toBeUndefined();
    for (const [p, score] of [
      [ben, 4],
      [chloe, 5],
      [dev, 3],
    ] as const) {
      expect(await p.send("pulse.answer", { score })).toBeUndefined();
    }
    expect((await dev.send("pulse.answer", { score: 1 }))?.code).toBe("not_allowed");
    expect(ana.state().pulse).toMatchObject({ status: "open", answered: 3, counts: [] });
    expect(await ana.send("pulse.close")).toBeUndefined();
    await settle(ben.room);
    expect(ben.state().pulse).toMatchObject({
      status: "revealed",
      answered: 3,
      counts: [0, 0, 0, 0, 0],
      mean: 4,
    });

    expect(await ana.send("pulse.open")).toBeUndefined();
    expect(ana.state().pulse).toMatchObject({ status: "open", answered: 0 });
    expect(await ben.send("pulse.answer", { score: 2 })).toBeUndefined();
    expect(await chloe.send("pulse.answer", { score: 5 })).toBeUndefined();
    expect(await ana.send("pulse.close")).toBeUndefined();
    await settle(ben.room);
    expect(ben.state().pulse).toMatchObject({
      status: "withheld",
      answered: 2,
      counts: [],
      mean: 0,
    });

    expect(await ana.send("phase.next")).toBeUndefined();
    expect(ana.state().phase).toBe("closing");
    expect(await chloe.send("checkin.word", { word: "Grateful" })).toBeUndefined();
    await settle(ana.room);
    expect(ana.state().members[chloe.memberId].closingWord).toBe("Grateful");

    expect(await ana.send("meeting.end")).toBeUndefined();
    for (const p of everyone) {
      await settle(p.room);
      expect(p.state().phase).toBe("ended");
    }

    const summary = await tableSummary(server.url, table.tableId, table.facilitatorKey);
    expect(summary).toMatchObject({ tableId: table.tableId, openCommitments: 2, meetings: 1 });
    // The pulse of three is kept as its mean alone: no counts below 5 answers.
    expect(summary.trust).toEqual([{ endedAt: expect.any(Number), answered: 3, mean: 4 }]);

    // An ended meeting takes no new joins: the next join starts a new meeting.
    const late = await join(server.url, table.tableId, "Eve");
    expect(late.state().phase).toBe("lobby");
    expect(late.room.roomId).not.toBe(ana.room.roomId);
    for (const p of [...everyone, late]) await p.leave();
  });
});
