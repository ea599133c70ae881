// Between meetings (issue 14), over two and three meetings of one table with real SDK clients:
// the history the table page shows, each member's own commitments with their follow-ups, and
// the facilitator's plan for the next meeting (PATCH), which that meeting then runs on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import { startRedis, type TestRedis } from "../support/redis.ts";
import {
  createTable,
  freePort,
  join,
  startTestServer,
  until,
  type Person,
  type TestServer,
} from "../support/server.ts";

const keys = {
  ana: "ana-between-key-0123456789",
  ben: "ben-between-key-0123456789",
  chloe: "chloe-between-key-012345678",
};

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

describe("between meetings", () => {
  let server: TestServer;
  let table: { tableId: string; facilitatorKey: string };

  beforeAll(async () => {
    server = await startTestServer();
    table = await createTable(server.url, "Thursday circle");
  });
  afterAll(async () => {
    await server?.stop();
  });

  const api = async (path: string, key: string, init: RequestInit = {}) => {
    const res = await fetch(`${server.url}/api/tables/${table.tableId}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...init.headers },
    });
    return { status: res.status, body: await res.json() };
  };
  const summary = async (key: string) => (await api("", key)).body;
  const commitments = async (key: string) => (await api("/commitments", key)).body;
  const plan = (key: string, body: unknown) =>
    api("", key, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  /** Asks the API until no meeting of the table runs (an ended meeting's room locks a moment later). */
  async function noMeetingRuns(): Promise<void> {
    await until("no meeting runs", async () => !(await summary(table.facilitatorKey)).meetingNow);
  }

  /** The people of a meeting: Ana holds the key; each agrees; Ana starts and checks in. */
  async function meeting(names: ("ana" | "ben" | "chloe")[]) {
    const people: Record<string, Person> = {};
    for (const who of names) {
      const name = { ana: "Ana", ben: "Ben", chloe: "Chloé" }[who];
      people[who] = await join(server.url, table.tableId, name, {
        memberKey: keys[who],
        ...(who === "ana" ? { facilitatorKey: table.facilitatorKey } : {}),
      });
    }
    const everyone = Object.values(people);
    for (const p of everyone) await accepted(p, "confidentiality.agree");
    const ana = people.ana!;
    expect((await summary(table.facilitatorKey)).meetingNow).toBe(true);
    await accepted(ana, "meeting.start");
    return { people, everyone, ana };
  }

  /** A round: the facilitator chooses the presenter, moves to commitment, who commits. */
  async function round(ana: Person, presenter: Person, texts: string[]) {
    await accepted(ana, "presenter.choose", { memberId: presenter.memberId });
    for (let i = 0; i < 3; i++) await accepted(ana, "phase.next");
    expect(ana.state().phase).toBe("commitment");
    for (const text of texts) await accepted(presenter, "commitment.add", { text });
    await accepted(ana, "phase.next");
  }

  /** The owner answers for their commitment under review, found by its text. */
  async function report(ana: Person, owner: Person, text: string, status: string, note = "") {
    const c = ana.state().commitments.find((c: { text: string }) => c.text === text);
    expect(c, text).toBeDefined();
    await accepted(owner, "followup.report", { commitmentId: c.id, status, note });
  }

  async function end(ana: Person, everyone: Person[]) {
    await accepted(ana, "meeting.end");
    await Promise.all(everyone.map((p) => p.leave()));
    await noMeetingRuns();
  }

  it("tells the history of two and three meetings, each member's commitments, and plans the next", async () => {
    // Meeting one: Ben makes two commitments, Chloé one.
    {
      const { people, everyone, ana } = await meeting(["ana", "ben", "chloe"]);
      await accepted(ana, "phase.next");
      expect(ana.state().phase).toBe("choosing");
      await round(ana, people.ben!, ["Draft the leveling chart", "Book a skip-level"]);
      await round(ana, people.chloe!, ["Write the on-call rota"]);
      await end(ana, everyone);
    }
    const afterOne = await summary(keys.ben);
    expect(afterOne).toMatchObject({ meetings: 1, openCommitments: 3, meetingNow: false });
    expect(afterOne.history).toEqual([
      {
        startedAt: expect.any(Number),
        endedAt: expect.any(Number),
        ...{ members: 3, rounds: 2, made: 3, done: 0, partly: 0, notDone: 0 },
      },
    ]);
    expect(afterOne.roster.map((r: { name: string }) => r.name)).toEqual(["Ana", "Ben", "Chloé"]);
    const ids = Object.fromEntries(
      afterOne.roster.map((r: { memberId: string; name: string }) => [r.name, r.memberId]),
    ) as Record<"Ana" | "Ben" | "Chloé", string>;
    expect(afterOne.you).toEqual({ memberId: ids.Ben, facilitator: false });
    const bensFirst = await commitments(keys.ben);
    expect(bensFirst.map((c: { text: string }) => c.text)).toEqual([
      "Book a skip-level",
      "Draft the leveling chart",
    ]);
    expect(bensFirst.every((c: any) => c.status === "open" && c.followUps.length === 0)).toBe(true);
    expect(await commitments(keys.ana)).toEqual([]);

    // Planning: only the facilitator key; the next meeting runs on the table's timeboxes.
    const nextMeetingAt = Date.now() + 7 * 24 * 3_600_000;
    const planned = {
      timeboxes: { presentingMin: 15, turnMin: 3 },
      nextMeetingAt,
      nextPresenters: [ids.Chloé, ids.Ben],
    };
    expect((await plan(keys.ben, planned)).status).toBe(403);
    expect((await plan(table.facilitatorKey, { nextPresenters: ["nobody"] })).status).toBe(400);
    const answer = await plan(table.facilitatorKey, planned);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ...planned,
      timeboxes: { presentingMin: 15, turnMin: 3, questionsMin: 10 },
      you: { facilitator: true },
    });
    expect(await summary(keys.chloe)).toMatchObject(planned);

    // Meeting two: follow-ups on every commitment, one more commitment by Ben.
    {
      const { people, everyone, ana } = await meeting(["ana", "ben", "chloe"]);
      expect(ana.state().turnMs).toBe(3 * 60_000);
      // The plan reaches the meeting: Chloé, then Ben, as the suggested presenters.
      expect(ana.state().nextPresenters).toEqual([ids.Chloé, ids.Ben]);
      await accepted(ana, "phase.next");
      expect(ana.state().phase).toBe("followUp");
      await report(ana, people.ben!, "Draft the leveling chart", "done", "Shared it");
      await report(ana, people.ben!, "Book a skip-level", "partly", "Booked, not held");
      await report(ana, people.chloe!, "Write the on-call rota", "not_done");
      await accepted(ana, "phase.next");
      const before = Date.now();
      await accepted(ana, "presenter.choose", { memberId: people.ben!.memberId });
      // The presenter speaks for the table's 15 minutes, not the default 10.
      expect(ana.state().phaseEndsAt).toBeGreaterThanOrEqual(before + 15 * 60_000);
      expect(ana.state().phaseEndsAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
      for (let i = 0; i < 3; i++) await accepted(ana, "phase.next");
      await accepted(people.ben!, "commitment.add", { text: "Pair with the new lead" });
      await until("Ben's new commitment", () =>
        ana.state().commitments.some((c: { text: string }) => c.text === "Pair with the new lead"),
      );
      await end(ana, everyone);
    }
    const afterTwo = await summary(table.facilitatorKey);
    expect(afterTwo).toMatchObject({ meetings: 2, openCommitments: 3 });
    expect(afterTwo.history).toHaveLength(2);
    expect(afterTwo.history[1]).toMatchObject({
      ...{ members: 3, rounds: 1, made: 1, done: 1, partly: 1, notDone: 1 },
    });
    expect(afterTwo.history[0].endedAt).toBeLessThanOrEqual(afterTwo.history[1].startedAt);
    // The plan moves on: Ben presented, so Chloé alone is planned; the date stays until changed.
    expect(afterTwo).toMatchObject({ ...planned, nextPresenters: [ids.Chloé] });

    // Meeting three, without Chloé: Ben closes the skip-level and reports on his new one.
    {
      const { people, everyone, ana } = await meeting(["ana", "ben"]);
      await accepted(ana, "phase.next");
      expect(ana.state().phase).toBe("followUp");
      expect(ana.state().absentCommitments).toBe(1);
      await report(ana, people.ben!, "Book a skip-level", "done", "Held it");
      await report(ana, people.ben!, "Pair with the new lead", "partly");
      await end(ana, everyone);
    }
    const afterThree = await summary(keys.chloe);
    expect(afterThree).toMatchObject({ meetings: 3, openCommitments: 2 });
    expect(
      afterThree.history.map((h: any) => [
        h.members,
        h.rounds,
        h.made,
        h.done,
        h.partly,
        h.notDone,
      ]),
    ).toEqual([
      [3, 2, 3, 0, 0, 0],
      [3, 1, 1, 1, 1, 1],
      [2, 0, 0, 1, 1, 0],
    ]);

    // Each member reads their own commitments, newest first, with every answer oldest first.
    const bens = await commitments(keys.ben);
    expect(
      bens.map((c: any) => ({
        text: c.text,
        status: c.status,
        closed: c.closed,
        followUps: c.followUps.map((f: { status: string; note: string }) => [f.status, f.note]),
      })),
    ).toEqual([
      {
        text: "Pair with the new lead",
        status: "partly",
        closed: false,
        followUps: [["partly", ""]],
      },
      {
        text: "Book a skip-level",
        status: "done",
        closed: true,
        followUps: [
          ["partly", "Booked, not held"],
          ["done", "Held it"],
        ],
      },
      {
        text: "Draft the leveling chart",
        status: "done",
        closed: true,
        followUps: [["done", "Shared it"]],
      },
    ]);
    for (const c of bens) {
      const times = c.followUps.map((f: { reportedAt: number }) => f.reportedAt);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times.every((t: number) => t >= c.createdAt)).toBe(true);
    }
    expect(await commitments(keys.chloe)).toMatchObject([
      {
        text: "Write the on-call rota",
        status: "not_done",
        closed: false,
        followUps: [{ status: "not_done", note: "" }],
      },
    ]);
    // Nobody reads another's commitments: a key reads its own member id's.
    expect(await commitments(table.facilitatorKey)).toEqual([]);
  });
});

describe("whether a meeting runs now, with several processes", () => {
  let redis: TestRedis | undefined;
  let postgres: TestPostgres | undefined;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      servers.push(
        await startServerProcess({
          PORT: String(port),
          REDIS_URL: redis.url,
          DATABASE_URL: postgres.url,
          PUBLIC_ADDRESS: `127.0.0.1:${port}`,
        }),
      );
    }
  }, 90_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await postgres?.stop();
    await redis?.stop();
  });

  /** What each process says of the table's meeting. */
  async function meetingNow(table: { tableId: string; facilitatorKey: string }) {
    return Promise.all(
      servers.map(async (server) => {
        const res = await fetch(`${server.url}/api/tables/${table.tableId}`, {
          headers: { authorization: `Bearer ${table.facilitatorKey}` },
        });
        return (await res.json()).meetingNow as boolean;
      }),
    );
  }

  it("is known to every process, wherever the room runs", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const table = await createTable(a.url, "Spread circle");
    expect(await meetingNow(table)).toEqual([false, false]);
    const ana = await join(b.url, table.tableId, "Ana", { facilitatorKey: table.facilitatorKey });
    expect(await meetingNow(table)).toEqual([true, true]);
    await ana.leave();
    // The empty room closes on its process; every process hears of it from the listing.
    await until("the room to close", async () => !(await meetingNow(table)).some(Boolean), 10_000);
  }, 30_000);
});
