// "A malformed frame never writes a stack trace or any of its bytes to the log" (PROTOCOL.md,
// version 2), against a real server process: raw `ws` sockets (not the SDK) flood it with
// garbage, truncated msgpack, a payload with trailing bytes, an invalid message type, frames over
// the 4 KB limit and bad join requests, and its stdout and stderr must stay as they were.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Client } from "@colyseus/sdk";
import { encode } from "@colyseus/schema";
import { pack } from "msgpackr";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSE_MALFORMED, wellFormedFrame } from "../../server/transport.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import { createTable } from "../support/server.ts";

/** Marks every byte a client sends here; none of it may appear in the server's output. */
const marker = "PAYLOADMARK";

const ROOM_DATA = 13;
const ROOM_DATA_BYTES = 17;
const ROOM_REQUEST = 21;

/** A message frame as the SDK builds it: code, type (a schema-encoded string), msgpack payload. */
function messageFrame(code: number, type: string, payload?: unknown, requestId?: number): Buffer {
  const head = Buffer.alloc(8 + Buffer.byteLength(type) * 4);
  head[0] = code;
  const it = { offset: 1 };
  if (requestId !== undefined) encode.number(head, requestId, it);
  encode.string(head, type, it);
  const body = payload === undefined ? Buffer.alloc(0) : pack(payload);
  return Buffer.concat([head.subarray(0, it.offset), body]);
}

const malformed: Record<string, Buffer> = {
  "garbage bytes": Buffer.from(`\x0d\xff\xfe${marker} not a frame at all`),
  "truncated msgpack": messageFrame(ROOM_DATA, "question.ask", { text: `${marker} why?` }).subarray(
    0,
    -6,
  ),
  "trailing bytes after the payload": Buffer.concat([
    messageFrame(ROOM_DATA, "question.ask", { text: `${marker} quoted` }),
    Buffer.from([0xc1]),
  ]),
  "an invalid msgpack byte": Buffer.concat([
    messageFrame(ROOM_DATA, "hand.raise"),
    Buffer.from([0xc1, 0xc1]),
  ]),
  "a message type that is not UTF-8": Buffer.concat([
    Buffer.from([ROOM_DATA, 0xac]),
    Buffer.from("hand.\x81\x82\xfe\xffrai", "latin1"),
    Buffer.from(marker),
  ]),
  "a message type longer than the frame": Buffer.concat([
    Buffer.from([ROOM_DATA, 0xd9, 0xf0]),
    Buffer.from(marker),
  ]),
  "a truncated request": messageFrame(ROOM_REQUEST, "hand.raise", { note: marker }, 7).subarray(
    0,
    -4,
  ),
  "a request with trailing bytes": Buffer.concat([
    messageFrame(ROOM_REQUEST, "hand.raise", { note: marker }, 7),
    Buffer.from(marker),
  ]),
  "a request id without a type": Buffer.from([ROOM_REQUEST, 0xcd]),
  "a bytes message with a broken type": Buffer.concat([
    Buffer.from([ROOM_DATA_BYTES, 0xbf]),
    Buffer.from(marker),
  ]),
};

describe("a malformed frame", () => {
  it("is told apart from what the SDK sends", () => {
    for (const frame of [
      messageFrame(ROOM_DATA, "confidentiality.agree"),
      messageFrame(ROOM_DATA, "question.ask", { text: "Why now? ¿Por qué? 为什么" }),
      messageFrame(ROOM_DATA, "commitment.add", { text: "x".repeat(280) }),
      messageFrame(ROOM_REQUEST, "hand.raise", { note: "a note" }, 300),
      messageFrame(ROOM_DATA_BYTES, "blob", undefined),
      Buffer.from([10]), // join
      Buffer.from([18]), // ping
      Buffer.from([12]), // leave
    ]) {
      expect(wellFormedFrame(frame), frame.toString("hex")).toBe(true);
    }
    for (const [kind, frame] of Object.entries(malformed)) {
      if (kind === "garbage bytes") continue; // its code (13) makes it a data frame: see below
      expect(wellFormedFrame(frame), kind).toBe(false);
    }
    expect(wellFormedFrame(malformed["garbage bytes"]!)).toBe(false);
  });
});

describe("the log while malformed frames arrive", () => {
  let server: ServerProcess;
  let dir: string;
  let tableId: string;

  beforeAll(async () => {
    dir = mkdtempSync(joinPath(tmpdir(), "roundtable-logs-"));
    server = await startServerProcess({ DATABASE_URL: joinPath(dir, "logs.db") });
    ({ tableId } = await createTable(server.url, "Log circle"));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let seq = 0;
  /** A seat in the table's meeting, reserved through matchmaking as the SDK does. */
  async function seat(): Promise<{ processId: string; roomId: string; sessionId: string }> {
    const n = ++seq;
    const res = await fetch(`${server.url}/matchmake/joinOrCreate/roundtable`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tableId, name: `Flooder ${n}`, memberKey: `flood-key-${n}-0000000` }),
    });
    expect(res.status).toBe(200);
    return res.json();
  }

  /** Opens a raw socket at a path, sends the frames, and waits for the server to close it. */
  async function closedAfter(path: string, frames: Buffer[]): Promise<number> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("error", () => {});
    await new Promise<void>((resolve) => {
      ws.on("open", () => resolve());
      ws.on("close", () => resolve());
    });
    if (ws.readyState === WebSocket.OPEN) for (const frame of frames) ws.send(frame);
    return closed;
  }

  const roomPath = (s: { processId: string; roomId: string; sessionId: string }) =>
    `/${s.processId}/${s.roomId}?sessionId=${s.sessionId}`;

  it("writes nothing: no stack trace, none of the frame's bytes", async () => {
    const before = server.output();
    expect(before).toContain("listening");

    for (let round = 0; round < 3; round++) {
      for (const [kind, frame] of Object.entries(malformed)) {
        const code = await closedAfter(roomPath(await seat()), [frame, frame, frame]);
        expect(code, kind).toBe(CLOSE_MALFORMED);
      }
      // Over the 4 KB limit: `ws` closes with 1009 ("message too big").
      const big = messageFrame(ROOM_DATA, "question.ask", { text: marker.repeat(600) });
      expect(await closedAfter(roomPath(await seat()), [big])).toBe(1009);
      // Bad join requests: a made-up session, an unknown room, no room at all.
      const real = await seat();
      const fake = `/${real.processId}/${real.roomId}?sessionId=${marker}`;
      expect(await closedAfter(fake, [malformed["garbage bytes"]!])).toBeGreaterThanOrEqual(1000);
      const unknown = `/${real.processId}/${marker}?sessionId=${real.sessionId}`;
      expect(await closedAfter(unknown, [])).toBeGreaterThanOrEqual(1000);
      expect(await closedAfter(`/?${marker}`, [Buffer.from(marker)])).toBeGreaterThanOrEqual(1000);
      for (const body of [
        `{"tableId": "${marker}`,
        JSON.stringify({ tableId, name: { [marker]: 1 }, memberKey: 5 }),
        JSON.stringify([marker]),
        JSON.stringify({ tableId: marker, name: marker, memberKey: marker.repeat(400) }),
      ]) {
        const res = await fetch(`${server.url}/matchmake/joinOrCreate/roundtable`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        if (res.status === 200) {
          // A seat for bad options: the room refuses them when the socket joins.
          expect(await closedAfter(roomPath(await res.json()), [])).toBeGreaterThanOrEqual(1000);
        } else {
          expect(res.status).toBeGreaterThanOrEqual(400);
          await res.arrayBuffer();
        }
      }
    }

    // The server still serves members, and has handled everything sent before this.
    const ana = await new Client(server.url).joinOrCreate("roundtable", {
      tableId,
      name: "Ana",
      memberKey: "log-test-ana-key-0000",
    });
    ana.send("confidentiality.agree");
    await new Promise<void>((resolve) => {
      const check = () => {
        const me = Object.values<any>(ana.state.toJSON().members ?? {}).find(
          (m) => m.name === "Ana",
        );
        if (me?.agreed) resolve();
      };
      ana.onStateChange(check);
      check();
    });
    await ana.leave();

    const output = server.output();
    expect(output.slice(before.length)).toBe("");
    expect(output).not.toContain(marker);
    expect(output).not.toMatch(/\n\s+at /);
  }, 60_000);
});
