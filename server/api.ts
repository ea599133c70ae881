import { randomBytes } from "node:crypto";
import compression from "compression";
import express, { type Application, type ErrorRequestHandler, type Router } from "express";
import { z } from "zod";
import { TABLE_NAME_MAX } from "../shared/limits.ts";
import { hashKey } from "./keys.ts";
import { logReason } from "./log.ts";
import type { Storage } from "./storage/index.ts";
import { admissions, formats } from "./storage/rules.ts";

const createTableSchema = z.object({
  name: z.string().trim().min(1).max(TABLE_NAME_MAX),
  admission: z.enum(admissions).default("members"),
  format: z.enum(formats).default("roundtable"),
});

function httpError(res: express.Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** 128 random bits, URL-safe: table ids and keys nobody can guess. */
function secret(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}

/** The HTTP API of PROTOCOL.md: tables and health. Errors are JSON, never a stack trace. */
export function apiRouter(storage: Storage): Router {
  const router = express.Router();
  router.use(express.json({ limit: "4kb" }));

  router.post("/api/tables", async (req, res) => {
    const parsed = createTableSchema.safeParse(req.body);
    if (!parsed.success) {
      return httpError(res, 400, "invalid", `name must be 1–${TABLE_NAME_MAX} characters.`);
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

  router.get("/api/tables/:tableId", async (req, res) => {
    const summary = await storage.tableSummary(String(req.params.tableId).slice(0, 64));
    if (!summary) return httpError(res, 404, "not_found", "No table has that id.");
    res.json(summary);
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
