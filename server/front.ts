// What every HTTP request passes before Colyseus sees it: security headers, the CORS allow-list
// and per-address rate limits. It has to sit in front of Colyseus, not inside its Express app:
// Colyseus answers `/matchmake` (and every OPTIONS request) from its own router, which runs
// before its Express app and never reaches it, and it adds CORS headers of its own to every
// response. See `frontedServer` for where the front is attached.
import { Server as HttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { matchMaker } from "@colyseus/core";
import express, { type Express, type RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import helmet from "helmet";

/** How the front treats requests. */
export interface FrontOptions {
  /** Origins whose cross-origin requests are answered with CORS headers; none when empty. */
  allowedOrigins: readonly string[];
  /** `POST /api/tables` requests allowed per client address per minute. */
  tablesPerMinute: number;
  /** `/matchmake` requests (one per join) allowed per client address per minute. */
  joinsPerMinute: number;
  /** Other `/api` requests (reading, planning, commitments) allowed per client address per minute. */
  apiPerMinute: number;
}

/** Milliseconds of a rate limit's window. */
const minuteMs = 60_000;

/**
 * The Content-Security-Policy of every response. The app loads only its own files and connects
 * its WebSocket to its own origin (`connect-src 'self'` covers ws: and wss: on the same host);
 * no page may frame it. No `upgrade-insecure-requests`: a server on a LAN address over plain
 * HTTP must keep working.
 */
const contentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", "data:"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", "data:"],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
  },
};

/** The JSON error body of PROTOCOL.md, for a client over its limit. */
function tooMany(message: string): RequestHandler {
  return (_req, res) => {
    res.status(429).json({ error: { code: "rate_limited", message } });
  };
}

function perAddress(limit: number, message: string): RequestHandler {
  return rateLimit({
    windowMs: minuteMs,
    limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: tooMany(message),
    // The client address is the connection's (Express' `trust proxy` is off): a forwarded-for
    // header is the client's own claim, so it neither counts nor is worth a warning per process.
    validate: { xForwardedForHeader: false },
  });
}

/**
 * CORS: an allowed origin gets `Access-Control-Allow-Origin` (with credentials: the SDK's
 * matchmaking fetch sends them) and its preflights answered here; any other origin gets nothing,
 * so a browser keeps the answer from the page that asked.
 */
function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    res.vary("Origin");
    const origin = req.get("origin");
    if (origin === undefined || !allowed.has(origin)) return next();
    res.set({
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Credentials": "true",
    });
    if (req.method !== "OPTIONS") return next();
    res.set({
      "Access-Control-Allow-Methods": "GET, POST, PATCH, OPTIONS",
      "Access-Control-Allow-Headers": "Content-Type, Authorization",
      "Access-Control-Max-Age": "600",
    });
    res.sendStatus(204);
  };
}

/** The front as an Express app; a request it does not answer falls through to `next`. */
export function front(options: FrontOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(
    helmet({
      contentSecurityPolicy,
      referrerPolicy: { policy: "no-referrer" },
      xFrameOptions: { action: "deny" },
    }),
  );
  app.use(cors(options.allowedOrigins));
  app.post(
    "/api/tables",
    perAddress(
      options.tablesPerMinute,
      "Too many tables created from here. Try again in a minute.",
    ),
  );
  app.use(
    "/matchmake",
    perAddress(options.joinsPerMinute, "Too many joins from here. Try again in a minute."),
  );
  // Every other API request (a table's summary, planning, a member's commitments) counts here;
  // a table's creation counts against its own limit above, not this one too.
  const api = perAddress(
    options.apiPerMinute,
    "Too many requests from here. Try again in a minute.",
  );
  app.use("/api", (req, res, next) => {
    if (req.method === "POST" && req.path === "/tables") return next();
    api(req, res, next);
  });
  return app;
}

/**
 * An HTTP server whose every request goes through `front` first, then to the request listeners
 * Colyseus adds (its CORS wrapper, its router, its Express app). Overriding `emit` keeps this
 * independent of when and how Colyseus registers those listeners. WebSocket upgrades are a
 * separate event and are checked by the transport's `beforeUpgrade`.
 */
export function frontedServer(frontApp: Front): HttpServer {
  return new FrontedServer(frontApp);
}

/** A connect-style handler: answers the request, or calls `next` to pass it on. */
type Front = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

class FrontedServer extends HttpServer {
  constructor(private readonly frontApp: Front) {
    super();
  }

  override emit(event: string | symbol, ...args: any[]): boolean {
    if (event !== "request") return super.emit(event as string, ...args);
    const [req, res] = args as [IncomingMessage, ServerResponse];
    this.frontApp(req, res, (error) => {
      if (!error) {
        super.emit("request", req, res);
        return;
      }
      // Nothing in the front throws on a client's input; say no more than that it failed.
      res.statusCode = 500;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ error: { code: "internal", message: "Something went wrong." } }));
    });
    return true;
  }
}

/**
 * Colyseus sets `Access-Control-Allow-Origin` to whatever Origin asked (with credentials) on
 * every response it touches, `/api` included. Its documented hook is the matchmaking
 * controller's CORS headers, which are process-wide: make them empty, and let the front decide.
 */
export function leaveCorsToTheFront(): void {
  const controller = matchMaker.controller as { DEFAULT_CORS_HEADERS: Record<string, string> };
  controller.DEFAULT_CORS_HEADERS = {};
  matchMaker.controller.getCorsHeaders = () => ({});
}
