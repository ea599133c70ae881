// Giving the floor is safe against repeats and races (issue 12): a double click, or the presenter
// and the facilitator giving at once, never skips a speaker; the head of the queue skips members
// who are away, who keep their place. Real SDK clients against a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTable,
  dropConnection,
  join,
  settleTable,
  startTestServer,
  until,
  type Person,
  type TestServer,
} from "../support/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ reconnectSeconds: 30 });
});
afterAll(async () => {
  await server?.stop();
});

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

/** Probing questions with Ben presenting; Chloé then Dev asked a question each. */
async function questionsWithTwoAskers() {
  const table = await createTable(server.url);
  const ana = await join(server.url, table.tableId, "Ana", {
    facilitatorKey: table.facilitatorKey,
  });
  const ben = await join(server.url, table.tableId, "Ben");
  const chloe = await join(server.url, table.tableId, "Chloé");
  const dev = await join(server.url, table.tableId, "Dev");
  const everyone = [ana, ben, chloe, dev];
  for (const p of everyone) await accepted(p, "confidentiality.agree");
  await accepted(ana, "meeting.start");
  await accepted(ana, "phase.next"); // check-in → choosing
  await accepted(ana, "presenter.choose", { memberId: ben.memberId });
  await accepted(ana, "phase.next"); // presenting → questions
  await accepted(chloe, "question.ask", { text: "What would a good outcome look like?" });
  await accepted(dev, "question.ask", { text: "How have you handled this before?" });
  return { table, ana, ben, chloe, dev, everyone };
}

describe("giving the floor", () => {
  it("gives it once when the same give arrives twice (a double click): nobody is skipped", async () => {
    const { table, ana, chloe, dev, everyone } = await questionsWithTwoAskers();
    const answers = await Promise.all([
      ana.room.request("floor.give", {}),
      ana.room.request("floor.give", {}),
    ]);
    expect(answers.map((a: { ok: boolean }) => a.ok).sort()).toEqual([false, true]);
    await settleTable(table.tableId);
    for (const p of everyone) {
      const s = p.state();
      expect(s.floorId).toBe(chloe.memberId);
      expect(s.hands).toEqual([dev.memberId]);
      expect(s.questions.map((q: { status: string }) => q.status)).toEqual(["asking", "queued"]);
    }
    for (const p of everyone) await p.leave();
  });

  it("gives it once when the presenter and the facilitator give at the same moment", async () => {
    const { table, ana, ben, chloe, dev, everyone } = await questionsWithTwoAskers();
    const answers = await Promise.all([
      ben.room.request("floor.give", {}),
      ana.room.request("floor.give", {}),
    ]);
    expect(answers.filter((a: { ok: boolean }) => a.ok)).toHaveLength(1);
    await settleTable(table.tableId);
    expect(ana.state().floorId).toBe(chloe.memberId);
    expect(ana.state().hands).toEqual([dev.memberId]);
    // Passing it on names who holds it; the same pass again is refused.
    await accepted(ana, "floor.give", { holder: chloe.memberId });
    expect(await ana.send("floor.give", { holder: chloe.memberId })).toMatchObject({
      code: "not_allowed",
    });
    expect(ana.state().floorId).toBe(dev.memberId);
    // Chloé's question was asked and is answered; her airtime counts; nobody was skipped.
    expect(ana.state().questions.map((q: { status: string }) => q.status)).toEqual([
      "answered",
      "asking",
    ]);
    for (const p of everyone) await p.leave();
  });

  it("skips a member who is away at the head of the queue, who keeps their place", async () => {
    const { ana, chloe, dev, everyone } = await questionsWithTwoAskers();
    // Her Wi-Fi is gone for a while: no reconnection during this test.
    chloe.room.reconnection.enabled = false;
    dropConnection(chloe.room);
    await until("Chloé is away", () => ana.state().members[chloe.memberId]?.connected === false);
    await accepted(ana, "floor.give");
    expect(ana.state().floorId).toBe(dev.memberId);
    expect(ana.state().hands).toEqual([chloe.memberId]);
    for (const p of everyone.filter((p) => p !== chloe)) await p.leave();
  });
});
