// The HTTP API of PROTOCOL.md (version 2: admission and format, the summary behind a key), the
// headers every response carries, CORS under the allow-list, per-address rate limits, the
// WebSocket's limits (Origin allow-list, payload size), the room's timers on its injected clock,
// and how fast a patch reaches another member.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Client, type Room } from "@colyseus/sdk";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE_NAME_MAX } from "../../shared/index.ts";
import { memberIdFor } from "../../server/keys.ts";
import {
  createTable,
  join,
  settle,
  startTestServer,
  until,
  type Person,
  type TestServer,
} from "../support/server.ts";

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

/** Checks an HTTP error answer: a 4xx status with `{ error: { code, message } }`, and no more. */
async function expectJsonError(
  res: Response,
  status: number,
): Promise<{ code: string; message: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const text = await res.text();
  expect(text).not.toMatch(/<html|<pre|\bat [\w.<>]+ \(|node_modules|\.ts:\d+/i);
  const body = JSON.parse(text);
  expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  expect(body.error.code).toMatch(/^[a-z_]+$/);
  expect(body.error.message.length).toBeGreaterThan(5);
  return body.error;
}

describe("the HTTP API", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (body: string, type = "application/json") =>
    fetch(`${server.url}/api/tables`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });

  it("creates a table: 201 with an unguessable id and key, and the table's link", async () => {
    const res = await post(JSON.stringify({ name: "Engineering managers' circle" }));
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(["facilitatorKey", "link", "tableId"]);
    // base64url: 6 bits a character, so at least 16 characters carry 96 bits.
    expect(body.tableId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(body.facilitatorKey).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(body.link).toBe(`/t/${body.tableId}`);
    expect(body.facilitatorKey).not.toBe(body.tableId);

    const many = await Promise.all(
      Array.from({ length: 20 }, () => createTable(server.url, "Another circle")),
    );
    const ids = new Set(many.map((t) => t.tableId));
    const keys = new Set(many.map((t) => t.facilitatorKey));
    expect(ids.size).toBe(20);
    expect(keys.size).toBe(20);
    // The bytes behind them look random: every character of the alphabet turns up somewhere.
    const chars = new Set([...many.map((t) => t.tableId + t.facilitatorKey).join("")]);
    expect(chars.size).toBeGreaterThan(50);
  });

  it("accepts names of 1 to 80 characters", async () => {
    for (const name of ["A", "x".repeat(TABLE_NAME_MAX), "Cercle des managers — Lyon"]) {
      const res = await post(JSON.stringify({ name }));
      expect(res.status).toBe(201);
      const { tableId } = await res.json();
      const table = await (await fetch(`${server.url}/api/tables/${tableId}`)).json();
      expect(table.name).toBe(name);
    }
  });

  it("answers bad input with a 4xx JSON error, never a stack trace or a page", async () => {
    await expectJsonError(await post('{"name": "Broken'), 400);
    await expectJsonError(await post("not json at all"), 400);
    await expectJsonError(await post(JSON.stringify({})), 400);
    await expectJsonError(await post(JSON.stringify({ name: "" })), 400);
    await expectJsonError(await post(JSON.stringify({ name: "   " })), 400);
    await expectJsonError(
      await post(JSON.stringify({ name: "x".repeat(TABLE_NAME_MAX + 1) })),
      400,
    );
    await expectJsonError(await post(JSON.stringify({ name: 42 })), 400);
    await expectJsonError(await post(JSON.stringify({ name: null })), 400);
    await expectJsonError(await post(JSON.stringify({ name: ["Circle"] })), 400);
    await expectJsonError(await post(JSON.stringify({ name: { first: "Circle" } })), 400);
    await expectJsonError(await post(JSON.stringify("Circle")), 400);
    await expectJsonError(await post(JSON.stringify(["Circle"])), 400);
    await expectJsonError(await post("null"), 400);
    await expectJsonError(await post(JSON.stringify({ name: "Circle" }), "text/plain"), 400);
    const big = await post(JSON.stringify({ name: "Circle", padding: "x".repeat(5000) }));
    expect(big.status).toBeGreaterThanOrEqual(400);
    expect(big.status).toBeLessThan(500);
    await expectJsonError(big, big.status);
  });

  it("describes a table, and answers 404 JSON for an unknown one", async () => {
    const { tableId, facilitatorKey } = await createTable(server.url, "Founders' forum");
    const res = await fetch(`${server.url}/api/tables/${tableId}`, {
      headers: { authorization: `Bearer ${facilitatorKey}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      tableId,
      name: "Founders' forum",
      openCommitments: 0,
      meetings: 0,
      trust: [],
      format: "roundtable",
      admission: "open",
      timeboxes: {
        ...{ presentingMin: 10, questionsMin: 10, experiencesMin: 20 },
        ...{ turnMin: 2, commitmentMin: 5, updateMin: 5 },
      },
      nextMeetingAt: null,
      nextPresenters: [],
      roster: [],
      history: [],
      meetingNow: false,
      you: { memberId: memberIdFor(tableId, facilitatorKey), facilitator: true },
    });
    const { code } = await expectJsonError(
      await fetch(`${server.url}/api/tables/no-such-table`),
      404,
    );
    expect(code).toBe("not_found");
    await expectJsonError(await fetch(`${server.url}/api/tables/${"x".repeat(5000)}`), 404);
  });

  it('stores admission and format, "members" and "roundtable" unless told', async () => {
    const made = async (body: object) => {
      const res = await post(JSON.stringify({ name: "Circle", ...body }));
      expect(res.status).toBe(201);
      const { tableId } = await res.json();
      const table = await server.storage.getTable(tableId);
      return { admission: table?.admission, format: table?.format };
    };
    expect(await made({})).toEqual({ admission: "members", format: "roundtable" });
    expect(await made({ admission: "open" })).toEqual({ admission: "open", format: "roundtable" });
    expect(await made({ format: "forum" })).toEqual({ admission: "members", format: "forum" });
    expect(await made({ admission: "members", format: "roundtable" })).toEqual({
      admission: "members",
      format: "roundtable",
    });
  });

  it("refuses an admission or a format it does not know, saying which", async () => {
    for (const [body, field] of [
      [{ admission: "everyone" }, "admission"],
      [{ admission: "Members" }, "admission"],
      [{ admission: 1 }, "admission"],
      [{ admission: null }, "admission"],
      [{ format: "townhall" }, "format"],
      [{ format: ["forum"] }, "format"],
      [{ format: "" }, "format"],
    ] as const) {
      const res = await post(JSON.stringify({ name: "Circle", ...body }));
      const error = await expectJsonError(res, 400);
      expect(error).toMatchObject({ code: "invalid", message: expect.stringContaining(field) });
    }
  });

  it("answers /healthz, and 404 JSON for an unknown API route", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    await expectJsonError(await fetch(`${server.url}/api/nothing-here`), 404);
    await expectJsonError(await fetch(`${server.url}/api`), 404);
    await expectJsonError(await fetch(`${server.url}/api/tables`), 404);
    await expectJsonError(await fetch(`${server.url}/api/tables/abc`, { method: "DELETE" }), 404);
  });
});

describe("a table's summary", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const summaryKeys = [
    ...["admission", "format", "history", "meetingNow", "meetings", "name", "nextMeetingAt"],
    ...["nextPresenters", "openCommitments", "roster", "tableId", "timeboxes", "trust", "you"],
  ];
  const read = (tableId: string, authorization?: string) =>
    fetch(`${server.url}/api/tables/${tableId}`, {
      headers: authorization === undefined ? {} : { authorization },
    });
  const admit = (tableId: string, memberKey: string, name: string) =>
    server.storage.admit({ tableId, memberId: memberIdFor(tableId, memberKey), name, at: 1 });

  it("shows only the id and the name without credentials", async () => {
    for (const admission of ["members", "open"] as const) {
      const { tableId } = await createTable(server.url, "Quiet circle", { admission });
      const res = await read(tableId);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ tableId, name: "Quiet circle" });
    }
  });

  it("shows the whole summary to the facilitator key and to a member on the roster", async () => {
    const { tableId, facilitatorKey } = await createTable(server.url, "Keyed circle", {
      admission: "members",
    });
    await server.storage.startMeeting({ id: "m-summary", tableId, startedAt: 1 });
    const anaKey = "ana-member-key-0123456789";
    await admit(tableId, anaKey, "Ana");
    for (const key of [facilitatorKey, anaKey]) {
      const res = await read(tableId, `Bearer ${key}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(Object.keys(body).sort()).toEqual(summaryKeys);
      expect(body).toMatchObject({ tableId, name: "Keyed circle", meetings: 1 });
      expect(body.roster).toEqual([{ memberId: memberIdFor(tableId, anaKey), name: "Ana" }]);
      expect(body.history).toEqual([
        {
          ...{ startedAt: 1, endedAt: null, members: 0, rounds: 0 },
          ...{ made: 0, done: 0, partly: 0, notDone: 0 },
        },
      ]);
      expect(body.you).toEqual({
        memberId: memberIdFor(tableId, key),
        facilitator: key === facilitatorKey,
      });
    }
    // The scheme is case-insensitive (RFC 9110).
    expect((await read(tableId, `bearer ${anaKey}`)).status).toBe(200);
  });

  it("refuses, 403, a key that is neither the facilitator's nor a rostered member's", async () => {
    const { tableId, facilitatorKey } = await createTable(server.url, "Guarded circle", {
      admission: "members",
    });
    const other = await createTable(server.url, "Another circle", { admission: "members" });
    const benKey = "ben-member-key-0123456789";
    const chloeKey = "chloe-member-key-012345678";
    await admit(tableId, benKey, "Ben");
    await server.storage.removeFromRoster({
      tableId,
      memberId: memberIdFor(tableId, benKey),
      at: 2,
    });
    // Chloé is on the other table's roster: a member id belongs to one table.
    await admit(other.tableId, chloeKey, "Chloé");
    for (const key of [
      benKey,
      chloeKey,
      other.facilitatorKey,
      "a-random-key-nobody-has-000",
      facilitatorKey.slice(0, -1),
      "x".repeat(512),
    ]) {
      const error = await expectJsonError(await read(tableId, `Bearer ${key}`), 403);
      expect(error.code).toBe("forbidden");
    }
    // Back on the roster, Ben reads it again.
    await admit(tableId, benKey, "Ben");
    expect((await read(tableId, `Bearer ${benKey}`)).status).toBe(200);
  });

  it("answers a malformed Authorization header with 401", async () => {
    const { tableId } = await createTable(server.url, "Strict circle");
    for (const header of [
      "",
      "Bearer",
      "Bearer ",
      "Bearer two words",
      "Basic dXNlcjpwYXNz",
      "Token abcdefghijklmnop",
      `Bearer ${"x".repeat(513)}`,
    ]) {
      const res = await read(tableId, header);
      const error = await expectJsonError(res, 401);
      expect(error.code).toBe("unauthorized");
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
    }
  });

  it("answers 404 for an unknown table, with or without a key", async () => {
    const { facilitatorKey } = await createTable(server.url);
    for (const authorization of [undefined, `Bearer ${facilitatorKey}`, "Bearer some-key-000000"]) {
      const error = await expectJsonError(await read("no-such-table", authorization), 404);
      expect(error.code).toBe("not_found");
    }
  });
});

describe("planning between meetings: PATCH /api/tables/:tableId", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const keys = { ana: "ana-member-key-0123456789", ben: "ben-member-key-0123456789" };
  const patch = (
    tableId: string,
    body: unknown,
    authorization?: string,
    type = "application/json",
  ) =>
    fetch(`${server.url}/api/tables/${tableId}`, {
      method: "PATCH",
      headers: { "content-type": type, ...(authorization ? { authorization } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  /** A members-only table with Ana and Ben on its roster. */
  async function rosteredTable() {
    const table = await createTable(server.url, "Planning circle", { admission: "members" });
    const ids = {
      ana: memberIdFor(table.tableId, keys.ana),
      ben: memberIdFor(table.tableId, keys.ben),
    };
    await server.storage.admit({ tableId: table.tableId, memberId: ids.ana, name: "Ana", at: 1 });
    await server.storage.admit({ tableId: table.tableId, memberId: ids.ben, name: "Ben", at: 2 });
    return { ...table, ids };
  }

  it("takes timeboxes (merged), the next meeting, its presenters and the format; answers the summary", async () => {
    const { tableId, facilitatorKey, ids } = await rosteredTable();
    const next = Date.now() + 7 * 24 * 3_600_000;
    const res = await patch(
      tableId,
      {
        timeboxes: { presentingMin: 15, turnMin: 3 },
        nextMeetingAt: next,
        nextPresenters: [ids.ben, ids.ana],
        format: "forum",
      },
      `Bearer ${facilitatorKey}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toMatchObject({
      tableId,
      format: "forum",
      admission: "members",
      timeboxes: {
        ...{ presentingMin: 15, questionsMin: 10, experiencesMin: 20 },
        ...{ turnMin: 3, commitmentMin: 5, updateMin: 5 },
      },
      nextMeetingAt: next,
      nextPresenters: [ids.ben, ids.ana],
      roster: [
        { memberId: ids.ana, name: "Ana" },
        { memberId: ids.ben, name: "Ben" },
      ],
      you: { memberId: memberIdFor(tableId, facilitatorKey), facilitator: true },
    });
    // A member reads the same plan.
    const read = await fetch(`${server.url}/api/tables/${tableId}`, {
      headers: { authorization: `Bearer ${keys.ana}` },
    });
    expect(await read.json()).toMatchObject({
      format: "forum",
      nextMeetingAt: next,
      nextPresenters: [ids.ben, ids.ana],
      timeboxes: { presentingMin: 15, turnMin: 3 },
      you: { memberId: ids.ana, facilitator: false },
    });
    // A later patch merges timeboxes and replaces the rest it names; null clears the date.
    const again = await patch(
      tableId,
      { timeboxes: { turnMin: 4 }, nextMeetingAt: null, nextPresenters: [ids.ana] },
      `Bearer ${facilitatorKey}`,
    );
    expect(await again.json()).toMatchObject({
      format: "forum",
      timeboxes: { presentingMin: 15, turnMin: 4 },
      nextMeetingAt: null,
      nextPresenters: [ids.ana],
    });
    expect(await server.storage.getTable(tableId)).toMatchObject({
      timeboxes: { presentingMin: 15, turnMin: 4 },
      nextMeetingAt: null,
      nextPresenters: [ids.ana],
      format: "forum",
    });
    // Someone taken off the roster is no longer planned to present.
    await server.storage.removeFromRoster({ tableId, memberId: ids.ana, at: 3 });
    const after = await fetch(`${server.url}/api/tables/${tableId}`, {
      headers: { authorization: `Bearer ${facilitatorKey}` },
    });
    expect(await after.json()).toMatchObject({
      nextPresenters: [],
      roster: [{ memberId: ids.ben, name: "Ben" }],
    });
  });

  it("answers 401, 403 and 404 as JSON errors and changes nothing", async () => {
    const { tableId, facilitatorKey } = await rosteredTable();
    const other = await createTable(server.url, "Another circle");
    const before = await server.storage.getTable(tableId);
    const body = { nextMeetingAt: Date.now() + 3_600_000, format: "forum" };
    for (const authorization of [
      undefined,
      "",
      "Bearer",
      "Bearer two words",
      "Basic dXNlcjpwYXNz",
      `Bearer ${"x".repeat(513)}`,
    ]) {
      const res = await patch(tableId, body, authorization);
      const error = await expectJsonError(res, 401);
      expect(error.code).toBe("unauthorized");
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
    }
    // A member's key reads the table but does not plan it; other keys do neither.
    for (const key of [keys.ana, keys.ben, other.facilitatorKey, "a-random-key-nobody-has-000"]) {
      const error = await expectJsonError(await patch(tableId, body, `Bearer ${key}`), 403);
      expect(error.code).toBe("forbidden");
    }
    for (const authorization of [`Bearer ${facilitatorKey}`, undefined]) {
      await expectJsonError(
        await patch("no-such-table", body, authorization),
        authorization ? 404 : 401,
      );
    }
    expect(await server.storage.getTable(tableId)).toEqual(before);
  });

  it("refuses bad input with 400 invalid, saying what is wrong, and changes nothing", async () => {
    const { tableId, facilitatorKey, ids } = await rosteredTable();
    await patch(tableId, { timeboxes: { turnMin: 2 } }, `Bearer ${facilitatorKey}`);
    const before = await server.storage.getTable(tableId);
    const now = Date.now();
    const day = 24 * 3_600_000;
    const stranger = memberIdFor(tableId, "stranger-member-key-000000");
    for (const [body, says] of [
      [{ timeboxes: { turnMin: 0 } }, "turnMin"],
      [{ timeboxes: { turnMin: 121 } }, "turnMin"],
      [{ timeboxes: { presentingMin: 1.5 } }, "presentingMin"],
      [{ timeboxes: { questionsMin: "10" } }, "questionsMin"],
      [{ timeboxes: { checkInMin: 3 } }, "timeboxes"],
      [{ timeboxes: 5 }, "timeboxes"],
      [{ timeboxes: { turnMin: 3 }, nextMeetingAt: now - 2 * day }, "nextMeetingAt"],
      [{ nextMeetingAt: now - 3 * 366 * day }, "nextMeetingAt"],
      [{ nextMeetingAt: now + 3 * 366 * day }, "nextMeetingAt"],
      [{ nextMeetingAt: new Date(now + day).toISOString() }, "nextMeetingAt"],
      [{ nextMeetingAt: now + 0.5 }, "nextMeetingAt"],
      [{ nextPresenters: [ids.ana, stranger] }, "roster"],
      [{ nextPresenters: [ids.ana, ids.ben, ids.ana] }, "twice"],
      [{ nextPresenters: ids.ana }, "nextPresenters"],
      [{ nextPresenters: [""] }, "nextPresenters"],
      [{ nextPresenters: Array.from({ length: 17 }, (_, i) => `m-${i}`) }, "nextPresenters"],
      [{ format: "townhall" }, "format"],
      [{ admission: "open" }, "only"],
      [{ name: "Renamed" }, "only"],
      [{ turnMin: 3 }, "only"],
      [[], "only"],
    ] as const) {
      const res = await patch(tableId, body, `Bearer ${facilitatorKey}`);
      const error = await expectJsonError(res, 400);
      expect(error.code, JSON.stringify(body)).toBe("invalid");
      expect(error.message, JSON.stringify(body)).toContain(says);
    }
    for (const raw of ['{"timeboxes": ', "null", JSON.stringify("forum")]) {
      await expectJsonError(await patch(tableId, raw, `Bearer ${facilitatorKey}`), 400);
    }
    await expectJsonError(
      await patch(tableId, { format: "forum" }, `Bearer ${facilitatorKey}`, "text/plain"),
      400,
    );
    expect(await server.storage.getTable(tableId)).toEqual(before);
    // A meeting later today, or one running late by hours, is fine.
    for (const at of [now + 3_600_000, now - 3 * 3_600_000]) {
      const res = await patch(tableId, { nextMeetingAt: at }, `Bearer ${facilitatorKey}`);
      expect(res.status).toBe(200);
      expect((await res.json()).nextMeetingAt).toBe(at);
    }
  });
});

describe("a member's own commitments: GET /api/tables/:tableId/commitments", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const read = (tableId: string, authorization?: string) =>
    fetch(`${server.url}/api/tables/${tableId}/commitments`, {
      headers: authorization === undefined ? {} : { authorization },
    });

  it("answers the key holder's own commitments, newest first, with their follow-ups", async () => {
    const { tableId, facilitatorKey } = await createTable(server.url, "Promises circle", {
      admission: "members",
    });
    const anaKey = "ana-member-key-0123456789";
    const benKey = "ben-member-key-0123456789";
    const ana = memberIdFor(tableId, anaKey);
    const ben = memberIdFor(tableId, benKey);
    for (const [memberId, name] of [
      [ana, "Ana"],
      [ben, "Ben"],
    ]) {
      await server.storage.admit({ tableId, memberId: memberId!, name: name!, at: 1 });
    }
    const made = (id: string, ownerId: string, createdAt: number) =>
      server.storage.addCommitment({
        id,
        tableId,
        meetingId: "m-1",
        ownerId,
        ownerName: "",
        text: `Promise ${id}`,
        createdAt,
      });
    await made("c-1", ana, 10);
    await made("c-2", ana, 20);
    await made("c-3", ben, 30);
    await server.storage.reportFollowUp({
      commitmentId: "c-1",
      meetingId: "m-2",
      status: "partly",
      note: "Half",
      drop: false,
      reportedAt: 40,
    });

    const res = await read(tableId, `Bearer ${anaKey}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      {
        id: "c-2",
        text: "Promise c-2",
        status: "open",
        createdAt: 20,
        closed: false,
        followUps: [],
      },
      {
        ...{ id: "c-1", text: "Promise c-1", status: "partly", createdAt: 10, closed: false },
        followUps: [{ status: "partly", note: "Half", reportedAt: 40 }],
      },
    ]);
    expect((await (await read(tableId, `Bearer ${benKey}`)).json()).map((c: any) => c.id)).toEqual([
      "c-3",
    ]);
    // The facilitator key is a member id of its own, which made no commitment here.
    expect(await (await read(tableId, `Bearer ${facilitatorKey}`)).json()).toEqual([]);
  });

  it("answers 401, 403 and 404 as JSON errors", async () => {
    const { tableId } = await createTable(server.url, "Guarded promises", {
      admission: "members",
    });
    const removedKey = "removed-member-key-012345";
    const memberId = memberIdFor(tableId, removedKey);
    await server.storage.admit({ tableId, memberId, name: "Ben", at: 1 });
    await server.storage.removeFromRoster({ tableId, memberId, at: 2 });
    for (const authorization of [undefined, "", "Bearer", "Token abcdefghijklmnop"]) {
      const res = await read(tableId, authorization);
      expect((await expectJsonError(res, 401)).code).toBe("unauthorized");
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
    }
    for (const key of [removedKey, "a-random-key-nobody-has-000"]) {
      expect((await expectJsonError(await read(tableId, `Bearer ${key}`), 403)).code).toBe(
        "forbidden",
      );
    }
    expect(
      (await expectJsonError(await read("no-such-table", `Bearer ${removedKey}`), 404)).code,
    ).toBe("not_found");
  });
});

describe("whether a meeting runs now", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const meetingNow = async (tableId: string, key: string) => {
    const res = await fetch(`${server.url}/api/tables/${tableId}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return (await res.json()).meetingNow as boolean;
  };

  it("is true while the table's room is up, and false once it ended or closed", async () => {
    const { tableId, facilitatorKey } = await createTable(server.url, "Live circle");
    const other = await createTable(server.url, "Quiet circle");
    expect(await meetingNow(tableId, facilitatorKey)).toBe(false);
    const ana = await join(server.url, tableId, "Ana", { facilitatorKey });
    expect(await meetingNow(tableId, facilitatorKey)).toBe(true);
    expect(await meetingNow(other.tableId, other.facilitatorKey)).toBe(false);
    const ben = await join(server.url, tableId, "Ben");
    for (const p of [ana, ben]) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    await accepted(ana, "meeting.end");
    // The ended meeting's recap stays up in a locked room: no meeting runs.
    await until("the ended meeting no longer runs", async () => {
      return !(await meetingNow(tableId, facilitatorKey));
    });
    await Promise.all([ana.leave(), ben.leave()]);
    // The next join opens the table's next meeting.
    const chloe = await join(server.url, tableId, "Chloé");
    expect(await meetingNow(tableId, facilitatorKey)).toBe(true);
    await chloe.leave();
  });
});

describe("the API's own rate limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ apiPerMinute: 4 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers reads, plans and commitments over the limit with 429 rate_limited", async () => {
    const { tableId, facilitatorKey } = await createTable(server.url, "Busy circle");
    const auth = { authorization: `Bearer ${facilitatorKey}` };
    const answers = [
      await fetch(`${server.url}/api/tables/${tableId}`),
      await fetch(`${server.url}/api/tables/${tableId}`, { headers: auth }),
      await fetch(`${server.url}/api/tables/${tableId}`, {
        method: "PATCH",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ timeboxes: { turnMin: 3 } }),
      }),
      await fetch(`${server.url}/api/tables/${tableId}/commitments`, { headers: auth }),
      await fetch(`${server.url}/api/tables/${tableId}/commitments`, { headers: auth }),
      await fetch(`${server.url}/api/tables/${tableId}`, {
        method: "PATCH",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ timeboxes: { turnMin: 9 } }),
      }),
      await fetch(`${server.url}/api/tables/${tableId}`),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 429, 429, 429]);
    for (const res of answers.slice(4)) {
      expect((await expectJsonError(res, 429)).code).toBe("rate_limited");
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    }
    // Refused, the second plan changed nothing.
    expect((await server.storage.getTable(tableId))?.timeboxes).toEqual({ turnMin: 3 });
    // Creating a table counts against its own limit, not this one.
    expect((await createTable(server.url, "Still possible")).tableId).toBeTruthy();
  });
});

describe("headers on every response", () => {
  let server: TestServer;
  let clientDir: string;
  beforeAll(async () => {
    clientDir = mkdtempSync(joinPath(tmpdir(), "roundtable-client-"));
    writeFileSync(joinPath(clientDir, "index.html"), "<!doctype html><title>Roundtable</title>");
    server = await startTestServer({ clientDir });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(clientDir, { recursive: true, force: true });
  });

  it("sends the security headers on the app, its table page, the API and matchmaking", async () => {
    const { tableId, facilitatorKey } = await createTable(server.url);
    const answers = [
      await fetch(`${server.url}/`),
      await fetch(`${server.url}/t/${tableId}`),
      await fetch(`${server.url}/api/tables/${tableId}`),
      await fetch(`${server.url}/api/nothing-here`),
      await fetch(`${server.url}/healthz`),
      await fetch(`${server.url}/api/tables`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Headers circle" }),
      }),
      await fetch(`${server.url}/matchmake/joinOrCreate/roundtable`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tableId: "no-such-table", name: "Ana", memberKey: "k".repeat(20) }),
      }),
      await fetch(`${server.url}/api/tables/${tableId}`, {
        method: "PATCH",
        headers: { "content-type": "application/json", authorization: `Bearer ${facilitatorKey}` },
        body: JSON.stringify({ timeboxes: { turnMin: 3 } }),
      }),
      await fetch(`${server.url}/api/tables/${tableId}/commitments`, {
        headers: { authorization: `Bearer ${facilitatorKey}` },
      }),
      await fetch(`${server.url}/api/tables/${tableId}/commitments`),
    ];
    expect(answers.map((res) => res.status)).toEqual([
      ...[200, 200, 200, 404, 200, 201, 404],
      ...[200, 200, 401],
    ]);
    for (const res of answers) {
      const csp = res.headers.get("content-security-policy") ?? "";
      const directives = csp.split(";").map((d) => d.trim());
      expect(directives, res.url).toContain("default-src 'self'");
      expect(directives, res.url).toContain("frame-ancestors 'none'");
      expect(directives, res.url).toContain("script-src 'self'");
      expect(csp, res.url).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), res.url).toBe("no-referrer");
      expect(res.headers.get("x-powered-by"), res.url).toBeNull();
      await res.arrayBuffer();
    }
  });
});

describe("CORS", () => {
  const allowed = "https://rt.example.org";
  const foreign = "https://evil.example";
  // One server at a time: Colyseus' matchmaker is process-wide.

  const requests = (url: string, origin: string) => [
    fetch(`${url}/api/tables`, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify({ name: "Cross-origin circle" }),
    }),
    fetch(`${url}/api/tables`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    }),
    fetch(`${url}/api/tables/no-such-table`, { headers: { origin } }),
    fetch(`${url}/matchmake/joinOrCreate/roundtable`, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify({ tableId: "no-such-table", name: "Ana", memberKey: "k".repeat(20) }),
    }),
    fetch(`${url}/matchmake/joinOrCreate/roundtable`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    }),
    // Planning and a member's commitments, with their keys in the Authorization header.
    fetch(`${url}/api/tables/no-such-table`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "authorization, content-type",
      },
    }),
    fetch(`${url}/api/tables/no-such-table`, {
      method: "PATCH",
      headers: {
        origin,
        "content-type": "application/json",
        authorization: "Bearer some-key-0000",
      },
      body: JSON.stringify({ nextMeetingAt: null }),
    }),
    fetch(`${url}/api/tables/no-such-table/commitments`, {
      headers: { origin, authorization: "Bearer some-key-0000" },
    }),
  ];

  /** The requests were served (preflights: 200 or 204, whoever answers them). */
  function expectStatuses(answers: { status: number }[]) {
    const [created, preflight, unknown, matchmake, matchmakePreflight, patchPreflight] =
      answers.map((a) => a.status);
    const [patched, commitments] = answers.slice(6).map((a) => a.status);
    expect([created, unknown, matchmake, patched, commitments]).toEqual([201, 404, 404, 404, 404]);
    expect([200, 204]).toContain(preflight);
    expect([200, 204]).toContain(matchmakePreflight);
    expect([200, 204]).toContain(patchPreflight);
  }

  async function corsHeaders(url: string, origin: string) {
    return Promise.all(
      requests(url, origin).map(async (request) => {
        const res = await request;
        await res.arrayBuffer();
        return {
          status: res.status,
          allowOrigin: res.headers.get("access-control-allow-origin"),
          allowCredentials: res.headers.get("access-control-allow-credentials"),
          allowMethods: res.headers.get("access-control-allow-methods"),
          allowHeaders: res.headers.get("access-control-allow-headers"),
        };
      }),
    );
  }

  it("gives a foreign origin no Access-Control-Allow-Origin when no origin is allowed", async () => {
    const open = await startTestServer();
    try {
      const answers = await corsHeaders(open.url, foreign);
      expectStatuses(answers);
      for (const answer of answers) {
        expect(answer).toMatchObject({ allowOrigin: null, allowCredentials: null });
      }
    } finally {
      await open.stop();
    }
  });

  it("answers an allowed origin, and only that one", async () => {
    const listed = await startTestServer({ allowedOrigins: [allowed] });
    try {
      for (const answer of await corsHeaders(listed.url, foreign)) {
        expect(answer).toMatchObject({ allowOrigin: null, allowCredentials: null });
      }
      for (const answer of await corsHeaders(listed.url, `${allowed}.evil.example`)) {
        expect(answer.allowOrigin).toBeNull();
      }
      const answers = await corsHeaders(listed.url, allowed);
      expectStatuses(answers);
      for (const answer of answers) {
        expect(answer).toMatchObject({ allowOrigin: allowed, allowCredentials: "true" });
      }
      for (const preflight of [answers[1]!, answers[4]!]) {
        expect(preflight.allowMethods).toContain("POST");
        expect(preflight.allowHeaders?.toLowerCase()).toContain("content-type");
      }
      expect(answers[5]!.allowMethods).toContain("PATCH");
      expect(answers[5]!.allowHeaders?.toLowerCase()).toContain("authorization");
    } finally {
      await listed.stop();
    }
  });
});

describe("rate limits per client address", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ tablesPerMinute: 3, joinsPerMinute: 3 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const create = () =>
    fetch(`${server.url}/api/tables`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Spam circle", admission: "open" }),
    });

  it("answers table creation over the limit with 429 rate_limited, and nothing else", async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await create());
    expect(answers.map((res) => res.status)).toEqual([201, 201, 201, 429, 429]);
    const error = await expectJsonError(answers[3]!, 429);
    expect(error.code).toBe("rate_limited");
    expect(answers[3]!.headers.get("retry-after")).toMatch(/^\d+$/);
    const { tableId } = await answers[0]!.json();
    // Reading a table counts against the API's own limit (out of reach here), not this one;
    // the health check is not limited.
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${server.url}/api/tables/${tableId}`)).status).toBe(200);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("answers joins over the limit with 429 rate_limited, through the SDK too", async () => {
    const { tableId } = await server.storage
      .createTable({
        tableId: "rate-limited-table",
        name: "Joining circle",
        facilitatorKeyHash: "0".repeat(64),
        createdAt: 1,
        admission: "open",
      })
      .then(() => ({ tableId: "rate-limited-table" }));
    const people: Room[] = [];
    for (const name of ["Ana", "Ben", "Chloé"]) {
      const client = new Client(server.url);
      people.push(
        await client.joinOrCreate("roundtable", {
          tableId,
          name,
          memberKey: `rate-limit-${name}-key-0000`,
        }),
      );
    }
    const res = await fetch(`${server.url}/matchmake/joinOrCreate/roundtable`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tableId, name: "Dev", memberKey: "rate-limit-Dev-key-0000" }),
    });
    const error = await expectJsonError(res, 429);
    expect(error.code).toBe("rate_limited");
    await expect(
      new Client(server.url).joinOrCreate("roundtable", {
        tableId,
        name: "Eve",
        memberKey: "rate-limit-Eve-key-0000",
      }),
    ).rejects.toThrow();
    // Those already in stay in.
    expect(Object.keys(people[0]!.state.toJSON().members)).toHaveLength(3);
    await Promise.all(people.map((room) => room.leave()));
  });
});

describe("the WebSocket's limits", () => {
  const allowed = "http://allowed.example";
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: [allowed], maxPayloadBytes: 2048 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The HTTP status a bare WebSocket upgrade gets with this Origin (101 when it opens). */
  function upgradeStatus(origin: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, {
        headers: origin ? { Origin: origin } : {},
      });
      ws.on("open", () => {
        ws.close();
        resolve(101);
      });
      ws.on("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on("error", (error) => reject(error));
    });
  }

  async function joinFrom(origin: string | undefined, tableId: string, name: string) {
    const client = new Client(server.url, { headers: origin ? { Origin: origin } : {} });
    return client.joinOrCreate("roundtable", {
      tableId,
      name,
      memberKey: `origin-test-${name}-key-000`,
    });
  }

  it("refuses a WebSocket from an Origin that is not allowed, and opens one that is", async () => {
    expect(await upgradeStatus("http://evil.example")).toBe(403);
    expect(await upgradeStatus(undefined)).toBe(403);
    expect(await upgradeStatus(`${allowed}.evil.example`)).toBe(403);
    expect(await upgradeStatus(allowed)).toBe(101);

    const { tableId } = await createTable(server.url);
    await expect(joinFrom("http://evil.example", tableId, "Mallory")).rejects.toThrow();
    const ana: Room = await joinFrom(allowed, tableId, "Ana");
    await until("Ana's state", () => ana.state?.toJSON?.().phase === "lobby");
    expect(Object.keys(ana.state.toJSON().members)).toHaveLength(1);
    await ana.leave();
  });

  it("closes a client whose message is over the payload limit, and only that client", async () => {
    const { tableId } = await createTable(server.url);
    const rooms = await Promise.all(["Ana", "Ben"].map((n) => joinFrom(allowed, tableId, n)));
    const [ana, ben] = rooms as [Room, Room];
    let anaClosed: number | undefined;
    let benClosed: number | undefined;
    ana.onLeave((code) => (anaClosed = code));
    ben.onLeave((code) => (benClosed = code));
    ana.reconnection.enabled = false;
    ben.send("confidentiality.agree");
    ana.send("question.ask", { text: "x".repeat(3000) });
    await until("Ana is disconnected", () => anaClosed !== undefined);
    expect(anaClosed).toBe(1009); // "message too big"
    await until("Ben sees Ana away", () =>
      Object.values<any>(ben.state.toJSON().members).some((m) => !m.connected),
    );
    expect(benClosed).toBeUndefined();
    const members = Object.values<any>(ben.state.toJSON().members);
    expect(members.find((m) => m.name === "Ben")).toMatchObject({ connected: true, agreed: true });
    // A message just under the limit is fine.
    ben.send("question.ask", { text: "y".repeat(1500) });
    await settle(ben);
    expect(benClosed).toBeUndefined();
    await ben.leave();
  });
});

describe("timers and patches", () => {
  let server: TestServer;
  /** Milliseconds the room's clock runs ahead of the wall clock. */
  let ahead = 3 * 3_600_000;
  const clock = () => Date.now() + ahead;
  const timeboxes = {
    checkInEachMs: 1_000,
    presentingMs: 250,
    questionsMs: 30_000,
    experiencesMs: 40_000,
    turnMs: 300,
    commitmentMs: 60_000,
  };
  let ana: Person;
  let ben: Person;
  let chloe: Person;

  beforeAll(async () => {
    server = await startTestServer({ now: clock, meeting: { timeboxes } });
    const table = await createTable(server.url);
    ana = await join(server.url, table.tableId, "Ana", { facilitatorKey: table.facilitatorKey });
    ben = await join(server.url, table.tableId, "Ben");
    chloe = await join(server.url, table.tableId, "Chloé");
    for (const p of [ana, ben, chloe]) await accepted(p, "confidentiality.agree");
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Sends and returns the room clock's reading just before and just after. */
  async function timed(p: Person, type: string, payload?: unknown) {
    const before = clock();
    await accepted(p, type, payload);
    return { before, after: clock() };
  }

  it("sets phaseEndsAt and turnEndsAt from the room's clock, and marks overtime", async () => {
    const start = await timed(ana, "meeting.start");
    const checkIn = ana.state().phaseEndsAt;
    expect(checkIn).toBeGreaterThanOrEqual(start.before + 3 * timeboxes.checkInEachMs);
    expect(checkIn).toBeLessThanOrEqual(start.after + 3 * timeboxes.checkInEachMs);
    expect(ana.state().turnEndsAt).toBe(0);

    await accepted(ana, "phase.next");
    expect(ana.state()).toMatchObject({ phase: "choosing", phaseEndsAt: 0 });
    const presenting = await timed(ana, "presenter.choose", { memberId: ben.memberId });
    expect(ana.state().phaseEndsAt).toBeGreaterThanOrEqual(
      presenting.before + timeboxes.presentingMs,
    );
    expect(ana.state().phaseEndsAt).toBeLessThanOrEqual(presenting.after + timeboxes.presentingMs);
    expect(ana.state().phaseOvertime).toBe(false);
    // The timebox runs on real time; when it is up, the phase is marked overtime (not cut off).
    await until("presenting overtime", () => ana.state().phaseOvertime === true, 2000);
    expect(ana.state().phase).toBe("presenting");

    const questions = await timed(ana, "phase.next");
    expect(ana.state().phaseEndsAt).toBeGreaterThanOrEqual(
      questions.before + timeboxes.questionsMs,
    );
    expect(ana.state().phaseEndsAt).toBeLessThanOrEqual(questions.after + timeboxes.questionsMs);
    expect(ana.state().phaseOvertime).toBe(false);
    await accepted(chloe, "hand.raise");
    const turn = await timed(ana, "floor.give");
    const state = ana.state();
    expect(state.floorId).toBe(chloe.memberId);
    expect(state.floorSince).toBeGreaterThanOrEqual(turn.before);
    expect(state.floorSince).toBeLessThanOrEqual(turn.after);
    expect(state.turnEndsAt).toBe(state.floorSince + timeboxes.turnMs);
    await until("turn overtime", () => ana.state().turnOvertime === true, 2000);
    expect(ana.state().floorId).toBe(chloe.memberId);
    await accepted(chloe, "floor.yield");
    expect(ana.state()).toMatchObject({ turnEndsAt: 0, floorSince: 0, turnOvertime: false });
  });

  it("counts airtime while a member holds the floor", async () => {
    const base = ana.state().members[chloe.memberId].airtimeMs as number;
    expect(await ana.send("floor.give", { memberId: chloe.memberId })).toBeUndefined();
    ahead += 7_000;
    expect(await chloe.send("floor.yield")).toBeUndefined();
    await settle(ben.room);
    const first = ben.state().members[chloe.memberId].airtimeMs - base;
    expect(first).toBeGreaterThanOrEqual(7_000);
    expect(first).toBeLessThan(7_500);
    // Not counted while someone else speaks, or nobody does.
    ahead += 60_000;
    expect(await ana.send("floor.give", { memberId: ana.memberId })).toBeUndefined();
    ahead += 2_000;
    // Handing the floor on (naming who holds it) counts the previous holder's turn too.
    expect(
      await ana.send("floor.give", { memberId: chloe.memberId, holder: ana.memberId }),
    ).toBeUndefined();
    ahead += 3_000;
    expect(await ana.send("floor.yield")).toBeUndefined();
    await settle(ben.room);
    const members = ben.state().members;
    expect(members[chloe.memberId].airtimeMs - base - first).toBeGreaterThanOrEqual(3_000);
    expect(members[chloe.memberId].airtimeMs - base - first).toBeLessThan(3_500);
    expect(members[ana.memberId].airtimeMs).toBeGreaterThanOrEqual(2_000);
    expect(members[ana.memberId].airtimeMs).toBeLessThan(2_500);
    expect(members[ben.memberId].airtimeMs).toBe(0);
  });

  it("sends a raised hand to the other members at once, not at the next 50 ms tick", async () => {
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) {
      const seen = new Promise<number>((resolve) => {
        const onChange = () => {
          if (ben.state().members[chloe.memberId]?.handUp !== true) return;
          ben.room.onStateChange.remove(onChange);
          resolve(performance.now());
        };
        ben.room.onStateChange(onChange);
      });
      const sent = performance.now();
      chloe.room.send("hand.raise");
      samples.push((await seen) - sent);
      await accepted(chloe, "hand.lower");
      await settle(ben.room);
      // Start each sample at a different point of Colyseus' 50 ms patch interval.
      await new Promise((r) => setTimeout(r, 7 + ((i * 13) % 41)));
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.info(
      `hand.raise → other member's client: median ${median.toFixed(1)} ms, ` +
        `min ${sorted[0]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
    );
    // Waiting for the tick would spread the samples over 0–50 ms (median ~25 ms).
    expect(median).toBeLessThan(15);
    expect(sorted.filter((ms) => ms < 50).length).toBeGreaterThanOrEqual(sorted.length - 2);
  });
});

describe("the app's files", () => {
  let server: TestServer;
  let clientDir: string;
  beforeAll(async () => {
    clientDir = mkdtempSync(joinPath(tmpdir(), "roundtable-client-"));
    mkdirSync(joinPath(clientDir, "assets"));
    writeFileSync(joinPath(clientDir, "index.html"), "<!doctype html><title>Roundtable</title>");
    writeFileSync(joinPath(clientDir, "assets", "app.js"), "export const x = 1;\n".repeat(500));
    server = await startTestServer({ clientDir });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(clientDir, { recursive: true, force: true });
  });

  it("serves the table page as the app shell", async () => {
    const res = await fetch(`${server.url}/t/some-table-id`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<title>Roundtable</title>");
  });

  it("sends the app's JavaScript compressed to browsers that accept it", async () => {
    const res = await fetch(`${server.url}/assets/app.js`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect((await res.text()).length).toBe("export const x = 1;\n".length * 500);
  });
});
