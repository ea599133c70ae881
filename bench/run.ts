/**
 * `npm run bench [-- --quick | --full] [options]`: Roundtable's latency, capacity and memory,
 * side by side with a raw-ws baseline (bench/baseline.ts) on the same machine in the same run.
 *
 * The real server runs in its own process (`node --import tsx server/main.ts`, NODE_ENV=production,
 * a temporary SQLite file, ROUNDTABLE_BENCH=1 for its `/bench/heap` route); so does the baseline;
 * load generators (bench/generator.ts) are child processes holding real `@colyseus/sdk` clients.
 * The load is stepped (rooms of M members each playing bench/script.ts); each step is measured on
 * the real server, then on the baseline, and stepping stops once p99 fan-out passes the limit or
 * errors appear. Results go to bench/results/<timestamp>-<mode>.{json,md} and
 * bench/results/latest-<mode>.md, and the tables are printed.
 *
 * The client too (issue 11): the production build (rebuilt first when a source is newer) is
 * measured by bench/bundle.ts, and the run exits 1 when a member's page loads more JavaScript
 * than its budget; before any load, members open a table's link in throttled headless Chromium
 * and the time until their meeting is usable is recorded (bench/usable.ts; quick 3 runs, full 5).
 *
 * Options: --quick (default when CI is set) · --full · --rooms=10,50 (the steps) · --members=10 ·
 * --think-ms=400 (mean pause between a room's events) · --window=SECONDS · --warmup=SECONDS ·
 * --generators=N · --join-concurrency=N · --max-p99=100 · --rebuild-client · --no-baseline ·
 * --all-steps (measure every step even past the limit: on a shared, noisy machine) ·
 * --db-dir=DIR (where the server's temporary SQLite file goes; default the OS temp dir) ·
 * --usable-runs=N (members opening a link, throttled; 0 skips the time to usable).
 *
 * Several processes: --processes=N (2–8) runs N server processes on Colyseus' Redis presence and
 * driver (a throwaway redis-server, test/support/redis.ts) sharing a throwaway PostgreSQL
 * (test/support/postgres.ts), each with its own PUBLIC_ADDRESS=127.0.0.1:<port>; the generators
 * create room r's table through process r mod N and join its member i through process
 * (r + i) mod N, so joins are routed across processes. Same steps, same table (server CPU, RSS and
 * heap summed over the processes, and each process on its own), plus "capacity vs one process":
 * the largest load held with N processes ÷ with one. --compare measures the one process first
 * in the same invocation (the default single-process steps, then the N-process ones); without
 * it the one-process figure is read from the newest bench/results/<ts>-<mode>.json, labelled so.
 * Results: bench/results/<ts>-<mode>-pN.{json,md} and latest-<mode>-pN.md.
 *
 * Everything runs on 127.0.0.1, every loop is bounded, and every child process (servers, Redis,
 * PostgreSQL, generators, baseline) is stopped at the end, on error and on SIGINT.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres, type TestPostgres } from "../test/support/postgres.ts";
import { startServerProcess, type ServerProcess } from "../test/support/process.ts";
import { startRedis, type TestRedis } from "../test/support/redis.ts";
import { freePort } from "../test/support/server.ts";
import type {
  Collected,
  GeneratorReply,
  GeneratorRequest,
  RoomPlan,
  Sizes,
  Target,
} from "./protocol.ts";
import { measureClientBundle } from "./bundle.ts";
import {
  capacityVsOneProcess,
  failures,
  renderMarkdown,
  stepErrors,
  targets,
  type BenchResult,
  type ClientSize,
  type OneProcessReference,
  type ProcessResult,
  type StepResult,
  type TargetResult,
  type UsableMeasured,
} from "./report.ts";
import { measureTimeToUsable } from "./usable.ts";
import { MAX_MEMBERS } from "../shared/limits.ts";
import { MIN_MEMBERS, ROUND_STEPS } from "./script.ts";
import { mergeCounts, mergeLists, seeded, summarize } from "./stats.ts";
import {
  childrenRunning,
  cpuSeconds,
  machineTicks,
  postgresPid,
  redisPid,
  rssBytes,
  runQueueSeconds,
  treeCpuSeconds,
} from "./system.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const startedAt = new Date();
const began = performance.now();
const loadAtStart = loadavg();

// ---------------------------------------------------------------------------------------------
// Options

const FLAGS = ["quick", "full", "rebuild-client", "no-baseline", "all-steps", "compare"];
const OPTIONS = [
  "processes",
  "rooms",
  "members",
  "think-ms",
  "window",
  "warmup",
  "generators",
  "join-concurrency",
  "max-p99",
  "db-dir",
  "usable-runs",
];
for (const arg of process.argv.slice(2)) {
  const name = /^--([a-z0-9-]+)(=.*)?$/.exec(arg);
  const known = name && (name[2] === undefined ? FLAGS : OPTIONS).includes(name[1]!);
  if (!known) {
    console.error(`bench: unknown argument ${arg}; see the comment at the top of bench/run.ts`);
    process.exit(2);
  }
}

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}
const flag = (name: string) => process.argv.includes(`--${name}`);
function numberOption(name: string, fallback: number, min: number, max: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`--${name} must be a number from ${min} to ${max}`);
  }
  return n;
}

const mode: "quick" | "full" = flag("quick")
  ? "quick"
  : flag("full")
    ? "full"
    : process.env.CI
      ? "quick"
      : "full";
const quick = mode === "quick";
/** Server processes: 1 (the embedded defaults, SQLite), or N on Redis and PostgreSQL. */
const processes = Math.round(numberOption("processes", 1, 1, 8));
/** Measure one process first, in this invocation, for the capacity ratio. */
const compare = flag("compare");
if (compare && processes < 2) {
  console.error("bench: --compare compares N processes with one: give --processes=N (N ≥ 2)");
  process.exit(2);
}
/** Options beyond the mode (and the number of processes) make a custom run. */
const custom = process.argv
  .slice(2)
  .some(
    (a) =>
      !["--quick", "--full", "--rebuild-client", "--compare"].includes(a) &&
      !a.startsWith("--processes="),
  );
const members = numberOption("members", 10, MIN_MEMBERS, MAX_MEMBERS);
const steps = (option("rooms") ?? (quick ? "10,50" : "50,100,200,500"))
  .split(",")
  .map((s) => Number(s.trim()));
if (steps.some((n) => !Number.isInteger(n) || n < 1 || n > 2000)) {
  throw new Error("--rooms takes a comma-separated list of room counts from 1 to 2000");
}
const config = {
  steps,
  members,
  thinkMs: numberOption("think-ms", 400, 20, 10_000),
  warmupSeconds: numberOption("warmup", quick ? 0.5 : 3, 0, 60),
  windowSeconds: numberOption("window", quick ? 5 : 20, 1, 300),
  generators: Math.round(
    numberOption(
      "generators",
      Math.min(6, Math.max(1, Math.ceil((Math.max(...steps) * members) / 1000))),
      1,
      8,
    ),
  ),
  joinConcurrency: Math.round(numberOption("join-concurrency", 8, 1, 100)),
  maxP99Ms: numberOption("max-p99", 100, 1, 10_000),
  /** Where the server's SQLite file goes: the OS temp dir (a disk here), or e.g. /dev/shm. */
  dbDir: option("db-dir") ?? tmpdir(),
  /** Members opening a table's link on the throttled profile (bench/usable.ts); 0: none. */
  usableRuns: Math.round(numberOption("usable-runs", quick ? 3 : 5, 0, 20)),
};
const withBaseline = !flag("no-baseline");
const allSteps = flag("all-steps");
/** The whole run stops itself after this long, whatever happens (per set of steps run). */
const HARD_LIMIT_MS = (quick ? 150_000 : 30 * 60_000) * (compare ? 2 : 1);

// ---------------------------------------------------------------------------------------------
// Child processes: all tracked, all killed on the way out.

const children = new Set<ChildProcess>();
/** The server's temporary SQLite file lives here; removed on the way out. */
const scratch = mkdtempSync(join(config.dbDir, "roundtable-bench-"));
function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  // A server still starting is not tracked yet (startServerProcess returns once it answers).
  for (const pid of childrenRunning(process.pid, process.execPath)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
// Redis and PostgreSQL (several processes) kill themselves on the way out too: their helpers in
// test/support hook process "exit", which process.exit below runs.
function killAll(): void {
  killChildren();
  rmSync(scratch, { recursive: true, force: true });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops that need a moment (Redis and PostgreSQL: a shutdown, then their files removed), run on
 * SIGINT, SIGTERM and the hard limit before exiting; "exit" hooks alone would leave files.
 */
const cleanups = new Set<() => Promise<void>>();
let leaving = false;
function leave(code: number): void {
  if (leaving) process.exit(code); // a second signal: no more waiting
  leaving = true;
  killChildren();
  const done = Promise.allSettled([...cleanups].map((stop) => stop()));
  void Promise.race([done, sleep(5000)]).finally(() => {
    killAll();
    process.exit(code);
  });
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`bench: ${signal}, stopping every child process`);
    leave(130);
  });
}
setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 1000} s; stopping`);
  leave(2);
}, HARD_LIMIT_MS).unref();

/** Progress, with the seconds since the start. */
function log(message: string): void {
  console.log(`bench [${((performance.now() - began) / 1000).toFixed(1)} s] ${message}`);
}

function spawnNode(script: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [...args, "--import", "tsx", script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** The last lines a child printed, for error messages. */
function tail(child: ChildProcess): () => string {
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

class Generator {
  #next = 1;
  #pending = new Map<
    number,
    { resolve: (d: Collected | undefined) => void; reject: (e: Error) => void }
  >();
  readonly output: () => string;
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.output = tail(child);
    let markReady: () => void = () => {};
    this.ready = new Promise((resolve) => (markReady = resolve));
    child.on("message", (reply: GeneratorReply) => {
      if (reply.id === 0) return markReady();
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply.data);
      else waiter.reject(new Error(`generator: ${reply.error}`));
    });
    child.once("exit", (code, signal) => {
      const error = new Error(
        `generator ${child.pid} exited (${code ?? signal}):\n${this.output().slice(-1500)}`,
      );
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    });
  }

  request(req: GeneratorRequest, timeoutMs = 30_000): Promise<Collected | undefined> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(`generator ${this.child.pid}: ${req.cmd} timed out after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ ...req, id });
    });
  }
}

async function startGenerator(): Promise<Generator> {
  const generator = new Generator(spawnNode("bench/generator.ts", []));
  const exited = new Promise<never>((_, reject) =>
    generator.child.once("exit", () =>
      reject(new Error(`generator did not start:\n${generator.output()}`)),
    ),
  );
  await Promise.race([
    generator.ready,
    exited,
    sleep(30_000).then(() => Promise.reject(new Error("generator did not start in 30 s"))),
  ]);
  return generator;
}

async function startBaseline(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnNode("bench/baseline.ts", ["--expose-gc"], { PORT: "0" });
  const output = tail(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const port = /baseline listening on (\d+)/.exec(output())?.[1];
    if (port) return { url: `http://127.0.0.1:${port}`, child };
    if (child.exitCode !== null) throw new Error(`baseline exited early:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`baseline did not start in 30 s:\n${output()}`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// The client build

/** The newest file under `dir` (recursively), skipping node_modules: [path, mtime ms]. */
function newest(dir: string): [string, number] {
  let best: [string, number] = ["", 0];
  if (!existsSync(dir)) return best;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    const found: [string, number] = entry.isDirectory()
      ? newest(path)
      : [path, statSync(path).mtimeMs];
    if (found[1] > best[1]) best = found;
  }
  return best;
}

/**
 * Builds the client when asked (--rebuild-client), when there is no build, or when a source of
 * the client (client/, shared/, vite.config.ts, the lockfile) is newer than the build: the budget
 * and the time to usable are about the code as it is. Then measures it with bench/bundle.ts.
 */
function clientSize(): ClientSize {
  if (!existsSync(join(root, "client", "index.html"))) return { status: "client not built" };
  const dir = join(root, "dist", "client");
  const manifest = join(dir, ".vite", "manifest.json");
  const sources = [
    newest(join(root, "client")),
    newest(join(root, "shared")),
    ...["vite.config.ts", "package-lock.json"]
      .map((f) => join(root, f))
      .filter((f) => existsSync(f))
      .map((f): [string, number] => [f, statSync(f).mtimeMs]),
  ].sort((a, b) => b[1] - a[1]);
  const builtAt = existsSync(manifest) ? statSync(manifest).mtimeMs : 0;
  const built = flag("rebuild-client")
    ? "--rebuild-client"
    : builtAt === 0
      ? "no build"
      : sources[0]![1] > builtAt
        ? `${sources[0]![0].slice(root.length)} is newer than the build`
        : undefined;
  if (built) {
    log(`building the client (${built})…`);
    const build = spawnSync("npx", ["vite", "build"], {
      cwd: root,
      encoding: "utf8",
      timeout: 180_000,
    });
    if (build.status !== 0 || !existsSync(manifest)) {
      return {
        status: "client build failed",
        detail: `${build.stderr ?? ""}${build.stdout ?? ""}`.trim().split("\n").slice(-3).join(" "),
      };
    }
  }
  return { status: "ok", ...(built ? { built } : {}), bundle: measureClientBundle(dir) };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Heap {
  gc: boolean;
  heapUsed: number;
  rss: number;
}

async function heapOf(url: string): Promise<Heap | undefined> {
  try {
    const res = await fetch(`${url}/bench/heap`);
    if (!res.ok) return undefined;
    return (await res.json()) as Heap;
  } catch {
    return undefined;
  }
}

function mergeSizes(collected: Collected[]): Sizes {
  const state = { sum: 0, n: 0 };
  const events: Record<string, { send: number; fanout: number; n: number }> = {};
  for (const c of collected) {
    state.sum += c.sizes.state.sum;
    state.n += c.sizes.state.n;
    for (const [type, s] of Object.entries(c.sizes.events)) {
      const e = (events[type] ??= { send: 0, fanout: 0, n: 0 });
      e.send += s.send;
      e.fanout += s.fanout;
      e.n += s.n;
    }
  }
  return {
    state: state.n > 0 ? state.sum / state.n : 64,
    events: Object.fromEntries(
      Object.entries(events).map(([type, e]) => [
        type,
        { send: e.send / e.n, fanout: e.fanout / e.n },
      ]),
    ),
  };
}

const summarizeAll = (lists: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, summarize(v)]));

/** One server process of a side: where it answers, and its pid for /proc. */
interface Proc {
  url: string;
  pid: number | undefined;
  heap0?: Heap;
  rss0: number;
}

interface Side {
  target: Target;
  /** The real server: one process, or several on Redis; the baseline: one. */
  procs: Proc[];
  rooms: number;
  /** Several processes: CPU seconds so far of the redis-server and of PostgreSQL. */
  shared?: { redis: () => number; postgres: () => number };
}

async function all<T>(
  generators: Generator[],
  req: GeneratorRequest | ((g: number) => GeneratorRequest),
  timeoutMs?: number,
) {
  return Promise.all(
    generators.map((g, i) => g.request(typeof req === "function" ? req(i) : req, timeoutMs)),
  ) as Promise<T[]>;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const portOf = (url: string) => new URL(url).port;

async function measure(
  side: Side,
  rooms: number,
  generators: Generator[],
  sizes: Sizes | undefined,
): Promise<{ result: TargetResult; collected: Collected[] }> {
  const several = side.procs.length > 1;
  const url = side.procs[0]!.url;
  const urls = several ? { urls: side.procs.map((p) => p.url) } : {};
  const plans: RoomPlan[] = [];
  for (let index = side.rooms; index < rooms; index++) {
    plans.push({ index, skip: Math.floor(seeded(index + 7919)() * ROUND_STEPS) });
  }
  const rampStart = performance.now();
  await all(
    generators,
    (g) => ({
      cmd: "add",
      target: side.target,
      url,
      ...urls,
      rooms: plans.filter((p) => p.index % generators.length === g),
      members,
      joinConcurrency: config.joinConcurrency,
      ...(sizes ? { sizes } : {}),
    }),
    Math.max(60_000, plans.length * members * 200),
  );
  const rampSeconds = (performance.now() - rampStart) / 1000;
  log(`  ${side.target}: ${rooms} rooms ready after ${rampSeconds.toFixed(1)} s of ramp`);
  side.rooms = rooms;
  const afterRamp = (await all<Collected>(generators, { cmd: "collect" })).filter(Boolean);
  const joins: number[] = [];
  const rampLatencies: Record<string, number[]> = {};
  const rampErrors: Record<string, number> = {};
  for (const c of afterRamp) {
    joins.push(...c.joins);
    mergeLists(rampLatencies, c.ramp.latencies);
    mergeCounts(rampErrors, c.ramp.errors);
  }
  const joinFailures = Object.entries(rampErrors)
    .filter(([k]) => k.startsWith("join failed"))
    .reduce((n, [, v]) => n + v, 0);

  // Every room idle: the memory a room costs at rest (every process's, summed).
  await sleep(500);
  const heaps = await Promise.all(side.procs.map((p) => heapOf(p.url)));
  const everyHeap = heaps.every((h) => h !== undefined);
  const heap = everyHeap
    ? {
        gc: heaps.every((h) => h!.gc),
        heapUsed: sum(heaps.map((h) => h!.heapUsed)),
      }
    : undefined;
  const rssOf = side.procs.map((p, i) => heaps[i]?.rss ?? rssBytes(p.pid));
  const rss = sum(rssOf);
  const rss0 = sum(side.procs.map((p) => p.rss0));
  const heap0 = side.procs.every((p) => p.heap0 !== undefined)
    ? sum(side.procs.map((p) => p.heap0!.heapUsed))
    : undefined;
  const heapPerRoom = heap && heap0 !== undefined ? (heap.heapUsed - heap0) / rooms : undefined;

  await all(generators, (g) => ({
    cmd: "resume",
    target: side.target,
    thinkMs: config.thinkMs,
    ...(sizes ? { sizes } : {}),
    ...(g === 0 ? { probeJoins: { url, members, ...urls } } : {}),
  }));
  await sleep(config.warmupSeconds * 1000);
  await all(generators, { cmd: "reset" });
  const t0 = performance.now();
  const cpu0 = side.procs.map((p) => cpuSeconds(p.pid));
  const wait0 = side.procs.map((p) => runQueueSeconds(p.pid));
  const shared0 = side.shared
    ? { redis: side.shared.redis(), postgres: side.shared.postgres() }
    : undefined;
  const genWait0 = generators.map((g) => runQueueSeconds(g.child.pid));
  const gen0 = generators.reduce((n, g) => n + cpuSeconds(g.child.pid), 0);
  const machine0 = machineTicks();
  await sleep(config.windowSeconds * 1000);
  const collected = (await all<Collected>(generators, { cmd: "collect" })).filter(Boolean);
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = side.procs.map((p) => cpuSeconds(p.pid));
  const wait1 = side.procs.map((p) => runQueueSeconds(p.pid));
  const shared1 = side.shared
    ? { redis: side.shared.redis(), postgres: side.shared.postgres() }
    : undefined;
  const genWait = Math.max(
    0,
    ...generators.map((g, i) => runQueueSeconds(g.child.pid) - (genWait0[i] ?? 0)),
  );
  const gen1 = generators.reduce((n, g) => n + cpuSeconds(g.child.pid), 0);
  const machine1 = machineTicks();
  await all(generators, { cmd: "pause", target: side.target }, 20_000);

  const latencies: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  const windowJoins: number[] = [];
  const wire = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
  const hostRooms: Record<string, number> = {};
  const hostMembers: Record<string, number> = {};
  const routing = { direct: 0, routed: 0 };
  let loopP99 = 0;
  let inFlight = 0;
  for (const c of collected) {
    mergeLists(latencies, c.window.latencies);
    mergeCounts(errors, c.window.errors);
    windowJoins.push(...c.windowJoins);
    wire.framesIn += c.wire.framesIn;
    wire.bytesIn += c.wire.bytesIn;
    wire.framesOut += c.wire.framesOut;
    wire.bytesOut += c.wire.bytesOut;
    loopP99 = Math.max(loopP99, c.loopDelay.p99);
    inFlight += c.inFlight;
    mergeCounts(hostRooms, c.hosts.rooms);
    mergeCounts(hostMembers, c.hosts.members);
    routing.direct += c.routing.direct;
    routing.routed += c.routing.routed;
  }
  const everything = Object.values(latencies).flat();
  const machineTotal = machine1.total - machine0.total;
  const perProcessCpu = side.procs.map((_, i) => ((cpu1[i]! - cpu0[i]!) / seconds) * 100);
  const perProcessWait = side.procs.map((_, i) => ((wait1[i]! - wait0[i]!) / seconds) * 100);
  const serverCpu = sum(perProcessCpu);
  const generatorsCpu = ((gen1 - gen0) / seconds) * 100;
  const redisCpu =
    shared0 && shared1 ? ((shared1.redis - shared0.redis) / seconds) * 100 : undefined;
  const postgresCpu =
    shared0 && shared1 ? ((shared1.postgres - shared0.postgres) / seconds) * 100 : undefined;
  const busy = machineTotal > 0 ? ((machine1.busy - machine0.busy) / machineTotal) * 100 : 0;
  // Whatever else ran on the machine meanwhile (other people's tests), in % of one core.
  const others = Math.max(
    0,
    busy * cpus().length - serverCpu - generatorsCpu - (redisCpu ?? 0) - (postgresCpu ?? 0),
  );
  const perProcess: ProcessResult[] | undefined = several
    ? side.procs.map((p, i) => {
        const port = portOf(p.url);
        const held = hostRooms[port] ?? 0;
        const h = heaps[i];
        return {
          address: `127.0.0.1:${port}`,
          rooms: held,
          members: hostMembers[port] ?? 0,
          cpu: perProcessCpu[i]!,
          waiting: perProcessWait[i]!,
          rss: rssOf[i]!,
          ...(h ? { heapUsed: h.heapUsed } : {}),
          ...(h && p.heap0 && held > 0
            ? { heapPerRoom: (h.heapUsed - p.heap0.heapUsed) / held }
            : {}),
        };
      })
    : undefined;
  const result: TargetResult = {
    rampSeconds,
    joins: summarize(windowJoins),
    rampJoins: summarize(joins),
    joinFailures,
    ramp: { events: summarizeAll(rampLatencies), errors: rampErrors },
    memory: {
      gc: heap?.gc ?? false,
      ...(heap ? { heapUsed: heap.heapUsed } : {}),
      ...(heapPerRoom !== undefined ? { heapPerRoom, heapPerMember: heapPerRoom / members } : {}),
      rss,
      rssPerRoom: (rss - rss0) / rooms,
    },
    window: {
      seconds,
      events: summarizeAll(latencies),
      all: summarize(everything),
      eventsPerSecond: everything.length / seconds,
      inFlight,
      errors,
    },
    cpu: {
      server: serverCpu,
      // Several processes: the most delayed one.
      serverWaiting: Math.max(...perProcessWait),
      generators: generatorsCpu,
      generatorsWaiting: (genWait / seconds) * 100,
      others,
      machineBusyPercent: busy,
      ...(redisCpu !== undefined ? { redis: redisCpu } : {}),
      ...(postgresCpu !== undefined ? { postgres: postgresCpu } : {}),
    },
    wire: {
      framesInPerSec: wire.framesIn / seconds,
      bytesInPerSec: wire.bytesIn / seconds,
      framesOutPerSec: wire.framesOut / seconds,
      bytesOutPerSec: wire.bytesOut / seconds,
    },
    generatorLoopDelayP99: loopP99,
    ...(perProcess ? { processes: perProcess, routing } : {}),
  };
  return { result, collected };
}

// ---------------------------------------------------------------------------------------------
// The run

/** Time to usable, measured once per invocation, by the first set of steps. */
let usable: UsableMeasured | undefined;

/** One set of steps against one server setup: one process, or N on Redis and PostgreSQL. */
interface Phase {
  processes: number;
  startedAt: string;
  steps: StepResult[];
  aborted?: string;
}

/** Starts N server processes on a fresh Redis and PostgreSQL (stopped by `stop`, or on exit). */
async function startCluster(
  n: number,
  env: Record<string, string>,
): Promise<{
  servers: ServerProcess[];
  shared: NonNullable<Side["shared"]>;
  stop: () => Promise<void>;
}> {
  // Both start at once; a stop (the end, an error, a signal) waits for a start still on its way.
  const starting = Promise.allSettled([startRedis(), startPostgres()]);
  const servers: ServerProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.allSettled(servers.map((s) => s.stop()));
      const [r, p] = await starting;
      await Promise.allSettled([
        r.status === "fulfilled" ? r.value.stop() : undefined,
        p.status === "fulfilled" ? p.value.stop() : undefined,
      ]);
      cleanups.delete(stop);
    })());
  cleanups.add(stop);
  try {
    const [r, p] = await starting;
    if (r.status === "rejected") throw r.reason;
    if (p.status === "rejected") throw p.reason;
    const redis: TestRedis = r.value;
    const postgres: TestPostgres = p.value;
    if (leaving) throw new Error("stopping");
    log(`redis ${redis.url}, postgres ${postgres.url.replace(/\/\/[^@]*@/, "//")}`);
    const started = await Promise.allSettled(
      Array.from({ length: n }, async () => {
        const port = await freePort();
        const server = await startServerProcess({
          ...env,
          PORT: String(port),
          REDIS_URL: redis.url,
          DATABASE_URL: postgres.url,
          PUBLIC_ADDRESS: `127.0.0.1:${port}`,
        });
        children.add(server.child);
        servers.push(server);
        return server;
      }),
    );
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    servers.sort((a, b) => a.port - b.port);
    const redisPort = redis.port;
    const pgPort = Number(new URL(postgres.url).port);
    let redisProc: number | undefined;
    let pgProc: number | undefined;
    return {
      servers,
      shared: {
        redis: () => treeCpuSeconds((redisProc ??= redisPid(redisPort))),
        postgres: () => treeCpuSeconds((pgProc ??= postgresPid(pgPort))),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function runPhase(n: number): Promise<Phase> {
  const phase: Phase = {
    processes: n,
    startedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    steps: [],
  };
  const servers: ServerProcess[] = [];
  let stopCluster: (() => Promise<void>) | undefined;
  const generators: Generator[] = [];
  const stepsDone = phase.steps;
  const serverEnv = {
    NODE_ENV: "production",
    ROUNDTABLE_BENCH: "1",
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --expose-gc`.trim(),
    // The generators create every table and join every member from one address (loopback).
    TABLES_PER_MINUTE: "1000000",
    JOINS_PER_MINUTE: "1000000",
  };
  try {
    // Everything starts at once; once all of it has settled, anything that failed stops the run
    // (and everything that did start is stopped below).
    const [startedP, baselineP, ...gensP] = await Promise.allSettled([
      n === 1
        ? startServerProcess({
            NODE_ENV: serverEnv.NODE_ENV,
            DATABASE_URL: join(scratch, "bench.db"),
            ROUNDTABLE_BENCH: serverEnv.ROUNDTABLE_BENCH,
            NODE_OPTIONS: serverEnv.NODE_OPTIONS,
            TABLES_PER_MINUTE: serverEnv.TABLES_PER_MINUTE,
            JOINS_PER_MINUTE: serverEnv.JOINS_PER_MINUTE,
          }).then((s) => {
            children.add(s.child);
            servers.push(s);
            return { servers: [s], shared: undefined };
          })
        : startCluster(n, serverEnv).then((cluster) => {
            stopCluster = cluster.stop;
            servers.push(...cluster.servers);
            return cluster;
          }),
      withBaseline ? startBaseline() : Promise.resolve(undefined),
      ...Array.from({ length: config.generators }, () => startGenerator()),
    ]);
    for (const g of gensP) if (g.status === "fulfilled") generators.push(g.value as Generator);
    for (const settled of [startedP, baselineP, ...gensP]) {
      if (settled.status === "rejected") throw settled.reason;
    }
    const started = (
      startedP as PromiseFulfilledResult<{
        servers: ServerProcess[];
        shared: Side["shared"];
      }>
    ).value;
    const baseline = (
      baselineP as PromiseFulfilledResult<{ url: string; child: ChildProcess } | undefined>
    ).value;
    if (n > 1) log(`${n} server processes: ${servers.map((s) => s.url).join(", ")}`);

    const real: Side = {
      target: "colyseus",
      procs: started.servers.map((s) => ({
        url: s.url,
        pid: s.child.pid,
        rss0: rssBytes(s.child.pid),
      })),
      rooms: 0,
      ...(started.shared ? { shared: started.shared } : {}),
    };
    for (const p of real.procs) {
      p.heap0 = await heapOf(p.url);
      if (p.heap0) p.rss0 = p.heap0.rss;
    }
    const raw: Side | undefined = baseline
      ? {
          target: "baseline",
          procs: [{ url: baseline.url, pid: baseline.child.pid, rss0: 0 }],
          rooms: 0,
        }
      : undefined;
    if (raw) {
      const p = raw.procs[0]!;
      p.heap0 = await heapOf(p.url);
      p.rss0 = p.heap0?.rss ?? rssBytes(p.pid);
    }

    // Before any load: a member opening a link to a server that is otherwise quiet.
    if (config.usableRuns > 0 && !usable) {
      log(`time to usable: ${config.usableRuns} member(s) opening a link, throttled…`);
      const before = loadavg()[0]!;
      const measured = await measureTimeToUsable(real.procs[0]!.url, config.usableRuns, log);
      usable = { ...measured, loadAverage: [before, loadavg()[0]!] };
      if (measured.error) log(`  time to usable not measured: ${measured.error}`);
    }

    for (const rooms of config.steps) {
      if (rooms <= real.rooms) continue;
      log(`${rooms} rooms × ${members} — Roundtable${n > 1 ? ` on ${n} processes` : ""}…`);
      const measured = await measure(real, rooms, generators, undefined);
      const sizes = mergeSizes(measured.collected);
      let baselineResult: TargetResult | undefined;
      if (raw) {
        log(`${rooms} rooms × ${members} — raw ws baseline…`);
        baselineResult = (await measure(raw, rooms, generators, sizes)).result;
      }
      const a = measured.result;
      const errors = stepErrors(a);
      const p99 = a.window.all.p99;
      const why =
        a.window.all.n === 0
          ? "no events measured"
          : p99 > config.maxP99Ms
            ? `p99 ${p99.toFixed(0)} ms > ${config.maxP99Ms} ms`
            : errors > 0
              ? `${errors} error(s)`
              : undefined;
      const step: StepResult = {
        rooms,
        members,
        connected: rooms * members,
        colyseus: a,
        ...(baselineResult ? { baseline: baselineResult, sizes } : {}),
        held: why === undefined,
        ...(why ? { why } : {}),
      };
      const previous = stepsDone.at(-1);
      for (const target of ["colyseus", "baseline"] as const) {
        const now = step[target]?.memory;
        const before = previous?.[target]?.memory;
        if (now?.heapUsed !== undefined && before?.heapUsed !== undefined && previous) {
          now.heapMarginalPerRoom = (now.heapUsed - before.heapUsed) / (rooms - previous.rooms);
        }
      }
      stepsDone.push(step);
      const b = baselineResult?.window.all;
      log(
        `  fan-out p50 ${a.window.all.p50.toFixed(1)} p99 ${p99.toFixed(1)} ms` +
          (b ? ` (ws p50 ${b.p50.toFixed(1)} p99 ${b.p99.toFixed(1)} ms)` : "") +
          `, ${a.window.eventsPerSecond.toFixed(0)} events/s, server CPU ${a.cpu.server.toFixed(0)}%` +
          (a.processes ? ` (${a.processes.map((p) => `${p.cpu.toFixed(0)}%`).join(" + ")})` : "") +
          `, errors ${errors}${why ? ` — stop: ${why}` : ""}`,
      );
      if (why && !allSteps) break;
    }
  } catch (error) {
    phase.aborted = error instanceof Error ? error.message : String(error);
    console.error(`bench: ${phase.aborted}`);
    for (const [i, server] of servers.entries()) {
      const name = servers.length > 1 ? `server ${i + 1} (${server.url})` : "server";
      console.error(`${name} output:\n${server.output().slice(-2000)}`);
    }
  } finally {
    await Promise.allSettled(generators.map((g) => g.request({ cmd: "close" }, 5000)));
    if (stopCluster) await stopCluster().catch(() => undefined);
    else await servers[0]?.stop().catch(() => undefined);
    killChildren();
  }
  return phase;
}

/** The newest one-process result of this mode (not a custom run), for the capacity ratio. */
function latestOneProcess(outDir: string): OneProcessReference | undefined {
  const pattern = new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z-${mode}\\.json$`);
  const files = existsSync(outDir)
    ? readdirSync(outDir)
        .filter((f) => pattern.test(f))
        .sort()
    : [];
  for (const file of files.reverse()) {
    try {
      const stored = JSON.parse(readFileSync(join(outDir, file), "utf8")) as BenchResult;
      if ((stored.processes ?? 1) !== 1 || stored.custom) continue;
      return {
        source: "file",
        file: `bench/results/${file}`,
        startedAt: stored.startedAt,
        plannedSteps: stored.config.steps,
        steps: stored.steps,
        capacity: stored.capacity,
        maxP99Ms: stored.config.maxP99Ms,
        ...(stored.aborted ? { aborted: stored.aborted } : {}),
      };
    } catch {
      // not a result file we can read: try the next older one
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  log(
    `${mode} — steps ${config.steps.join(", ")} rooms of ${members}, ` +
      `${config.windowSeconds} s per step, ${config.generators} generator(s)` +
      (processes > 1
        ? `, ${processes} server processes + Redis + PostgreSQL` +
          (compare ? " (one process first, for the comparison)" : "")
        : ""),
  );
  const client = clientSize();
  const bundle = client.bundle;
  log(
    `client: ${bundle ? `${(bundle.memberGzip / 1000).toFixed(1)} kB gzip loaded by a member's page (budget ${(bundle.budgetGzip / 1000).toFixed(1)} kB)` : client.status}`,
  );
  const outDir = join(root, "bench", "results");

  let oneProcess: OneProcessReference | undefined;
  if (compare) {
    log("one process (the default setup: embedded presence, SQLite)…");
    const one = await runPhase(1);
    const best = one.steps.filter((s) => s.held).at(-1);
    oneProcess = {
      source: "same run",
      startedAt: one.startedAt,
      plannedSteps: config.steps,
      steps: one.steps,
      capacity: best ? { rooms: best.rooms, members: best.connected } : undefined,
      maxP99Ms: config.maxP99Ms,
      ...(one.aborted ? { aborted: one.aborted } : {}),
    };
    log(`${processes} processes on Redis and PostgreSQL…`);
  }
  const phase = await runPhase(processes);
  if (processes > 1 && !oneProcess) oneProcess = latestOneProcess(outDir);
  const stepsDone = phase.steps;
  // A run that could not measure one process for the comparison stopped early too.
  const aborted =
    phase.aborted ??
    (oneProcess?.source === "same run" && oneProcess.aborted
      ? `one process (--compare): ${oneProcess.aborted}`
      : undefined);

  // The budget counts what bench/bundle.ts says a member loads on opening; the browser says what
  // the page did load.
  if (usable && bundle) {
    const counted = new Set(bundle.chunks.filter((c) => c.memberLoads).map((c) => c.file));
    const fetched = new Set(usable.runs.flatMap((r) => r.scripts.map((f) => f.file)));
    usable.uncounted = [...fetched].filter((file) => !counted.has(file));
  }

  const held = stepsDone.filter((s) => s.held);
  const best = held.at(-1);
  const partial: Omit<BenchResult, "targets"> = {
    mode,
    custom,
    args: process.argv.slice(2),
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, "Z"),
    seconds: (performance.now() - began) / 1000,
    machine: { cores: cpus().length, node: process.version, loadAverage: loadAtStart },
    config,
    client,
    ...(usable ? { usable } : {}),
    steps: stepsDone,
    capacity: best ? { rooms: best.rooms, members: best.connected } : undefined,
    ...(aborted ? { aborted } : {}),
    ...(processes > 1 ? { processes, ...(oneProcess ? { oneProcess } : {}) } : {}),
  };
  if (processes > 1) partial.capacityVsOneProcess = capacityVsOneProcess(partial);
  const result: BenchResult = { ...partial, targets: targets(partial) };
  const markdown = renderMarkdown(result);
  mkdirSync(outDir, { recursive: true });
  // A run with options of its own is kept, but is not the mode's latest result.
  const kind = processes > 1 ? `${mode}-p${processes}` : mode;
  const label = custom ? `${kind}-custom` : kind;
  const stamp = result.startedAt.replace(/[:]/g, "-");
  const written = [`${stamp}-${label}.json`, `${stamp}-${label}.md`];
  writeFileSync(join(outDir, written[0]!), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, written[1]!), markdown);
  if (!custom) {
    writeFileSync(join(outDir, `latest-${kind}.md`), markdown);
    written.push(`latest-${kind}.md`);
  }
  console.log(`\n${markdown}`);
  console.log(`bench: wrote ${written.map((f) => `bench/results/${f}`).join(", ")}`);
  if (aborted) process.exitCode = 1;
  for (const failure of failures(result)) {
    console.error(`bench: ${failure}`);
    process.exitCode = 1;
  }
}

await main();
process.exit();
