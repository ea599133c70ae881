import { randomBytes } from "node:crypto";
import { matchMaker } from "@colyseus/core";
import compression from "compression";
import express, { type Application, type ErrorRequestHandler, type Router } from "express";
import { z } from "zod";
import {
  MAX_MEMBERS,
  TABLE_NAME_MAX,
  TIMEBOX_MAX_MINUTES,
  TIMEBOX_MIN_MINUTES,
} from "../shared/limits.ts";
import { hashKey, keyMatches, memberIdFor } from "./keys.ts";
import { logReason } from "./log.ts";
import type { Storage, TableDetails, TablePatch, TableRecord } from "./storage/index.ts";
import { admissions, formats, timeboxesWithDefaults } from "./storage/rules.ts";

const createTableSchema = z.object({
  name: z.string().trim().min(1).max(TABLE_NAME_MAX),
  admission: z.enum(admissions).default("members"),
  format: z.enum(formats).default("roundtable"),
});

/** The sentence a refused creation reads, for the first field that is wrong. */
function createTableProblem(field: PropertyKey | undefined): string {
  if (field === "admission") return `admission must be one of: ${admissions.join(", ")}.`;
  if (field === "format") return `format must be one of: ${formats.join(", ")}.`;
  return `name must be 1–${TABLE_NAME_MAX} characters.`;
}

const minutes = z.number().int().min(TIMEBOX_MIN_MINUTES).max(TIMEBOX_MAX_MINUTES);

/** What a facilitator may change between meetings (PATCH): nothing else, no unknown field. */
const patchTableSchema = z.strictObject({
  timeboxes: z
    .strictObject({
      presentingMin: minutes.optional(),
      questionsMin: minutes.optional(),
      experiencesMin: minutes.optional(),
      turnMin: minutes.optional(),
      commitmentMin: minutes.optional(),
      updateMin: minutes.optional(),
    })
    .optional(),
  nextMeetingAt: z.number().int().nullable().optional(),
  nextPresenters: z.array(z.string().min(1).max(64)).max(MAX_MEMBERS).optional(),
  format: z.enum(formats).optional(),
});

/** How far back a planned meeting may lie (a meeting later today, or one running late). */
const DAY_MS = 24 * 60 * 60_000;
/** How far ahead a meeting may be planned. */
const TWO_YEARS_MS = 2 * 366 * DAY_MS;

/** The sentence a refused patch reads, for the first field that is wrong. */
function patchProblem(path: PropertyKey[] | undefined): string {
  const [field, sub] = path ?? [];
  if (field === "timeboxes") {
    return typeof sub === "string"
      ? `timeboxes.${sub} must be whole minutes from ${TIMEBOX_MIN_MINUTES} to ${TIMEBOX_MAX_MINUTES}.`
      : "timeboxes may hold only presentingMin, questionsMin, experiencesMin, turnMin, commitmentMin and updateMin.";
  }
  if (field === "nextMeetingAt")
    return "nextMeetingAt must be a time in epoch milliseconds, or null.";
  if (field === "nextPresenters") {
    return `nextPresenters must be a list of at most ${MAX_MEMBERS} member ids.`;
  }
  if (field === "format") return `format must be one of: ${formats.join(", ")}.`;
  return "The body may hold only timeboxes, nextMeetingAt, nextPresenters and format.";
}

/** `Authorization: Bearer <key>`: the key, or "malformed"; undefined when there is no header. */
function bearerKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S{1,512}) *$/i.exec(header);
  return match?.[1] ?? "malformed";
}

/** Who a key is at a table: the member id it stands for, and whether it is the facilitator key. */
interface Caller {
  memberId: string;
  facilitator: boolean;
}

/**
 * The caller a key makes, if it opens the table: its facilitator key, or the key of a member on
 * its roster. The member id is the key's own (`memberIdFor`), the facilitator key's included.
 */
function callerOf(
  table: TableRecord,
  key: string,
  onRoster: { has(memberId: string): boolean },
): Caller | undefined {
  const memberId = memberIdFor(table.tableId, key);
  if (keyMatches(key, table.facilitatorKeyHash)) return { memberId, facilitator: true };
  return onRoster.has(memberId) ? { memberId, facilitator: false } : undefined;
}

function httpError(res: express.Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

function unauthorized(res: express.Response): void {
  res.set("WWW-Authenticate", "Bearer");
  httpError(res, 401, "unauthorized", "Send the key as: Authorization: Bearer <key>.");
}

/** 128 random bits, URL-safe: table ids and keys nobody can guess. */
function secret(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * Whether a meeting of the table is running: an unlocked `roundtable` room for it is listed (an
 * ended meeting's room is locked while its recap stays up). Matchmaking's listing is the
 * driver's: with Redis (multi-process mode) it holds every process's rooms.
 */
export async function meetingRunning(tableId: string): Promise<boolean> {
  const rooms = await matchMaker.query({ name: "roundtable", tableId } as Record<string, unknown>);
  return rooms.some((room) => !room.locked);
}

/** The HTTP API of PROTOCOL.md: tables and health. Errors are JSON, never a stack trace. */
export function apiRouter(storage: Storage): Router {
  const router = express.Router();
  router.use(express.json({ limit: "4kb" }));

  /** Member ids on the table's roster now, and each one's display name, in admission order. */
  async function rosterOf(tableId: string): Promise<Map<string, string>> {
    const rows = await storage.roster(tableId);
    return new Map(rows.filter((r) => r.removedAt === null).map((r) => [r.memberId, r.name]));
  }

  /** Everything a member of the table reads: the version-1 summary and what lies between meetings. */
  async function fullSummary(
    table: TableRecord,
    roster: Map<string, string>,
    you: Caller,
  ): Promise<TableDetails> {
    const [summary, history, running] = await Promise.all([
      storage.tableSummary(table.tableId),
      storage.history(table.tableId),
      meetingRunning(table.tableId).catch((error: unknown) => {
        console.error("roundtable: could not ask for running meetings:", logReason(error));
        return false;
      }),
    ]);
    // The table was just read; were it gone since, it has nothing to count.
    const counts = summary ?? { ...table, openCommitments: 0, meetings: 0, trust: [] };
    return {
      tableId: table.tableId,
      name: table.name,
      openCommitments: counts.openCommitments,
      meetings: counts.meetings,
      trust: counts.trust,
      format: table.format,
      admission: table.admission,
      timeboxes: timeboxesWithDefaults(table.timeboxes),
      nextMeetingAt: table.nextMeetingAt,
      // Someone taken off the roster since the plan was made is no longer planned.
      nextPresenters: table.nextPresenters.filter((id) => roster.has(id)),
      roster: [...roster].map(([memberId, name]) => ({ memberId, name })),
      history,
      meetingNow: running,
      you,
    };
  }

  /**
   * The table and who calls, from the request's key; answers 401 (no key, or a malformed
   * header), 404 (no such table) or 403 (a key that does not open it, or not the facilitator's
   * when `facilitator` is asked) and resolves to undefined.
   */
  async function authenticate(
    req: express.Request,
    res: express.Response,
    need: "member" | "facilitator",
  ): Promise<{ table: TableRecord; roster: Map<string, string>; caller: Caller } | undefined> {
    const key = bearerKey(req.get("authorization"));
    if (key === undefined || key === "malformed") return void unauthorized(res);
    const table = await storage.getTable(String(req.params.tableId).slice(0, 64));
    if (!table) return void httpError(res, 404, "not_found", "No table has that id.");
    const roster = await rosterOf(table.tableId);
    const caller = callerOf(table, key, roster);
    if (!caller) {
      return void httpError(res, 403, "forbidden", "That key is not a member's of this table.");
    }
    if (need === "facilitator" && !caller.facilitator) {
      return void httpError(res, 403, "forbidden", "Only the facilitator key changes the table.");
    }
    return { table, roster, caller };
  }

  router.post("/api/tables", async (req, res) => {
    const parsed = createTableSchema.safeParse(req.body);
    if (!parsed.success) {
      return httpError(res, 400, "invalid", createTableProblem(parsed.error.issues[0]?.path[0]));
    }
    const tableId = secret(16);
    const facilitatorKey = secret(24);
    await storage.createTable({
      tableId,
      name: parsed.data.name,
      facilitatorKeyHash: hashKey(facilitatorKey),
      createdAt: Date.now(),
      admission: parsed.data.admission,
      format: parsed.data.format,
    });
    res.status(201).json({ tableId, facilitatorKey, link: `/t/${tableId}` });
  });

  // Without credentials, only what the table's link already shows; the summary (commitments,
  // meetings, trust, history, plans, roster) is for the facilitator and the members on the roster.
  router.get("/api/tables/:tableId", async (req, res) => {
    const key = bearerKey(req.get("authorization"));
    if (key === "malformed") return unauthorized(res);
    if (key === undefined) {
      const table = await storage.getTable(String(req.params.tableId).slice(0, 64));
      if (!table) return httpError(res, 404, "not_found", "No table has that id.");
      return res.json({ tableId: table.tableId, name: table.name });
    }
    const found = await authenticate(req, res, "member");
    if (!found) return;
    res.json(await fullSummary(found.table, found.roster, found.caller));
  });

  // Planning between meetings, by the facilitator key only: every check passes before anything
  // is written, and the write is one statement.
  router.patch("/api/tables/:tableId", async (req, res) => {
    const found = await authenticate(req, res, "facilitator");
    if (!found) return;
    const parsed = patchTableSchema.safeParse(req.body);
    if (!parsed.success) {
      return httpError(res, 400, "invalid", patchProblem(parsed.error.issues[0]?.path));
    }
    const patch: TablePatch = parsed.data;
    const now = Date.now();
    if (
      typeof patch.nextMeetingAt === "number" &&
      (patch.nextMeetingAt < now - DAY_MS || patch.nextMeetingAt > now + TWO_YEARS_MS)
    ) {
      return httpError(
        res,
        400,
        "invalid",
        "nextMeetingAt must lie between a day ago and two years from now.",
      );
    }
    if (patch.nextPresenters) {
      if (new Set(patch.nextPresenters).size !== patch.nextPresenters.length) {
        return httpError(res, 400, "invalid", "nextPresenters names someone twice.");
      }
      if (patch.nextPresenters.some((id) => !found.roster.has(id))) {
        return httpError(
          res,
          400,
          "invalid",
          "nextPresenters may name only members on the roster.",
        );
      }
    }
    const table = await storage.updateTable(found.table.tableId, patch);
    if (!table) return httpError(res, 404, "not_found", "No table has that id.");
    res.json(await fullSummary(table, found.roster, found.caller));
  });

  // The caller's own commitments at the table: a member's key, or the facilitator key (whose
  // member id is the key's own, see callerOf).
  router.get("/api/tables/:tableId/commitments", async (req, res) => {
    const found = await authenticate(req, res, "member");
    if (!found) return;
    res.json(await storage.memberCommitments(found.table.tableId, found.caller.memberId));
  });

  router.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });

  router.use("/api", (_req, res) => httpError(res, 404, "not_found", "No such API route."));
  return router;
}

/** Turns body-parser and unexpected errors into JSON; logs the unexpected ones without content. */
export const jsonErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof error?.status === "number" ? error.status : 500;
  if (error?.type === "entity.parse.failed") {
    return httpError(res, 400, "invalid", "The body is not valid JSON.");
  }
  if (error?.type === "entity.too.large") {
    return httpError(res, 413, "too_large", "The body is too large.");
  }
  if (status >= 400 && status < 500) {
    return httpError(res, status, "invalid", "The request could not be read.");
  }
  // logReason: a failed query's message lists its parameters (table ids, names, key hashes).
  console.error("roundtable: request failed:", logReason(error));
  httpError(res, 500, "internal", "Something went wrong on the server.");
};

/** Serves the built client, with the table page (`/t/:id`) falling back to the app shell. */
export function serveClient(app: Application, clientDir: string): void {
  // The page's JavaScript is about a third of its size gzipped; the room's WebSocket is unaffected.
  app.use(compression());
  app.use(express.static(clientDir, { index: "index.html", maxAge: "1h" }));
  app.get(["/", "/t/:tableId"], (_req, res) => {
    res.sendFile("index.html", { root: clientDir, maxAge: 0 });
  });
}
