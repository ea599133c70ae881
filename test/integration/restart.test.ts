// A meeting whose process dies is recorded as interrupted when a lone server starts again on the
// same storage, instead of staying open forever; with REDIS_URL set (several processes, one of
// which may still run it) it is left alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import { startRedis, type TestRedis } from "../support/redis.ts";
import { createTable, join, until } from "../support/server.ts";

describe("a meeting whose process died", () => {
  let dir: string;
  const running: ServerProcess[] = [];
  let redis: TestRedis | undefined;

  beforeAll(() => {
    dir = mkdtempSync(joinPath(tmpdir(), "roundtable-restart-"));
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServerProcess(env);
    running.push(server);
    return server;
  }

  /** The meetings stored in the SQLite file, read directly. */
  async function meetings(db: string) {
    const client = createClient({ url: pathToFileURL(db).href });
    try {
      const { rows } = await client.execute("SELECT ended_at, interrupted FROM meetings");
      return rows.map((r) => ({ endedAt: r.ended_at, interrupted: Boolean(r.interrupted) }));
    } finally {
      client.close();
    }
  }

  /** Starts a meeting on a fresh server, then kills the process (SIGKILL: no shutdown hooks). */
  async function meetingKilledMidway(db: string, env: Record<string, string> = {}) {
    const first = await start({ DATABASE_URL: db, ...env });
    const table = await createTable(first.url, "Crash circle");
    const ana = await join(first.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(first.url, table.tableId, "Ben");
    for (const p of [ana, ben]) expect(await p.send("confidentiality.agree")).toBeUndefined();
    expect(await ana.send("meeting.start")).toBeUndefined();
    await until("the meeting is under way", () => ana.state().phase === "checkIn");
    for (const p of [ana, ben]) p.room.reconnection.enabled = false;
    await first.kill();
    running.splice(running.indexOf(first), 1);
    const before = await meetings(db);
    expect(before).toEqual([{ endedAt: null, interrupted: false }]);
  }

  it("is recorded as interrupted when a lone server starts again", async () => {
    const db = joinPath(dir, "alone.db");
    await meetingKilledMidway(db);
    const startedAgain = Date.now();
    const second = await start({ DATABASE_URL: db });
    expect(second.output()).toMatch(/1 meeting\(s\) left open by an earlier run, now interrupted/);
    await second.stop();
    running.splice(running.indexOf(second), 1);
    const [meeting] = await meetings(db);
    expect(meeting?.interrupted).toBe(true);
    expect(Number(meeting?.endedAt)).toBeGreaterThanOrEqual(startedAgain);
    expect(Number(meeting?.endedAt)).toBeLessThanOrEqual(Date.now());
  }, 90_000);

  it("is left alone by a server that runs with others on Redis", async () => {
    redis = await startRedis();
    const db = joinPath(dir, "cluster.db");
    await meetingKilledMidway(db);
    const second = await start({ DATABASE_URL: db, REDIS_URL: redis.url });
    expect(second.output()).not.toMatch(/interrupted/);
    await second.stop();
    running.splice(running.indexOf(second), 1);
    expect(await meetings(db)).toEqual([{ endedAt: null, interrupted: false }]);
  }, 90_000);
});
