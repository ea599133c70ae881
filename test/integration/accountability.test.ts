import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import { createTable, join, settle, until, type Person, tableSummary } from "../support/server.ts";

// Words that are said in the meeting and must never be written anywhere.
const secrets = {
  checkin: ["Zyzzyva", "Quokkaish", "Brindled", "Umbral"],
  question: "How did the Quixotic-Plinth-42 reorg change what you expected?",
  advice: "Have you tried asking Marzipan-Vesper-17 directly?",
  shareNote: "When we ran Obsidian-Kettle-93, I found the team relaxed",
  closing: "Heliotrope",
  // Version 2: the presenter's issue card is synced to the members, never stored.
  issue: { title: "Saffron-Trellis-58 rollout", why: "Cobalt-Meadow-31 is late" },
};
const promises = {
  ben: ["Draft the Marigold-77 leveling chart", "Talk to HR about salary bands"],
  dev: ["Call three Lumen-Harbor-19 customers"],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = joinPath(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function expectNoSecrets(haystack: string, where: string): void {
  for (const word of [
    ...secrets.checkin,
    secrets.question,
    secrets.advice,
    secrets.shareNote,
    secrets.closing,
    secrets.issue.title,
    secrets.issue.why,
  ]) {
    expect(haystack.includes(word), `"${word}" found in ${where}`).toBe(false);
  }
  // The distinctive part of each text too, in case of a partial write.
  for (const word of [
    ...["Quixotic-Plinth-42", "Marzipan-Vesper-17", "Obsidian-Kettle-93"],
    ...["Saffron-Trellis-58", "Cobalt-Meadow-31"],
  ]) {
    expect(haystack.includes(word), `"${word}" found in ${where}`).toBe(false);
  }
}

const keys = {
  ana: "ana-member-key-0123456789",
  ben: "ben-member-key-0123456789",
  chloe: "chloe-member-key-012345678",
  dev: "dev-member-key-0123456789",
};

/** Meeting one: check-in, two rounds with commitments, two pulses. Then the server is killed. */
async function firstMeeting(
  server: ServerProcess,
  table: { tableId: string; facilitatorKey: string },
) {
  const ana = await join(server.url, table.tableId, "Ana", {
    facilitatorKey: table.facilitatorKey,
    memberKey: keys.ana,
  });
  const ben = await join(server.url, table.tableId, "Ben", { memberKey: keys.ben });
  const chloe = await join(server.url, table.tableId, "Chloé", { memberKey: keys.chloe });
  const dev = await join(server.url, table.tableId, "Dev", { memberKey: keys.dev });
  const everyone = [ana, ben, chloe, dev];
  for (const p of everyone) expect(await p.send("confidentiality.agree")).toBeUndefined();
  expect(await ana.send("meeting.start")).toBeUndefined();
  for (const [i, p] of everyone.entries()) {
    expect(await p.send("checkin.word", { word: secrets.checkin[i] })).toBeUndefined();
  }
  expect(await ana.send("phase.next")).toBeUndefined();
  expect(ana.state().phase).toBe("choosing"); // nothing to follow up on yet

  const round = async (presenter: Person, asker: Person, sharer: Person, texts: string[]) => {
    expect(await ana.send("presenter.choose", { memberId: presenter.memberId })).toBeUndefined();
    // Accepted or not (the issue card comes with the forum's work), it is never written.
    await presenter.send("issue.set", { ...secrets.issue, ask: "both" });
    expect(await ana.send("phase.next")).toBeUndefined();
    expect(await asker.send("question.ask", { text: secrets.question })).toBeUndefined();
    expect(await sharer.send("question.ask", { text: secrets.advice })).toBeUndefined();
    expect(await ana.send("phase.next")).toBeUndefined();
    expect(await sharer.send("hand.raise", { note: secrets.shareNote })).toBeUndefined();
    expect(await ana.send("floor.give")).toBeUndefined();
    expect(await sharer.send("floor.yield")).toBeUndefined();
    expect(await ana.send("phase.next")).toBeUndefined();
    for (const text of texts)
      expect(await presenter.send("commitment.add", { text })).toBeUndefined();
  };
  await round(ben, chloe, dev, promises.ben);
  await until("Ben's commitments", () => ana.state().commitments.length === 2);
  expect(await ana.send("phase.next")).toBeUndefined();

  // A pulse revealed (three answers: its mean alone) and one withheld (two).
  expect(await ana.send("pulse.open")).toBeUndefined();
  for (const [p, score] of [
    [ben, 4],
    [chloe, 5],
    [dev, 2],
  ] as const) {
    expect(await p.send("pulse.answer", { score })).toBeUndefined();
  }
  expect(await ana.send("pulse.close")).toBeUndefined();
  expect(await ana.send("pulse.open")).toBeUndefined();
  for (const [p, score] of [
    [ben, 1],
    [chloe, 1],
  ] as const) {
    expect(await p.send("pulse.answer", { score })).toBeUndefined();
  }
  expect(await ana.send("pulse.close")).toBeUndefined();
  expect(ana.state().pulse.status).toBe("withheld");

  await round(dev, ben, chloe, promises.dev);
  // The last commitment is acknowledged in the state…
  await until("Dev's commitment", () => ana.state().commitments.length === 3);
  // A closing word sent too early is refused, and is not written anywhere either.
  expect(await chloe.send("checkin.word", { word: secrets.closing })).toBeDefined();
  // …and the server dies right away, without ending the meeting.
  await server.kill();
  return { ana, ben, chloe, dev };
}

async function expectNoSecretsInPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schemaname: string; tablename: string }>(
      "select schemaname, tablename from pg_tables where schemaname not in ('pg_catalog', 'information_schema')",
    );
    let everything = "";
    for (const { schemaname, tablename } of tables.rows) {
      const rows = await client.query(`select * from "${schemaname}"."${tablename}"`);
      everything += JSON.stringify(rows.rows);
    }
    expect(everything).toContain("Marigold-77"); // commitments are kept, by design
    expect(everything).toContain("presentingMin"); // and the facilitator's plan
    expectNoSecrets(everything, "the PostgreSQL database");
  } finally {
    await client.end();
  }
}

const databases: {
  name: string;
  start(dir: string): Promise<{ url: string; stop(): Promise<void> }>;
}[] = [
  {
    name: "SQLite",
    start: async (dir) => ({ url: joinPath(dir, "data", "roundtable.db"), stop: async () => {} }),
  },
  {
    name: "PostgreSQL",
    start: async () => {
      const db: TestPostgres = await startPostgres();
      return db;
    },
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.each(databases)("accountability across meetings on $name", (database) => {
  it("shows the first meeting's commitments in the second one's follow-up after a hard kill, and keeps nothing that was said", async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), "roundtable-accountability-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const db = await database.start(dir);
    cleanups.push(() => db.stop());
    const env = { DATABASE_URL: db.url };

    const first = await startServerProcess(env);
    cleanups.push(() => first.kill().catch(() => {}));
    const table = await createTable(first.url, "Founders' forum");
    const { ben, dev } = await firstMeeting(first, table);

    // A hard restart; the second meeting of the same table.
    const second = await startServerProcess(env);
    cleanups.push(() => second.stop());
    const ana = await join(second.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
      memberKey: keys.ana,
    });
    const ben2 = await join(second.url, table.tableId, "Ben", { memberKey: keys.ben });
    const chloe = await join(second.url, table.tableId, "Chloé", { memberKey: keys.chloe });
    expect(ben2.memberId).toBe(ben.memberId);
    for (const p of [ana, ben2, chloe])
      expect(await p.send("confidentiality.agree")).toBeUndefined();
    expect(await ana.send("meeting.start")).toBeUndefined();
    expect(await ana.send("phase.next")).toBeUndefined();

    // How'd it go? Ben is here: his two commitments are under review; Dev's is not, Dev is away.
    expect(ana.state().phase).toBe("followUp");
    const review = ana.state().commitments;
    expect(review.map((c: { text: string }) => c.text).sort()).toEqual([...promises.ben].sort());
    expect(
      review.every(
        (c: { review: boolean; status: string; ownerId: string }) =>
          c.review && c.status === "open" && c.ownerId === ben.memberId,
      ),
    ).toBe(true);
    expect(ana.state().absentCommitments).toBe(1);

    const chart = review.find((c: { text: string }) => c.text === promises.ben[0]);
    const hr = review.find((c: { text: string }) => c.text === promises.ben[1]);
    // Only the owner answers for a commitment.
    expect(
      (await chloe.send("followup.report", { commitmentId: chart.id, status: "done" }))?.code,
    ).toBe("not_allowed");
    expect(
      await ben2.send("followup.report", {
        commitmentId: chart.id,
        status: "done",
        note: "Shared it",
      }),
    ).toBeUndefined();
    expect(
      await ben2.send("followup.report", {
        commitmentId: hr.id,
        status: "partly",
        note: "Meeting booked",
      }),
    ).toBeUndefined();
    await settle(ana.room);
    expect(
      ana
        .state()
        .commitments.map((c: { status: string }) => c.status)
        .sort(),
    ).toEqual(["done", "partly"]);
    expect(await ana.send("phase.next")).toBeUndefined();
    expect(ana.state().phase).toBe("choosing");
    expect(ana.state().commitments).toEqual([]);

    const summary = await tableSummary(second.url, table.tableId, table.facilitatorKey);
    // Open: Ben's "partly" one, and Dev's, who was not there to report.
    expect(summary.openCommitments).toBe(2);
    expect(summary.meetings).toBe(2);
    // The trust trend holds revealed pulses only: the pulse of three, as its mean alone.
    expect(summary.trust).toEqual([{ endedAt: expect.any(Number), answered: 3, mean: 3.7 }]);

    expect(await ana.send("meeting.end")).toBeUndefined();
    for (const p of [ana, ben2, chloe]) await p.leave();

    // Between meetings: the facilitator plans the next one; every new endpoint answers with
    // commitments, follow-up notes, counts and plans, and nothing that was said.
    const answers: string[] = [];
    const api = async (path: string, key: string, init: RequestInit = {}) => {
      const res = await fetch(`${second.url}/api/tables/${table.tableId}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, ...init.headers },
      });
      expect(res.status, path).toBe(200);
      const text = await res.text();
      answers.push(text);
      return JSON.parse(text);
    };
    const planned = await api("", table.facilitatorKey, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        timeboxes: { presentingMin: 12, updateMin: 4 },
        nextMeetingAt: Date.now() + 7 * 24 * 3_600_000,
        nextPresenters: [dev.memberId, ben.memberId],
      }),
    });
    expect(planned.nextPresenters).toEqual([dev.memberId, ben.memberId]);
    expect(planned.history.map((h: { made: number }) => h.made)).toEqual([3, 0]);
    expect(
      planned.history.map((h: { done: number; partly: number }) => [h.done, h.partly]),
    ).toEqual([
      [0, 0],
      [1, 1],
    ]);
    for (const key of [keys.ana, keys.ben, keys.chloe, keys.dev]) {
      await api("", key);
      await api("/commitments", key);
    }
    const everything = answers.join("\n");
    expect(everything).toContain("Marigold-77");
    expect(everything).toContain("Meeting booked");
    expectNoSecrets(everything, "the API's answers");
    await second.stop();

    // Nothing said in either meeting reached the database, the server's output or its files.
    expectNoSecrets(first.output() + second.output(), "the server's output");
    for (const file of filesUnder(dir)) {
      const bytes = readFileSync(file).toString("latin1") + readFileSync(file).toString("utf8");
      expectNoSecrets(bytes, file);
    }
    if (database.name === "SQLite") {
      expect(readFileSync(db.url).toString("utf8")).toContain("Marigold-77");
      expect(readFileSync(db.url).toString("utf8")).toContain('"presentingMin":12');
    } else {
      await expectNoSecretsInPostgres(db.url);
    }
    void dev;
  });
});
