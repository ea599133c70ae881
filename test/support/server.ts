import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Client, CloseCode, type Room } from "@colyseus/sdk";
import { isClientMessageType, type Answer } from "../../shared/messages.ts";
import { createServer, type AppOptions } from "../../server/app.ts";
import { openStorage, type Storage } from "../../server/storage/index.ts";

/** A free loopback port, asked of the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface TestServer {
  url: string;
  port: number;
  storage: Storage;
  dir: string;
  stop(): Promise<void>;
}

/** Per-address HTTP limits high enough for any test: they all come from loopback. */
export const testLimits = {
  tablesPerMinute: 1_000_000,
  joinsPerMinute: 1_000_000,
  apiPerMinute: 1_000_000,
};

/**
 * Boots a real Roundtable server in this process, on a temporary SQLite file. The per-address
 * HTTP limits are out of reach unless the test sets them (`tablesPerMinute`, `joinsPerMinute`,
 * `apiPerMinute`).
 */
export async function startTestServer(options: Partial<AppOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(joinPath(tmpdir(), "roundtable-test-"));
  const storage = options.storage ?? (await openStorage(joinPath(dir, "test.db")));
  // Tests send faster than people, and ping after every message to know it was handled.
  const rateLimit = { perSecond: 1000, burst: 1000, disconnectAbove: 10_000 };
  const server = createServer({ rateLimit, ...testLimits, ...options, storage });
  server.options.gracefullyShutdown = false;
  const port = await freePort();
  await server.listen(port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    storage,
    dir,
    async stop() {
      await server.gracefullyShutdown(false);
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How a table is made: who may join and which flow it follows (see PROTOCOL.md, version 2). */
export interface TableOptions {
  admission?: "members" | "open";
  format?: "roundtable" | "forum";
}

/**
 * Creates a table through the HTTP API, as a person on the landing page does. Tables are "open"
 * unless the test asks for "members" (the API's default), so that suites about the meeting itself
 * need nobody to admit anybody.
 */
export async function createTable(
  url: string,
  name = "Engineering managers' circle",
  options: TableOptions = {},
): Promise<{ tableId: string; facilitatorKey: string; link: string }> {
  const res = await fetch(`${url}/api/tables`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, admission: "open", ...options }),
  });
  if (res.status !== 201) throw new Error(`create table: ${res.status} ${await res.text()}`);
  return (await res.json()) as { tableId: string; facilitatorKey: string; link: string };
}

/** The table's whole summary, read with a key (the facilitator's, or a rostered member's). */
export async function tableSummary(url: string, tableId: string, key: string): Promise<any> {
  const res = await fetch(`${url}/api/tables/${tableId}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  if (res.status !== 200) throw new Error(`table summary: ${res.status} ${await res.text()}`);
  return res.json();
}

export interface ErrorReply {
  code: string;
  message: string;
  type: string;
}

/** A person in a meeting: a real SDK client, with what they were told. */
export interface Person {
  name: string;
  memberId: string;
  memberKey: string;
  room: Room;
  errors: ErrorReply[];
  /** Whether the latest `welcome` said the person waits to be let in. */
  waiting(): boolean;
  /**
   * Sends a message and waits for the server's answer: it comes once the message was refused or
   * applied (and stored), after the patch it caused on this connection. Resolves to the refusal.
   */
  send(type: string, payload?: unknown): Promise<ErrorReply | undefined>;
  /** The synced state as plain JSON. */
  state(): any;
  leave(): Promise<void>;
}

let keySeq = 0;

/** The open connections of each table in this process: a message's effects reach all of them. */
const tableRooms = new Map<string, Set<Room>>();

/**
 * Waits until every open connection at the table has received what the server sent before now.
 * After a `send` was answered, that includes everything the message changed.
 */
export function settleTable(tableId: string): Promise<unknown> {
  const rooms = [...(tableRooms.get(tableId) ?? [])].filter((r) => r.connection.isOpen);
  return Promise.all(rooms.map((r) => settle(r)));
}

export async function join(
  url: string,
  tableId: string,
  name: string,
  extra: { facilitatorKey?: string; memberKey?: string; client?: Client } = {},
): Promise<Person> {
  const client = extra.client ?? new Client(url);
  const memberKey =
    extra.memberKey ?? `member-key-${process.pid}-${++keySeq}-${name}`.padEnd(20, "x");
  let pending: (id: string) => void = () => {};
  let waiting = false;
  const welcome = new Promise<string>((resolve) => {
    pending = resolve;
  });
  const room = await client.joinOrCreate("roundtable", {
    tableId,
    name,
    memberKey,
    ...(extra.facilitatorKey ? { facilitatorKey: extra.facilitatorKey } : {}),
  });
  const rooms = tableRooms.get(tableId) ?? new Set<Room>();
  tableRooms.set(tableId, rooms.add(room));
  room.onLeave(() => rooms.delete(room));
  const errors: ErrorReply[] = [];
  let lastError: ErrorReply | undefined;
  room.onMessage("welcome", (m: { memberId: string; waiting?: boolean }) => {
    waiting = m.waiting === true;
    pending(m.memberId);
  });
  room.onMessage("error", (e: ErrorReply) => {
    errors.push(e);
    lastError = e;
  });
  const memberId = await welcome;
  await settle(room);
  return {
    name,
    memberId,
    memberKey,
    room,
    errors,
    waiting: () => waiting,
    async send(type, payload) {
      if (process.env.TRACE) console.log(name, type, JSON.stringify(payload));
      if (isClientMessageType(type)) {
        const answer: Answer = await room.request(type, payload);
        await settleTable(tableId);
        return answer.ok
          ? undefined
          : { code: answer.code, message: answer.message, type: answer.type };
      }
      // A type the protocol does not know has no handler to answer a request: the room refuses
      // it with an `error` message, which is the answer.
      lastError = undefined;
      const before = errors.length;
      room.send(type, payload);
      await until(`the refusal of ${type}`, () => errors.length > before);
      await settleTable(tableId);
      return lastError;
    },
    state: () => room.state.toJSON(),
    leave: () => room.leave().then(() => undefined),
  };
}

/**
 * Drops a client's connection without a goodbye, as a lost network does, through the SDK's own
 * "offline" path: the client hears the drop at once (`onDrop`) and, unless its reconnection is
 * off, retries; the server gets a close that is not a consented leave, so the room's `onDrop`
 * keeps the seat. The same on every WebSocket the SDK runs on (`ws` on Node 20, Node's own on 22+).
 */
export function dropConnection(room: Room): void {
  room.connection.close(CloseCode.MAY_TRY_RECONNECT, "dropped by the test");
}

/**
 * An SDK client that keeps every frame its rooms receive, from the first (the join's full state)
 * through reconnections: what a person's socket got on the wire, whichever WebSocket the SDK
 * runs on. Join with it through `join(..., { client })`.
 */
export class FrameRecordingClient extends Client {
  readonly #frames = new Map<Room, Buffer[]>();

  /** The frames a room of this client received, in order. */
  framesOf(room: Room): Buffer[] {
    return this.#frames.get(room) ?? [];
  }

  // `createRoom` is the SDK's hook for subclasses; `connect` opens the room's connection, and
  // `connection.events.onmessage` is where that connection hands each frame to the room.
  protected override createRoom<T>(...args: [roomName: string, rootSchema?: any]): Room<any, T> {
    const room = super.createRoom<T>(...args);
    const frames: Buffer[] = [];
    this.#frames.set(room, frames);
    const connect = room.connect.bind(room);
    room.connect = (...connectArgs) => {
      connect(...connectArgs);
      const deliver = room.connection.events.onmessage;
      room.connection.events.onmessage = (event: MessageEvent) => {
        const data: unknown = event.data;
        frames.push(
          typeof data === "string"
            ? Buffer.from(data)
            : Buffer.from(
                data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array),
              ),
        );
        deliver?.(event);
      };
    };
    return room;
  }
}

/**
 * Waits until this connection has received everything the server sent it before now: a ping's
 * answer travels the same socket after them. Use it once the server has handled what matters
 * (a `send` answered, a `welcome` received); for what the server does on its own, wait on the
 * state with `until`.
 */
export function settle(room: Room): Promise<void> {
  // The SDK keeps one pong callback per room: pings on a room go one after another.
  const next = (pings.get(room) ?? Promise.resolve()).then(
    () =>
      new Promise<void>((resolve) => {
        // A closed connection receives nothing more, and the SDK sends it no ping.
        if (!room.connection?.isOpen) return resolve();
        room.ping(() => resolve());
      }),
  );
  pings.set(room, next);
  return next;
}
const pings = new WeakMap<Room, Promise<void>>();

/** Waits until a condition on the people holds, polling; fails with the description after a while. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
