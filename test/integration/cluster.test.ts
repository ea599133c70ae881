// Beyond one process: three real server processes on Colyseus' Redis presence and driver, sharing
// one PostgreSQL, and the failure drills of issue 7. Everything runs on loopback: redis-server from
// Debian, a throwaway PostgreSQL cluster, the servers spawned as `node --import tsx
// server/main.ts`, and real `@colyseus/sdk` clients. Colyseus routes each member's WebSocket to
// the process that holds the room (its PUBLIC_ADDRESS), whichever process answered the join.
import { createServer as createNetServer, connect, type Server, type Socket } from "node:net";
import type { Room } from "@colyseus/sdk";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import { startRedis, type TestRedis } from "../support/redis.ts";
import {
  createTable,
  dropConnection,
  freePort,
  join as joinThrough,
  settle,
  until,
  type Person,
  tableSummary,
} from "../support/server.ts";

let redis: TestRedis;
let postgres: TestPostgres;
let storage: LatencyProxy;
let inspector: Redis;
const servers: ServerProcess[] = [];
const rooms: Room[] = [];
const timings: Record<string, string> = {};
let failed = false;

/** Joins through one process's HTTP address, and remembers the client so afterAll closes it. */
async function join(
  server: ServerProcess,
  tableId: string,
  name: string,
  extra: { facilitatorKey?: string; memberKey?: string } = {},
): Promise<Person> {
  const person = await joinThrough(server.url, tableId, name, extra);
  rooms.push(person.room);
  // As the app does: reconnect even when the drop comes right after joining.
  person.room.reconnection.minUptime = 0;
  return person;
}

/** The server process that holds a client's room: the one its WebSocket is connected to. */
function hostOf(room: Room): ServerProcess {
  const port = Number(new URL(room.connection.url ?? "").port);
  const host = servers.find((s) => s?.port === port);
  if (!host) throw new Error(`no server on port ${port} (${room.connection.url})`);
  return host;
}

/** The room listings matchmaking holds in Redis for a table (live rooms, any process). */
async function listingsFor(tableId: string): Promise<{ roomId: string; locked: boolean }[]> {
  const all = await inspector.hgetall("roomcaches");
  return Object.values(all)
    .map((json) => JSON.parse(json) as { roomId: string; locked: boolean; metadata?: any })
    .filter((room) => room.metadata?.tableId === tableId);
}

/**
 * Waits until a member's view of the meeting matches `expected` (a partial state). A state patch
 * can trail the ping that `send` waits for by a clock tick on a busy machine.
 */
async function sees(person: Person, expected: Record<string, unknown>): Promise<void> {
  const matches = () => {
    try {
      expect(person.state()).toMatchObject(expected);
      return true;
    } catch {
      return false;
    }
  };
  await until(`${person.name} sees ${JSON.stringify(expected)}`, matches).catch(() => {
    expect(person.state()).toMatchObject(expected); // fails with the difference
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  redis = await startRedis();
  postgres = await startPostgres();
  // The servers reach PostgreSQL through a proxy that can make storage slow on demand.
  storage = await latencyProxy(Number(new URL(postgres.url).port));
  const databaseUrl = postgres.url.replace(/:\d+\//, `:${storage.port}/`);
  inspector = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  inspector.on("error", () => {}); // the Redis drill restarts it under us
  process.once("exit", killServers);
  await Promise.all(
    [0, 1, 2].map(async (i) => {
      const port = await freePort();
      servers[i] = await startServerProcess({
        PORT: String(port),
        REDIS_URL: redis.url,
        DATABASE_URL: databaseUrl,
        PUBLIC_ADDRESS: `127.0.0.1:${port}`,
      });
    }),
  );
}, 90_000);

/** Should the test process die first, its servers go with it. */
function killServers(): void {
  for (const server of servers) server?.child.kill("SIGKILL");
}

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    failed = true;
  });
});

afterAll(async () => {
  for (const room of rooms) {
    room.reconnection.enabled = false;
    try {
      room.connection.close();
    } catch {
      // already closed
    }
  }
  if (failed) {
    for (const [i, server] of servers.entries()) {
      console.log(
        `server ${i} (port ${server?.port}), its last output:\n${server?.output().slice(-4000)}`,
      );
    }
  }
  await Promise.all(servers.map((s) => s?.kill().catch(() => {})));
  process.off("exit", killServers);
  inspector?.disconnect();
  await storage?.close();
  await postgres?.stop();
  await redis?.stop();
  if (Object.keys(timings).length > 0) console.log("cluster drill timings:", timings);
}, 60_000);

describe("Roundtable on three processes, Redis and PostgreSQL", () => {
  it("seats simultaneous joins for one table through three processes in one room, even when storage is slow", async () => {
    // 400 ms per statement: creating a room then takes longer than Colyseus' own wait for a
    // concurrent creator (0.5–1.1 s), so uniqueness cannot rest on timing.
    const tables = await Promise.all([0, 1, 2].map(() => createTable(servers[0]!.url)));
    storage.setDelay(400);
    const started = Date.now();
    try {
      await Promise.all(
        tables.map(async (table, t) => {
          const people = await Promise.all(
            Array.from({ length: 12 }, (_, i) =>
              join(servers[(i + t) % 3]!, table.tableId, `Burst ${t}-${i}`),
            ),
          );
          const roomIds = new Set(people.map((p) => p.room.roomId));
          expect(roomIds.size, `rooms for table ${t}`).toBe(1);
          expect(await listingsFor(table.tableId)).toHaveLength(1);
          const memberIds = new Set(people.map((p) => p.memberId));
          expect(memberIds.size).toBe(12);
          for (const p of people) await p.leave();
        }),
      );
    } finally {
      storage.setDelay(0);
    }
    timings["36 simultaneous joins (3 tables x 12, slow storage)"] = seconds(Date.now() - started);
  });

  it("runs a whole meeting in a room on one process for members who joined through the others", async () => {
    const table = await createTable(servers[1]!.url, "Cross-process circle");
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const ana = await join(a, table.tableId, "Ana", { facilitatorKey: table.facilitatorKey });
    const ben = await join(b, table.tableId, "Ben");
    const chloe = await join(c, table.tableId, "Chloé");
    const dev = await join(a, table.tableId, "Dev");
    const everyone = [ana, ben, chloe, dev];
    const via = [a, b, c, a];

    const host = hostOf(ana.room);
    expect(everyone.every((p) => p.room.roomId === ana.room.roomId)).toBe(true);
    expect(everyone.every((p) => hostOf(p.room) === host)).toBe(true);
    // At least two members joined through a process that does not hold the room.
    expect(via.filter((s) => s !== host).length).toBeGreaterThanOrEqual(2);

    for (const p of everyone) expect(await p.send("confidentiality.agree")).toBeUndefined();
    expect(await ana.send("meeting.start")).toBeUndefined();
    for (const [p, word] of [
      [ana, "Curious"],
      [ben, "Tired"],
      [chloe, "Hopeful"],
      [dev, "Focused"],
    ] as const) {
      expect(await p.send("checkin.word", { word })).toBeUndefined();
    }
    await settle(dev.room);
    await sees(dev, { members: { [ben.memberId]: { checkinWord: "Tired" } } });
    expect(await ana.send("phase.next")).toBeUndefined();
    await sees(ana, { phase: "choosing" }); // nothing to follow up on at a first meeting

    expect(await ben.send("presenter.volunteer")).toBeUndefined();
    expect(await ana.send("presenter.choose", { memberId: ben.memberId })).toBeUndefined();
    expect(await ana.send("phase.next")).toBeUndefined();
    for (const p of everyone) await sees(p, { phase: "questions", presenterId: ben.memberId });

    expect(
      await chloe.send("question.ask", { text: "How have you handled this before?" }),
    ).toBeUndefined();
    expect(
      await dev.send("question.ask", { text: "What would change your mind?" }),
    ).toBeUndefined();
    expect(await ben.send("floor.give")).toBeUndefined();
    await sees(chloe, { floorId: chloe.memberId });
    expect(await chloe.send("floor.yield")).toBeUndefined();
    await sees(ana, { floorId: "" });
    const second = ana.state().questions[1];
    // Dev asks it (only a voiced question can be marked answered), and Ben marks it answered.
    expect(await ben.send("floor.give")).toBeUndefined();
    await sees(ana, { floorId: dev.memberId });
    expect(await ben.send("question.answered", { questionId: second.id })).toBeUndefined();

    expect(await ana.send("phase.next")).toBeUndefined();
    await sees(ana, { phase: "experiences" });
    expect(await dev.send("hand.raise")).toBeUndefined();
    expect(await chloe.send("hand.raise")).toBeUndefined();
    await sees(ana, { hands: [dev.memberId, chloe.memberId] });
    expect(await ana.send("floor.give")).toBeUndefined();
    await sees(dev, { floorId: dev.memberId });
    expect(await dev.send("floor.yield")).toBeUndefined();

    expect(await ana.send("phase.next")).toBeUndefined();
    await sees(ben, { phase: "commitment" });
    expect(await ben.send("commitment.add", { text: "Draft the leveling chart" })).toBeUndefined();
    expect(await ben.send("commitment.add", { text: "Talk to HR about bands" })).toBeUndefined();
    for (const p of everyone) {
      await until(`${p.name} sees two commitments`, () => p.state().commitments.length === 2);
    }
    expect(await ana.send("phase.next")).toBeUndefined();
    await sees(ana, { phase: "choosing" });

    expect(await ana.send("pulse.open")).toBeUndefined();
    for (const [p, score] of [
      [ben, 4],
      [chloe, 5],
      [dev, 3],
    ] as const) {
      expect(await p.send("pulse.answer", { score })).toBeUndefined();
    }
    expect(await ana.send("pulse.close")).toBeUndefined();
    for (const p of everyone) {
      await sees(p, {
        pulse: { status: "revealed", answered: 3, counts: [0, 0, 0, 0, 0], mean: 4 },
      });
    }

    expect(await ana.send("phase.next")).toBeUndefined();
    await sees(ana, { phase: "closing" });
    expect(await chloe.send("checkin.word", { word: "Grateful" })).toBeUndefined();
    expect(await ana.send("meeting.end")).toBeUndefined();
    for (const p of everyone) await sees(p, { phase: "ended" });

    // Storage is shared: any process answers for the table.
    const summary = await tableSummary(c.url, table.tableId, table.facilitatorKey);
    expect(summary).toMatchObject({ openCommitments: 2, meetings: 1 });
    expect(summary.trust).toHaveLength(1);

    // An ended meeting takes no new joins: the next join, through any process, starts a new one.
    const eve = await join(b, table.tableId, "Eve");
    expect(eve.room.roomId).not.toBe(ana.room.roomId);
    await sees(eve, { phase: "lobby" });
    for (const p of [...everyone, eve]) await p.leave();
  });

  it("gives 200 members their seats back after they all drop at once, without duplicates", async () => {
    const quiet = vi.spyOn(console, "info").mockImplementation(() => {});
    try {
      const tables = await Promise.all(
        Array.from({ length: 20 }, (_, t) => createTable(servers[t % 3]!.url, `Storm ${t}`)),
      );
      const joinStarted = Date.now();
      const groups: Person[][] = [];
      // Five tables at a time, each table's ten members at once, through all three processes.
      for (let batch = 0; batch < tables.length; batch += 5) {
        const joined = await Promise.all(
          tables.slice(batch, batch + 5).map((table, k) =>
            Promise.all(
              Array.from({ length: 10 }, (_, i) =>
                join(servers[(batch + k + i) % 3]!, table.tableId, `Storm ${batch + k}-${i}`, {
                  memberKey: `storm-${batch + k}-${i}-member-key-0123456789`,
                }),
              ),
            ),
          ),
        );
        groups.push(...joined);
      }
      timings["200 members joined (20 tables x 10)"] = seconds(Date.now() - joinStarted);
      await Promise.all(groups.flat().map((p) => p.send("confidentiality.agree")));
      const before = groups.map((people) => ({
        roomId: people[0]!.room.roomId,
        memberIds: people.map((p) => p.memberId).sort(),
      }));
      for (const [t, people] of groups.entries()) {
        expect(new Set(people.map((p) => p.room.roomId)).size, `table ${t}`).toBe(1);
        await until(`table ${t} has ten members`, () => {
          const members = Object.values(people[0]!.state().members) as { connected: boolean }[];
          return members.length === 10 && members.every((m) => m.connected);
        });
      }

      // Everyone drops within the same second. Half the tables come back through the SDK's own
      // reconnection (same session); the other half join afresh with the same member key.
      const reconnected = new Set<Room>();
      const after: Person[][] = groups.map((people) => [...people]);
      const dropped = Date.now();
      const comebacks: Promise<unknown>[] = [];
      for (const [t, people] of groups.entries()) {
        for (const [i, p] of people.entries()) {
          if (t % 2 === 0) {
            p.room.onReconnect(() => reconnected.add(p.room));
            dropConnection(p.room);
          } else {
            p.room.reconnection.enabled = false;
            dropConnection(p.room);
            comebacks.push(
              join(servers[(t + i + 1) % 3]!, tables[t]!.tableId, p.name, {
                memberKey: p.memberKey,
              }).then((fresh) => {
                after[t]![i] = fresh;
              }),
            );
          }
        }
      }
      const dropTook = Date.now() - dropped;
      expect(dropTook).toBeLessThan(1000);
      await withTimeout("fresh joins after the drop", Promise.all(comebacks), 60_000);
      await until("every SDK reconnection", () => reconnected.size === 100, 60_000);
      timings["200 members back after dropping together"] = seconds(Date.now() - dropped);

      for (const [t, people] of after.entries()) {
        const { roomId, memberIds } = before[t]!;
        expect(new Set(people.map((p) => p.room.roomId)), `table ${t}`).toEqual(new Set([roomId]));
        expect(people.map((p) => p.memberId).sort()).toEqual(memberIds);
        for (const p of people) {
          await until(
            `table ${t}: ${p.name} sees ten connected members`,
            () => {
              const members = p.state().members as Record<string, { connected: boolean }>;
              return (
                Object.keys(members).sort().join() === memberIds.join() &&
                Object.values(members).every((m) => m.connected)
              );
            },
            20_000,
          );
        }
        expect(await listingsFor(tables[t]!.tableId)).toHaveLength(1);
      }
      // Leave quietly: the fresh half's old rooms were closed by the server already.
      await Promise.all(after.flat().map((p) => p.leave()));
    } finally {
      quiet.mockRestore();
    }
  }, 180_000);

  it("recovers from a Redis restart without restarting a process; joins work once Redis is back", async () => {
    const table = await createTable(servers[0]!.url, "Redis restart circle");
    const ana = await join(servers[0]!, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(servers[1]!, table.tableId, "Ben");
    for (const p of [ana, ben]) expect(await p.send("confidentiality.agree")).toBeUndefined();
    const pids = servers.map((s) => s.child.pid);

    await redis.kill();
    await new Promise((r) => setTimeout(r, 1_000));
    // The meeting itself does not need Redis: members on their process carry on.
    expect(await ana.send("meeting.start")).toBeUndefined();
    await redis.start();
    const back = Date.now();

    // Poll: a member joins the same table through each process in turn, until one gets in.
    let chloe: Person | undefined;
    let attempts = 0;
    const pending: Promise<unknown>[] = [];
    while (!chloe && Date.now() - back < 30_000) {
      const server = servers[attempts++ % 3]!;
      const attempt = join(server, table.tableId, "Chloé", {
        memberKey: "chloe-redis-restart-key-0123",
      });
      pending.push(attempt.catch(() => undefined));
      chloe = await withTimeout("join after the Redis restart", attempt, 5_000).catch(
        () => undefined,
      );
      if (!chloe) await new Promise((r) => setTimeout(r, 200));
    }
    expect(chloe, "a join succeeded within 30 s of Redis coming back").toBeDefined();
    timings["Redis back -> first join works"] = seconds(Date.now() - back);
    timings["join attempts until then"] = String(attempts);
    // The table's live room was listed again: Chloé is in Ana and Ben's meeting, not a new one.
    expect(chloe!.room.roomId).toBe(ana.room.roomId);
    expect(await listingsFor(table.tableId)).toHaveLength(1);

    // Every process serves new joins again, new tables included (new rooms wait out the few
    // seconds in which the processes list their rooms again), and none of them was restarted.
    for (const server of servers) {
      const fresh = await createTable(server.url, "After the restart");
      const person = await withTimeout(
        `a new table through ${server.port}`,
        join(server, fresh.tableId, "Dana"),
        15_000,
      );
      timings[`Redis back -> new table joined through process ${servers.indexOf(server)}`] =
        seconds(Date.now() - back);
      await person.leave();
    }
    expect(servers.map((s) => s.child.pid)).toEqual(pids);
    expect(servers.every((s) => s.child.exitCode === null && s.child.signalCode === null)).toBe(
      true,
    );
    expect(await chloe!.send("confidentiality.agree")).toBeUndefined();
    expect(await chloe!.send("checkin.word", { word: "Steady" })).toBeUndefined();
    await sees(ana, { members: { [chloe!.memberId]: { checkinWord: "Steady" } } });
    await Promise.allSettled(pending);
    for (const p of [ana, ben, chloe!]) await p.leave();
  }, 90_000);

  it("shows members an interrupted meeting when its process is killed, and the rejoined meeting follows up every commitment", async () => {
    const quiet = vi.spyOn(console, "info").mockImplementation(() => {});
    try {
      const table = await createTable(servers[2]!.url, "Kill drill circle");
      const keys = {
        ana: "ana-kill-drill-member-key-01",
        ben: "ben-kill-drill-member-key-01",
        chloe: "chloe-kill-drill-member-key",
        dev: "dev-kill-drill-member-key-01",
      };
      const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
      const ana = await join(a, table.tableId, "Ana", {
        facilitatorKey: table.facilitatorKey,
        memberKey: keys.ana,
      });
      const ben = await join(b, table.tableId, "Ben", { memberKey: keys.ben });
      const chloe = await join(c, table.tableId, "Chloé", { memberKey: keys.chloe });
      const dev = await join(a, table.tableId, "Dev", { memberKey: keys.dev });
      const everyone = [ana, ben, chloe, dev];
      for (const p of everyone) expect(await p.send("confidentiality.agree")).toBeUndefined();
      expect(await ana.send("meeting.start")).toBeUndefined();
      expect(await ana.send("phase.next")).toBeUndefined();
      await sees(ana, { phase: "choosing" });
      expect(await ana.send("presenter.choose", { memberId: ben.memberId })).toBeUndefined();
      for (const phase of ["questions", "experiences", "commitment"]) {
        expect(await ana.send("phase.next")).toBeUndefined();
        await sees(ana, { phase });
      }
      const promises = ["Draft the leveling chart", "Talk to HR about bands"];
      for (const text of promises) {
        expect(await ben.send("commitment.add", { text })).toBeUndefined();
      }
      await until("Ana sees both commitments", () => ana.state().commitments.length === 2);

      // What each member's SDK reports when the room's process dies.
      const seen = new Map<Person, { drop?: number; leave?: number; reason?: string }>();
      for (const p of everyone) {
        seen.set(p, {});
        Object.assign(p.room.reconnection, { maxRetries: 2, delay: 100, minDelay: 100 });
        p.room.onDrop((code) => (seen.get(p)!.drop = code));
        p.room.onLeave((code, reason) => Object.assign(seen.get(p)!, { leave: code, reason }));
      }
      const host = hostOf(ana.room);
      const survivors = servers.filter((s) => s !== host);
      const oldRoomId = ana.room.roomId;
      await host.kill();
      const killed = Date.now();

      await until(
        "every member's SDK gave up on the dead room",
        () => everyone.every((p) => seen.get(p)!.leave !== undefined),
        15_000,
      );
      timings["kill -> every SDK reports the room gone"] = seconds(Date.now() - killed);
      for (const p of everyone) {
        // onDrop 1006 (abnormal closure), then onLeave 4003 (reconnection failed): the app shows
        // "the meeting was interrupted — rejoin".
        expect(seen.get(p)).toMatchObject({ drop: 1006, leave: 4003 });
      }

      // Rejoining: everyone at once, through the surviving processes.
      const rejoinStarted = Date.now();
      const [ana2, ben2, chloe2, dev2] = await withTimeout(
        "rejoining after the kill",
        Promise.all([
          join(survivors[0]!, table.tableId, "Ana", {
            facilitatorKey: table.facilitatorKey,
            memberKey: keys.ana,
          }),
          join(survivors[1]!, table.tableId, "Ben", { memberKey: keys.ben }),
          join(survivors[0]!, table.tableId, "Chloé", { memberKey: keys.chloe }),
          join(survivors[1]!, table.tableId, "Dev", { memberKey: keys.dev }),
        ]),
        45_000,
      );
      timings["kill -> rejoined (4 members at once)"] = seconds(Date.now() - killed);
      timings["rejoin call itself"] = seconds(Date.now() - rejoinStarted);
      const again = [ana2!, ben2!, chloe2!, dev2!];
      expect(new Set(again.map((p) => p.room.roomId)).size).toBe(1);
      expect(ana2!.room.roomId).not.toBe(oldRoomId);
      expect(survivors).toContain(hostOf(ana2!.room));
      expect(again.map((p) => p.memberId)).toEqual(everyone.map((p) => p.memberId));
      expect(await listingsFor(table.tableId)).toHaveLength(1);

      for (const p of again) expect(await p.send("confidentiality.agree")).toBeUndefined();
      expect(await ana2!.send("meeting.start")).toBeUndefined();
      expect(await ana2!.send("phase.next")).toBeUndefined();
      await sees(ana2!, { phase: "followUp" });
      const review = ana2!.state().commitments as {
        id: string;
        ownerId: string;
        text: string;
        status: string;
      }[];
      expect(review.map((r) => r.text).sort()).toEqual([...promises].sort());
      expect(review.every((r) => r.ownerId === ben.memberId && r.status === "open")).toBe(true);
      expect(
        await ben2!.send("followup.report", { commitmentId: review[0]!.id, status: "done" }),
      ).toBeUndefined();
      expect(await ana2!.send("meeting.end")).toBeUndefined();
      for (const p of again) await p.leave();
    } finally {
      quiet.mockRestore();
    }
  }, 120_000);
});

interface LatencyProxy {
  port: number;
  /** Delay, in ms, added to every chunk sent towards the target (order is kept). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy that can add latency to requests: slow storage on demand. */
async function latencyProxy(targetPort: number): Promise<LatencyProxy> {
  let delay = 0;
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((down) => {
    const up = connect({ host: "127.0.0.1", port: targetPort });
    sockets.add(down).add(up);
    // Chunks go out one after the other, each no sooner than `delay` after it arrived.
    let queue = Promise.resolve();
    down.on("data", (chunk) => {
      const due = Date.now() + delay;
      queue = queue.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        up.write(chunk);
      });
    });
    up.on("data", (chunk) => down.write(chunk));
    const close = () => {
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    down.on("close", close).on("error", close);
    up.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    setDelay: (ms) => (delay = ms),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
