/**
 * A load generator: one child process of bench/run.ts holding many clients, each room's members
 * all in this process, so a room's send and its members' receipts are timed on one clock
 * (`performance.now()`). Rooms play bench/script.ts one event at a time: an event is sent, each
 * member's client notices the change (Colyseus: its synced state satisfies the step's test, checked
 * on every patch; baseline: the frame carrying the event's sequence number arrives), and once every
 * member has it, the fan-out latency — send to the last *other* member — is recorded and the room
 * thinks for a while before its next event. No per-client timers: one timer per room, one sweep
 * per process.
 *
 * Driven over IPC by bench/run.ts (bench/protocol.ts); exits when its parent goes away.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { WebSocket as NodeWebSocket } from "ws";
import type {
  Bucket,
  Collected,
  GeneratorReply,
  GeneratorRequest,
  RoomPlan,
  Sizes,
  Target,
  Wire,
} from "./protocol.ts";
import { meeting, preamble, type Step, type SyncedView } from "./script.ts";
import { seeded } from "./stats.ts";

/** An event not seen by every member after this long counts as an error. */
const EVENT_TIMEOUT_MS = 5000;
const JOIN_TIMEOUT_MS = 20_000;
/** Gap between events while a room is fast-forwarded during the ramp (stays under rate limits). */
const RAMP_GAP_MS = 5;

const wire: Wire = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };

function byteLength(data: unknown): number {
  if (typeof data === "string") return Buffer.byteLength(data);
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, part) => n + byteLength(part), 0);
  return 0;
}

/** A `ws` client that counts the frames and payload bytes it sends and receives. */
class CountingWebSocket extends NodeWebSocket {
  /** Payload bytes received on this socket. */
  rx = 0;
  /** Size of the last frame sent. */
  lastSent = 0;

  constructor(address: string | URL, protocols?: unknown, options?: unknown) {
    super(address, protocols as string[], options as NodeWebSocket.ClientOptions);
    this.on("message", (data) => {
      const n = byteLength(data);
      this.rx += n;
      wire.framesIn++;
      wire.bytesIn += n;
    });
  }

  override send(data: unknown, ...rest: unknown[]): void {
    const n = byteLength(data);
    this.lastSent = n;
    wire.framesOut++;
    wire.bytesOut += n;
    (NodeWebSocket.prototype.send as (...args: unknown[]) => void).apply(this, [data, ...rest]);
  }
}

// Node 20 has no global WebSocket; the SDK picks up whatever is there when it is first imported.
(globalThis as { WebSocket?: unknown }).WebSocket = CountingWebSocket;
const { Client } = await import("@colyseus/sdk");

const emptyBucket = (): Bucket => ({ latencies: {}, errors: {} });
let windowBucket = emptyBucket();
let rampBucket = emptyBucket();
let joins: number[] = [];
let windowJoins: number[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const sizeSums: Collected["sizes"] = { state: { sum: 0, n: 0 }, events: {} };
/** Members who joined through the process holding their room, or through another one. */
const routing = { direct: 0, routed: 0 };
let baselineSizes: Sizes = { state: 64, events: {} };

function count(bucket: Bucket, kind: string): void {
  bucket.errors[kind] = (bucket.errors[kind] ?? 0) + 1;
}

interface Member {
  ws: CountingWebSocket;
  send(step: Step, seq: number): void;
  close(): void;
}

interface Pending {
  step: Step;
  seq: number;
  sentAt: number;
  lastOther: number;
  seen: Uint8Array;
  count: number;
  rxBefore: Float64Array;
  sendBytes: number;
  bucket: Bucket;
}

/** One room: its members and the script it plays. */
class RoomRun {
  members: Member[] = [];
  /** Colyseus: the port of the process holding the room (where its WebSockets go). */
  host = "";
  thinkMs = 400;
  pending: Pending | undefined;
  closing = false;
  #script: Iterator<Step> = [][Symbol.iterator]();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #fast = false;
  #remaining = 0;
  #seq = 0;
  #idle: (() => void)[] = [];
  #random: () => number;

  constructor(
    readonly target: Target,
    readonly plan: RoomPlan,
  ) {
    this.#random = seeded(plan.index + 1);
  }

  begin(ids: readonly string[]): void {
    this.#script = meeting(ids);
  }

  /** Plays `steps` events back to back (the ramp), or the script at a thinking pace until paused. */
  play(options: { steps?: number; thinkMs?: number }): Promise<void> {
    this.#fast = options.steps !== undefined;
    this.#remaining = options.steps ?? Number.POSITIVE_INFINITY;
    if (options.thinkMs !== undefined) this.thinkMs = options.thinkMs;
    this.#running = true;
    const done = this.#whenIdle();
    if (!this.pending && !this.#timer) this.#schedule();
    return done;
  }

  /** Stops after the event in flight, if any. */
  pause(): Promise<void> {
    this.#running = false;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const done = this.#whenIdle();
    if (!this.pending) this.#settle();
    return done;
  }

  /** Colyseus: member `i` has a new state; does it show the event in flight? */
  check(i: number, state: SyncedView): void {
    const p = this.pending;
    if (p && p.seen[i] === 0 && p.step.expect(state)) this.#observe(p, i);
  }

  /** Baseline: member `i` received the frame of event `seq`. */
  received(i: number, seq: number): void {
    const p = this.pending;
    if (p && p.seq === seq && p.seen[i] === 0) this.#observe(p, i);
  }

  refused(i: number, error: { code?: string; type?: string }): void {
    const p = this.pending;
    const what = `refused ${String(error.type)} (${String(error.code)})`;
    if (p && p.step.from === i && p.step.type === error.type) this.#fail(p, what);
    else count(p?.bucket ?? windowBucket, what);
  }

  left(code: number): void {
    if (!this.closing) count(this.pending?.bucket ?? windowBucket, `disconnected (${code})`);
  }

  timeOut(now: number): void {
    const p = this.pending;
    if (p && now - p.sentAt > EVENT_TIMEOUT_MS) this.#fail(p, `timeout ${p.step.type}`);
  }

  #next(): void {
    this.#timer = undefined;
    if (!this.#running || this.#remaining <= 0) return this.#settle();
    this.#remaining--;
    const step = this.#script.next().value as Step;
    const sender = this.members[step.from];
    if (!sender) return this.#settle();
    const p: Pending = {
      step,
      seq: ++this.#seq,
      sentAt: performance.now(),
      lastOther: 0,
      seen: new Uint8Array(this.members.length),
      count: 0,
      rxBefore: Float64Array.from(this.members, (m) => m.ws.rx),
      sendBytes: 0,
      bucket: this.#fast ? rampBucket : windowBucket,
    };
    this.pending = p;
    sender.send(step, p.seq);
    p.sendBytes = sender.ws.lastSent;
  }

  #observe(p: Pending, i: number): void {
    p.seen[i] = 1;
    p.count++;
    if (i !== p.step.from) p.lastOther = performance.now();
    if (p.count < this.members.length) return;
    const latency = Math.max(0, p.lastOther - p.sentAt);
    (p.bucket.latencies[p.step.type] ??= []).push(latency);
    if (this.target === "colyseus" && this.members.length > 1) {
      let fanout = 0;
      this.members.forEach((m, j) => {
        if (j !== p.step.from) fanout += m.ws.rx - p.rxBefore[j]!;
      });
      const sum = (sizeSums.events[p.step.type] ??= { send: 0, fanout: 0, n: 0 });
      sum.send += p.sendBytes;
      sum.fanout += fanout / (this.members.length - 1);
      sum.n++;
    }
    this.pending = undefined;
    this.#schedule();
  }

  #fail(p: Pending, kind: string): void {
    count(p.bucket, kind);
    if (this.pending === p) this.pending = undefined;
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#running || this.#remaining <= 0) return this.#settle();
    const delay = this.#fast ? RAMP_GAP_MS : this.thinkMs * (0.5 + this.#random());
    this.#timer = setTimeout(() => this.#next(), delay);
  }

  #whenIdle(): Promise<void> {
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #settle(): void {
    if (this.pending || this.#timer) return;
    if (this.#remaining <= 0) this.#running = false;
    if (this.#running) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}

const runs: Record<Target, RoomRun[]> = { colyseus: [], baseline: [] };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function createTable(url: string, index: number) {
  const res = await fetch(`${url}/api/tables`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    // Open admission: nobody in a benchmark room waits to be let in (as in version 1).
    body: JSON.stringify({ name: `Bench table ${index + 1}`, admission: "open" }),
  });
  if (res.status !== 201) throw new Error(`create table: HTTP ${res.status}`);
  return (await res.json()) as { tableId: string; facilitatorKey: string };
}

/** The port of an http:// or ws:// address ("" when there is none). */
function portOf(address: string | undefined): string {
  try {
    return new URL(address ?? "").port;
  } catch {
    return "";
  }
}

/**
 * The endpoint member `i` of room `index` joins through: with several processes, a room's
 * members arrive through each of them in turn (its table is created through member 0's).
 */
function entry(urls: readonly string[], index: number, i: number): string {
  return urls[(index + i) % urls.length]!;
}

async function joinColyseus(
  url: string,
  run: RoomRun,
  i: number,
  tableId: string,
  facilitatorKey: string | undefined,
  sink: number[],
): Promise<{ member: Member; memberId: string; roomId: string; host: string }> {
  const client = new Client(url);
  const memberKey = `bench-${process.pid}-${run.plan.index}-${i}`.padEnd(24, "x");
  const started = performance.now();
  const room = await client.joinOrCreate("roundtable", {
    tableId,
    name: `Bot ${i + 1}`,
    memberKey,
    ...(facilitatorKey ? { facilitatorKey } : {}),
  });
  const firstState = new Promise<number>((resolve) =>
    room.onStateChange.once(() => resolve(performance.now())),
  );
  const welcome = new Promise<string>((resolve) =>
    room.onMessage("welcome", (m: { memberId: string }) => resolve(m.memberId)),
  );
  const [stateAt, memberId] = await withTimeout(
    Promise.all([firstState, welcome]),
    JOIN_TIMEOUT_MS,
    "first state",
  );
  sink.push(stateAt - started);
  const ws = (room.connection.transport as unknown as { ws: CountingWebSocket }).ws;
  sizeSums.state.sum += ws.rx;
  sizeSums.state.n++;
  room.onStateChange((state) => run.check(i, state as unknown as SyncedView));
  room.onMessage("error", (e: { code?: string; type?: string }) => run.refused(i, e));
  room.onLeave((code) => run.left(code));
  return {
    memberId,
    roomId: room.roomId,
    host: portOf(room.connection.url),
    member: {
      ws,
      send: (step) => room.send(step.type, step.payload),
      close: () => void room.leave().catch(() => undefined),
    },
  };
}

async function joinBaseline(url: string, run: RoomRun, i: number, sink: number[]): Promise<Member> {
  const started = performance.now();
  const res = await fetch(`${url}/join`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ room: run.plan.index, member: i }),
  });
  await res.json();
  const state = Math.max(8, Math.round(baselineSizes.state));
  const ws = new CountingWebSocket(
    `${url.replace(/^http/, "ws")}/?room=${run.plan.index}&state=${state}`,
  );
  const stateAt = await withTimeout(
    new Promise<number>((resolve, reject) => {
      ws.once("message", () => resolve(performance.now()));
      ws.once("error", reject);
      ws.once("close", (code) => reject(new Error(`closed (${code})`)));
    }),
    JOIN_TIMEOUT_MS,
    "first state",
  );
  sink.push(stateAt - started);
  ws.on("message", (data: Buffer) => {
    if (data.length >= 4) run.received(i, data.readUInt32LE(0));
  });
  ws.on("close", (code) => run.left(code));
  return {
    ws,
    send(step, seq) {
      const size = baselineSizes.events[step.type] ?? { send: 16, fanout: 64 };
      const frame = Buffer.alloc(Math.max(8, Math.round(size.send)));
      frame.writeUInt32LE(seq, 0);
      frame.writeUInt32LE(Math.max(8, Math.round(size.fanout)), 4);
      ws.send(frame);
    },
    close: () => ws.close(),
  };
}

/** Joins one room's members (the facilitator first, then everyone else at once). */
async function addRoom(
  req: Extract<GeneratorRequest, { cmd: "add" }>,
  plan: RoomPlan,
): Promise<RoomRun | undefined> {
  const run = new RoomRun(req.target, plan);
  try {
    if (req.target === "colyseus") {
      const urls = req.urls && req.urls.length > 0 ? req.urls : [req.url];
      const via = (i: number) => entry(urls, plan.index, i);
      const table = await createTable(via(0), plan.index);
      const first = await joinColyseus(via(0), run, 0, table.tableId, table.facilitatorKey, joins);
      run.members = [first.member];
      const rest = await Promise.all(
        Array.from({ length: req.members - 1 }, (_, k) =>
          joinColyseus(via(k + 1), run, k + 1, table.tableId, undefined, joins),
        ),
      );
      const everyone = [first, ...rest];
      run.members = everyone.map((r) => r.member);
      // One table, one live room, whichever process each member joined through.
      const roomIds = new Set(everyone.map((r) => r.roomId));
      if (roomIds.size > 1) throw new Error(`the table's members landed in ${roomIds.size} rooms`);
      run.host = first.host;
      if (urls.length > 1) {
        everyone.forEach((r, i) => {
          if (portOf(via(i)) === r.host) routing.direct++;
          else routing.routed++;
        });
      }
      run.begin(everyone.map((r) => r.memberId));
    } else {
      run.members = await Promise.all(
        Array.from({ length: req.members }, (_, i) => joinBaseline(req.url, run, i, joins)),
      );
      run.begin(run.members.map((_, i) => `member-${i}`));
    }
    return run;
  } catch (error) {
    count(rampBucket, `join failed: ${error instanceof Error ? error.message : String(error)}`);
    run.closing = true;
    for (const m of run.members) m.ws.terminate();
    return undefined;
  }
}

/**
 * Join latency under load: while a target's rooms play, one member at a time joins a room of its
 * own (a fresh table for each `members` joins), then they all leave. Runs in one generator only.
 */
class JoinProber {
  #running = false;
  #done: Promise<void> = Promise.resolve();
  #rooms = 0;

  start(target: Target, urls: readonly string[], members: number): void {
    if (this.#running) return;
    this.#running = true;
    this.#done = this.#loop(target, urls, members);
  }

  stop(): Promise<void> {
    this.#running = false;
    return this.#done;
  }

  async #loop(target: Target, urls: readonly string[], members: number): Promise<void> {
    while (this.#running) {
      const index = 1_000_000 + this.#rooms++;
      const via = (i: number) => entry(urls, index, i);
      const run = new RoomRun(target, { index, skip: 0 });
      run.closing = true;
      const joined: Member[] = [];
      try {
        const table = target === "colyseus" ? await createTable(via(0), index) : undefined;
        for (let i = 0; i < members && this.#running; i++) {
          if (table) {
            const key = i === 0 ? table.facilitatorKey : undefined;
            joined.push(
              (await joinColyseus(via(i), run, i, table.tableId, key, windowJoins)).member,
            );
          } else {
            joined.push(await joinBaseline(via(i), run, i, windowJoins));
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      } catch (error) {
        count(windowBucket, `join failed: ${error instanceof Error ? error.message : error}`);
      }
      for (const m of joined) m.close();
    }
  }
}
const prober = new JoinProber();

async function add(req: Extract<GeneratorRequest, { cmd: "add" }>): Promise<void> {
  rampBucket = emptyBucket();
  joins = [];
  if (req.sizes) baselineSizes = req.sizes;
  const queue = [...req.rooms];
  const added: RoomRun[] = [];
  await Promise.all(
    Array.from({ length: Math.max(1, req.joinConcurrency) }, async () => {
      for (let plan = queue.shift(); plan; plan = queue.shift()) {
        const run = await addRoom(req, plan);
        if (run) added.push(run);
      }
    }),
  );
  runs[req.target].push(...added);
  // Every new room agrees, starts, checks in and plays into its first round, all at once.
  const preambleSteps = [...preamble(Array.from({ length: req.members }, () => ""))].length;
  await Promise.all(added.map((run) => run.play({ steps: preambleSteps + run.plan.skip })));
}

/** How many of this generator's Colyseus rooms, and their members, each process holds. */
function roomHosts(): Collected["hosts"] {
  const hosts: Collected["hosts"] = { rooms: {}, members: {} };
  for (const run of runs.colyseus) {
    hosts.rooms[run.host] = (hosts.rooms[run.host] ?? 0) + 1;
    hosts.members[run.host] = (hosts.members[run.host] ?? 0) + run.members.length;
  }
  return hosts;
}

/**
 * What this generator measured. Window events still in flight count with their age so far (a
 * lower bound of their latency): leaving out the slowest events would flatter the tail.
 */
function collect(): Collected {
  const now = performance.now();
  const latencies: Record<string, number[]> = {};
  for (const [type, list] of Object.entries(windowBucket.latencies)) latencies[type] = [...list];
  let inFlight = 0;
  for (const run of [...runs.colyseus, ...runs.baseline]) {
    const p = run.pending;
    if (p && p.bucket === windowBucket) {
      (latencies[p.step.type] ??= []).push(now - p.sentAt);
      inFlight++;
    }
  }
  return {
    window: { latencies, errors: { ...windowBucket.errors } },
    inFlight,
    ramp: rampBucket,
    joins,
    windowJoins,
    wire: { ...wire },
    loopDelay: {
      p99: loopDelay.percentile(99) / 1e6,
      max: loopDelay.max / 1e6,
    },
    sizes: sizeSums,
    clients: runs.colyseus.length + runs.baseline.length,
    hosts: roomHosts(),
    routing: { ...routing },
  };
}

async function handle(req: GeneratorRequest): Promise<Collected | undefined> {
  switch (req.cmd) {
    case "add":
      await add(req);
      return undefined;
    case "resume":
      if (req.sizes) baselineSizes = req.sizes;
      for (const run of runs[req.target]) void run.play({ thinkMs: req.thinkMs });
      if (req.probeJoins) {
        const { url, urls, members } = req.probeJoins;
        prober.start(req.target, urls && urls.length > 0 ? urls : [url], members);
      }
      return undefined;
    case "pause":
      await Promise.all([prober.stop(), ...runs[req.target].map((run) => run.pause())]);
      return undefined;
    case "reset":
      windowBucket = emptyBucket();
      windowJoins = [];
      wire.framesIn = wire.bytesIn = wire.framesOut = wire.bytesOut = 0;
      loopDelay.reset();
      return undefined;
    case "collect":
      return collect();
    case "close":
      for (const run of [...runs.colyseus, ...runs.baseline]) {
        run.closing = true;
        void run.pause();
        for (const m of run.members) m.ws.terminate();
      }
      setTimeout(() => process.exit(0), 50);
      return undefined;
    default: {
      const never: never = req;
      return never;
    }
  }
}

const sweep = setInterval(() => {
  const now = performance.now();
  for (const run of runs.colyseus) run.timeOut(now);
  for (const run of runs.baseline) run.timeOut(now);
}, 250);
sweep.unref();

process.on("message", (message: GeneratorRequest & { id: number }) => {
  handle(message).then(
    (data) => process.send?.({ id: message.id, ok: true, data } satisfies GeneratorReply),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies GeneratorReply),
  );
});
process.on("disconnect", () => process.exit(0));
process.send?.({ id: 0, ok: true } satisfies GeneratorReply);
