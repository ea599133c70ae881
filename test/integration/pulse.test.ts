// The trust pulse against the attacks of issue 10, item 5 (PROTOCOL.md "The trust pulse,
// tightened"): a facilitator who seeds the pulse with answers they know, who runs a second pulse
// after one more member arrived, or who counts on three equal answers. Real SDK clients against a
// booted server; what every member decodes, and what storage kept.
import { createClient } from "@libsql/client";
import { join as joinPath } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTable,
  join,
  settle,
  startTestServer,
  until,
  type Person,
  type TestServer,
} from "../support/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

/** A started meeting at a new table: the first name holds the facilitator key; all agreed. */
async function startedMeeting(names: string[]) {
  const table = await createTable(server.url);
  const [first, ...rest] = names;
  const facilitator = await join(server.url, table.tableId, first!, {
    facilitatorKey: table.facilitatorKey,
  });
  const everyone = [facilitator];
  for (const name of rest) everyone.push(await join(server.url, table.tableId, name));
  for (const p of everyone) await accepted(p, "confidentiality.agree");
  await accepted(facilitator, "meeting.start");
  return { table, facilitator, everyone };
}

/** Someone who arrives during the meeting and agrees. */
async function arrives(tableId: string, name: string): Promise<Person> {
  const p = await join(server.url, tableId, name);
  await accepted(p, "confidentiality.agree");
  return p;
}

/** Runs one pulse: the facilitator opens it, each answers, and it closes once all answers are in. */
async function pulse(facilitator: Person, answers: [Person, number][]): Promise<void> {
  await accepted(facilitator, "pulse.open");
  for (const [p, score] of answers) await accepted(p, "pulse.answer", { score });
  await until(`${answers.length} answered`, () => {
    return facilitator.state().pulse.answered === answers.length;
  });
  await accepted(facilitator, "pulse.close");
}

/** Waits until every one of them decodes a closed pulse with this number. */
async function closedForEveryone(people: Person[], seq: number): Promise<void> {
  await Promise.all(people.map((p) => settle(p.room)));
  await until(`pulse ${seq} closed for everyone`, () =>
    people.every((p) => {
      const s = p.state().pulse;
      return s.seq === seq && (s.status === "revealed" || s.status === "withheld");
    }),
  );
}

/** The pulse rows storage keeps for a table, straight from the database. */
async function storedPulses(tableId: string) {
  const db = createClient({ url: `file:${joinPath(server.dir, "test.db")}` });
  try {
    const { rows } = await db.execute({
      sql: `SELECT answered, count1, count2, count3, count4, count5, mean FROM pulses
            WHERE table_id = ? ORDER BY closed_at, id`,
      args: [tableId],
    });
    return rows.map((r) => ({
      answered: Number(r.answered),
      counts: [r.count1, r.count2, r.count3, r.count4, r.count5].map(Number),
      mean: Number(r.mean),
    }));
  } finally {
    db.close();
  }
}

/**
 * Ends the meeting. Its answer comes once what the meeting handed to storage is written (its
 * record, and every pulse before it, kept or refused).
 */
async function endAndFlush(facilitator: Person): Promise<void> {
  await accepted(facilitator, "meeting.end");
}

const noCounts = [0, 0, 0, 0, 0];

describe("the trust pulse against a facilitator who wants someone's score", () => {
  it("shows no histogram when two seeded answers and one real one close at three", async () => {
    const { table, facilitator, everyone } = await startedMeeting(["Ana", "Sock1", "Sock2", "Ben"]);
    const [ana, sock1, sock2, ben] = everyone as [Person, Person, Person, Person];
    await accepted(ana, "pulse.open");
    await accepted(sock1, "pulse.answer", { score: 5 });
    await accepted(sock2, "pulse.answer", { score: 5 });
    await accepted(ben, "pulse.answer", { score: 2 });
    // The facilitator closes the moment the third answer is in.
    await until("three answered", () => ana.state().pulse.answered === 3);
    await accepted(ana, "pulse.close");
    await closedForEveryone(everyone, 1);
    for (const p of everyone) {
      expect(p.state().pulse, `${p.name}'s pulse`).toMatchObject({
        status: "revealed",
        answered: 3,
        counts: noCounts,
        mean: 4,
      });
    }
    // The mean alone, with two answers the facilitator knows, still gives Ben's away: what the
    // roster and the admission prompt must stop (README, "What the pulse promises").

    await endAndFlush(facilitator);
    for (const row of await storedPulses(table.tableId)) expect(row.counts).toEqual(noCounts);
  });

  it("withholds a second pulse after one more member arrived, and one after one left", async () => {
    const names = ["Ana", "Ben", "Chloé", "Dev", "Eli"];
    const { table, facilitator: ana, everyone } = await startedMeeting(names);
    const first: [Person, number][] = everyone.map((p, i) => [p, [4, 3, 5, 4, 2][i]!]);
    await pulse(ana, first);
    await closedForEveryone(everyone, 1);
    for (const p of everyone) {
      expect(p.state().pulse).toMatchObject({
        status: "revealed",
        answered: 5,
        counts: [0, 1, 1, 2, 1],
        mean: 3.6,
      });
    }

    // Fay arrives; the same five and Fay answer. The difference of the two means would be Fay's.
    const fay = await arrives(table.tableId, "Fay");
    const all = [...everyone, fay];
    await pulse(ana, [...first, [fay, 1]]);
    await closedForEveryone(all, 2);
    for (const p of all) {
      expect(p.state().pulse, `${p.name}'s second pulse`).toMatchObject({
        status: "withheld",
        answered: 6,
        counts: [],
        mean: 0,
      });
    }

    // Eli does not answer the third: compared with the first, it would show Eli's score.
    await pulse(ana, first.slice(0, 4));
    await closedForEveryone(all, 3);
    for (const p of all) {
      expect(p.state().pulse, `${p.name}'s third pulse`).toMatchObject({
        status: "withheld",
        answered: 4,
        mean: 0,
      });
    }

    // The same five as the first: nothing to compare, so it shows.
    await pulse(
      ana,
      first.map(([p]) => [p, 5]),
    );
    await closedForEveryone(all, 4);
    for (const p of all) {
      expect(p.state().pulse, `${p.name}'s fourth pulse`).toMatchObject({
        status: "revealed",
        answered: 5,
        counts: [0, 0, 0, 0, 5],
        mean: 5,
      });
    }

    await endAndFlush(ana);
    expect(await storedPulses(table.tableId)).toEqual([
      { answered: 5, counts: [0, 1, 1, 2, 1], mean: 3.6 },
      { answered: 5, counts: [0, 0, 0, 0, 5], mean: 5 },
    ]);
    const summary = await server.storage.tableSummary(table.tableId);
    expect(summary?.trust.map(({ answered, mean }) => ({ answered, mean }))).toEqual([
      { answered: 5, mean: 3.6 },
      { answered: 5, mean: 5 },
    ]);
  });

  it("does not state everyone's score when three answer the same", async () => {
    const { table, facilitator: ana, everyone } = await startedMeeting(["Ana", "Ben", "Chloé"]);
    await pulse(
      ana,
      everyone.map((p) => [p, 4]),
    );
    await closedForEveryone(everyone, 1);
    for (const p of everyone) {
      expect(p.state().pulse, `${p.name}'s pulse`).toMatchObject({
        status: "revealed",
        answered: 3,
        counts: noCounts,
        mean: 4,
      });
    }
    await endAndFlush(ana);
    for (const row of await storedPulses(table.tableId)) expect(row.counts).toEqual(noCounts);
  });

  it("keeps a three-answer pulse's mean without its counts", async () => {
    const { table, facilitator: ana, everyone } = await startedMeeting(["Ana", "Ben", "Chloé"]);
    await pulse(ana, [
      [everyone[0]!, 3],
      [everyone[1]!, 4],
      [everyone[2]!, 4],
    ]);
    await closedForEveryone(everyone, 1);
    await endAndFlush(ana);
    expect(await storedPulses(table.tableId)).toEqual([
      { answered: 3, counts: noCounts, mean: 3.7 },
    ]);
  });

  it("tells every member why a pulse is withheld", async () => {
    const { table, facilitator: ana, everyone } = await startedMeeting(["Ana", "Ben", "Chloé"]);
    await pulse(
      ana,
      everyone.map((p) => [p, 3]),
    );
    const dev = await arrives(table.tableId, "Dev");
    const all = [...everyone, dev];
    await pulse(
      ana,
      all.map((p) => [p, 3]),
    );
    await closedForEveryone(all, 2);
    for (const p of all) {
      expect(p.state().pulse).toMatchObject({
        status: "withheld",
        withheldBecause: "would_compare",
      });
    }
  });
});
