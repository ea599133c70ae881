/**
 * The raw-`ws` baseline: about the least a server can do to fan out a room's messages, measured
 * by the same load generator as the real server (bench/generator.ts), so every figure of the
 * benchmark is also a ratio to this one.
 *
 * Wire, all binary, little-endian:
 * - `POST /join` answers a small JSON body (the matchmaking round-trip of a Colyseus join);
 * - a client connects to `/?room=ID&state=N` and first receives N bytes (its "full state");
 * - each message a client sends is `[u32 seq][u32 size]…`; the server sends `size` bytes that
 *   start with the same `seq` to every client of that room, the sender included (as Colyseus
 *   sends its patches to everyone);
 * - clients are pinged every 3 s, as Colyseus' ws transport does.
 *
 * Started by bench/run.ts with `--expose-gc`; `GET /bench/heap` answers the heap after a GC.
 * Listens on 127.0.0.1 only, and exits when its parent goes away.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

const MIN_FRAME = 8;
const MAX_FRAME = 64 * 1024;
const STATE_SEQ = 0xffffffff;

const clamp = (n: number, lo: number, hi: number) =>
  Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.trunc(n))) : lo;

const rooms = new Map<string, Set<WebSocket>>();

const http = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  } else if (req.url === "/bench/heap") {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ gc: gc !== undefined, ...process.memoryUsage() }));
  } else if (req.method === "POST" && req.url === "/join") {
    req.resume();
    req.on("end", () => {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ token: randomBytes(12).toString("base64url") }));
    });
  } else {
    res.writeHead(404).end();
  }
});

const alive = new WeakSet<WebSocket>();
const wss = new WebSocketServer({ server: http, maxPayload: 4096, perMessageDeflate: false });
wss.on("connection", (ws, req) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const roomId = url.searchParams.get("room") ?? "";
  let room = rooms.get(roomId);
  if (!room) rooms.set(roomId, (room = new Set()));
  room.add(ws);
  alive.add(ws);
  ws.on("pong", () => alive.add(ws));

  const state = Buffer.alloc(clamp(Number(url.searchParams.get("state")), MIN_FRAME, MAX_FRAME));
  state.writeUInt32LE(STATE_SEQ, 0);
  ws.send(state);

  ws.on("message", (data: Buffer, isBinary) => {
    if (!isBinary || data.length < MIN_FRAME) return;
    const out = Buffer.alloc(clamp(data.readUInt32LE(4), MIN_FRAME, MAX_FRAME));
    out.writeUInt32LE(data.readUInt32LE(0), 0);
    for (const peer of room) if (peer.readyState === peer.OPEN) peer.send(out);
  });
  ws.on("close", () => {
    room.delete(ws);
    if (room.size === 0) rooms.delete(roomId);
  });
});

const pings = setInterval(() => {
  for (const ws of wss.clients) {
    if (!alive.has(ws)) {
      ws.terminate();
      continue;
    }
    alive.delete(ws);
    ws.ping();
  }
}, 3000);

http.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`baseline listening on ${port}`);
});

const stop = () => {
  clearInterval(pings);
  for (const ws of wss.clients) ws.terminate();
  http.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("disconnect", stop);
