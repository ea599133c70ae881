/** The benchmark's result, as JSON and as the Markdown tables it prints. */
import { MEMBER_BUDGET_GZIP, type ClientBundle } from "./bundle.ts";
import type { Sizes } from "./protocol.ts";
import { ratio, type Summary } from "./stats.ts";
import type { UsableResult } from "./usable.ts";

export interface TargetResult {
  /** Seconds to join the step's new rooms and play them into their first round. */
  rampSeconds: number;
  /** Joins while the rooms play: one member at a time into a room of its own. */
  joins: Summary;
  /** Joins of the ramp: many rooms at once, all members of a room at once. */
  rampJoins: Summary;
  joinFailures: number;
  /** Events played during the ramp (agree, start, check-in, the first steps of a round). */
  ramp: { events: Record<string, Summary>; errors: Record<string, number> };
  memory: {
    /** Whether the server ran a full GC before answering (heap figures are meaningful). */
    gc: boolean;
    heapUsed?: number;
    /** (heap used now − heap used before any room) ÷ rooms, with every room idle. */
    heapPerRoom?: number;
    /** (heap used now − heap used at the previous step) ÷ rooms added: no one-off warm-up. */
    heapMarginalPerRoom?: number;
    heapPerMember?: number;
    rss: number;
    rssPerRoom: number;
  };
  window: {
    seconds: number;
    events: Record<string, Summary>;
    all: Summary;
    eventsPerSecond: number;
    /** Events still on their way when the window closed, counted with their age so far. */
    inFlight: number;
    errors: Record<string, number>;
  };
  /** Percent of one core over the window (machine busy: percent of all cores). */
  cpu: {
    server: number;
    /** Percent of the window the server's main thread was runnable but waiting for a CPU. */
    serverWaiting: number;
    generators: number;
    /** The same for the most delayed generator process. */
    generatorsWaiting: number;
    others: number;
    machineBusyPercent: number;
    /** Several processes: the redis-server they share, and PostgreSQL (every backend). */
    redis?: number;
    postgres?: number;
  };
  wire: {
    framesInPerSec: number;
    bytesInPerSec: number;
    framesOutPerSec: number;
    bytesOutPerSec: number;
  };
  generatorLoopDelayP99: number;
  /** Several server processes: each one (the server figures above are their sums). */
  processes?: ProcessResult[];
  /** Several server processes: members who joined through their room's process, or elsewhere. */
  routing?: { direct: number; routed: number };
}

/** One server process of a multi-process run, at one step. */
export interface ProcessResult {
  /** Its PUBLIC_ADDRESS. */
  address: string;
  /** Rooms (and their members) it holds: where the rooms' WebSockets are connected. */
  rooms: number;
  members: number;
  /** Percent of one core over the window, and of the window spent waiting for a CPU. */
  cpu: number;
  waiting: number;
  rss: number;
  heapUsed?: number;
  /** (heap used now − before any room) ÷ the rooms it holds, every room idle. */
  heapPerRoom?: number;
}

export interface StepResult {
  rooms: number;
  members: number;
  connected: number;
  colyseus: TargetResult;
  baseline?: TargetResult;
  /** Message sizes seen on the real server (bytes), which the baseline replayed. */
  sizes?: Sizes;
  held: boolean;
  why?: string;
}

export interface ClientSize {
  status: "ok" | "client not built" | "client build failed";
  /** Built by this run: why ("--rebuild-client", "no build", or the newer source file). */
  built?: string;
  /** What a member's page loads, measured by bench/bundle.ts. */
  bundle?: ClientBundle;
  detail?: string;
}

/** Time to usable, with what the run saw around it. */
export interface UsableMeasured extends UsableResult {
  /** The machine's load average (1 min) before and after. */
  loadAverage: [number, number];
  /** JavaScript files the page fetched that bench/bundle.ts does not count. */
  uncounted?: string[];
}

export interface BenchResult {
  mode: "quick" | "full";
  /** Run with options beyond the mode (steps, window, …): not the mode's latest result. */
  custom: boolean;
  args: string[];
  startedAt: string;
  seconds: number;
  machine: { cores: number; node: string; loadAverage: number[] };
  config: {
    steps: number[];
    members: number;
    thinkMs: number;
    warmupSeconds: number;
    windowSeconds: number;
    generators: number;
    joinConcurrency: number;
    maxP99Ms: number;
    dbDir: string;
  };
  client: ClientSize;
  /** Time to usable on the throttled profile (bench/usable.ts); absent with --usable-runs=0. */
  usable?: UsableMeasured;
  steps: StepResult[];
  capacity: { rooms: number; members: number } | undefined;
  targets: { target: string; where: string; status: "met" | "not met" | "not measured" }[];
  /** Filled when the run stopped on an error of its own (not a load error). */
  aborted?: string;
  /** Server processes on Redis and PostgreSQL; absent: one, on the embedded defaults. */
  processes?: number;
  /** Several processes: the one-process run the capacity ratio divides by. */
  oneProcess?: OneProcessReference;
  /** Several processes: largest load held with them ÷ with one process. */
  capacityVsOneProcess?: CapacityRatio;
}

/** The one-process figures a multi-process run is compared with. */
export interface OneProcessReference {
  /** "same run": measured first by this invocation (`--compare`); "file": an earlier run's. */
  source: "same run" | "file";
  /** The result file it was read from (source "file"). */
  file?: string;
  startedAt: string;
  /** The steps it was given (it ran them until one failed). */
  plannedSteps: number[];
  steps: StepResult[];
  capacity: { rooms: number; members: number } | undefined;
  maxP99Ms: number;
  aborted?: string;
}

export interface CapacityRatio {
  /** Largest load held with N processes ÷ with one (undefined when either held nothing). */
  ratio?: number;
  /**
   * Bounds the steps allow: each limit lies between the largest step held and the next one,
   * which failed. `low`: N's largest held ÷ one's failed step; `high`: N's failed ÷ one's held.
   */
  low?: number;
  high?: number;
  /** "range": both failed a step; "at least"/"at most": one of them held every step tried. */
  bound: "range" | "at least" | "at most" | "undetermined" | "unavailable";
  text: string;
}

/** The fan-out events the issue asks for, first; others follow in the order seen. */
export const KEY_EVENTS = ["hand.raise", "floor.give", "question.ask", "pulse.answer"];

const ms = (v: number | undefined) =>
  v === undefined ? "–" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
const x = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(1)}×`);
const kb = (v: number | undefined) => (v === undefined ? "–" : `${(v / 1024).toFixed(1)}`);
/** Kilobytes of 1000 bytes, as Vite prints bundle sizes (stricter for the 120 KB budget). */
const kB = (v: number | undefined) => (v === undefined ? "–" : `${(v / 1000).toFixed(1)}`);
const mb = (v: number | undefined) => (v === undefined ? "–" : `${(v / 1048576).toFixed(1)}`);
const int = (v: number | undefined) =>
  v === undefined ? "–" : Math.round(v).toLocaleString("en-US");
const pct = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(0)}%`);

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function errorCount(errors: Record<string, number>): number {
  return Object.values(errors).reduce((a, b) => a + b, 0);
}

/** Server CPU milliseconds per room event: less sensitive to a busy machine than latency. */
export function cpuMsPerEvent(r: TargetResult | undefined): number | undefined {
  if (!r || r.window.eventsPerSecond <= 0) return undefined;
  return (r.cpu.server * 10) / r.window.eventsPerSecond;
}

/**
 * Events per second one room sends when nothing holds it back: the fastest pace of any step (a
 * room waits for its event to reach everyone before thinking, so an overloaded step runs slower).
 */
export function roomPace(steps: readonly StepResult[]): number {
  return Math.max(0, ...steps.map((s) => s.colyseus.window.eventsPerSecond / s.rooms));
}

/** Rooms one fully available core could carry at the rooms' pace, from CPU per event. */
export function roomsPerCore(step: StepResult, pace: number): number | undefined {
  const perEvent = cpuMsPerEvent(step.colyseus);
  if (perEvent === undefined || perEvent <= 0 || pace <= 0) return undefined;
  return 1000 / perEvent / pace;
}

/** All errors of a step on the real server: load-window errors and failed joins. */
export function stepErrors(r: TargetResult): number {
  return errorCount(r.window.errors) + r.joinFailures;
}

/** Bytes all clients received per room event (every member's copy, plus probes and pings). */
function perEvent(r: TargetResult | undefined): number | undefined {
  if (!r || r.window.eventsPerSecond <= 0) return undefined;
  return r.wire.bytesInPerSec / r.window.eventsPerSecond;
}

function eventOrder(step: StepResult): string[] {
  const seen = Object.keys(step.colyseus.window.events);
  return [...KEY_EVENTS, ...seen.filter((e) => !KEY_EVENTS.includes(e)).sort()];
}

function capacityTable(steps: readonly StepResult[], pace: number): string {
  return table(
    [
      "rooms",
      "members",
      "events/s",
      "fan-out p50",
      "p95",
      "p99",
      "max (ms)",
      "p99 ÷ ws",
      "hand.raise p99 ÷ ws",
      "join p99 (ms)",
      "server CPU",
      "CPU ms per event",
      "÷ ws",
      "rooms per core (est.)",
      "errors",
      "held",
    ],
    steps.map((s) => {
      const a = s.colyseus;
      const b = s.baseline;
      return [
        int(s.rooms),
        int(s.connected),
        int(a.window.eventsPerSecond),
        ms(a.window.all.p50),
        ms(a.window.all.p95),
        ms(a.window.all.p99),
        ms(a.window.all.max),
        x(ratio(a.window.all.p99, b?.window.all.p99)),
        x(ratio(a.window.events["hand.raise"]?.p99, b?.window.events["hand.raise"]?.p99)),
        ms(a.joins.p99),
        pct(a.cpu.server),
        ms(cpuMsPerEvent(a)),
        x(ratio(cpuMsPerEvent(a), cpuMsPerEvent(b))),
        int(roomsPerCore(s, pace)),
        int(stepErrors(a)),
        s.held ? "yes" : `no: ${s.why ?? ""}`,
      ];
    }),
  );
}

/**
 * Where a run's limit lies between its steps: the largest load held, and the first step above
 * it that failed (none when the run held its last step: its limit was not reached; NaN when the
 * run stopped on an error of its own).
 */
function limitOf(
  steps: readonly StepResult[],
  aborted: string | undefined,
): { held: number; failed?: number } {
  const held = steps.filter((s) => s.held).at(-1);
  const failed = steps.find((s) => !s.held && s.connected > (held?.connected ?? 0));
  return {
    held: held?.connected ?? 0,
    ...(failed ? { failed: failed.connected } : aborted ? { failed: Number.NaN } : {}),
  };
}

/**
 * The largest load held with several processes ÷ the largest held with one, and how far this
 * run pins it down: each limit lies between the largest step held and the next step, which
 * failed; a run that held its last step has not found its limit.
 */
export function capacityVsOneProcess(result: Omit<BenchResult, "targets">): CapacityRatio {
  const n = result.processes ?? 1;
  const one = result.oneProcess;
  if (!one) {
    return {
      bound: "unavailable",
      text:
        `no one-process result to compare with (none of mode ${result.mode} in bench/results); ` +
        `run \`npm run bench -- --${result.mode} --processes=${n} --compare\`.`,
    };
  }
  const from =
    one.source === "same run"
      ? "one process measured first in this run (--compare), same machine, same steps"
      : `one process from ${one.file ?? "an earlier run"} (${one.startedAt}; an earlier run, ` +
        "not side by side: the machine's load may have differed)";
  const oneSteps = one.plannedSteps.join(", ");
  const differs = (
    oneSteps !== result.config.steps.join(", ") ? [`its steps: ${oneSteps} rooms`] : []
  ).concat(one.maxP99Ms !== result.config.maxP99Ms ? [`its p99 limit: ${one.maxP99Ms} ms`] : []);
  const caveat = differs.length > 0 ? ` (${differs.join("; ")})` : "";
  const members = (v: number) => `${v.toLocaleString("en-US")} members`;
  const many = limitOf(result.steps, result.aborted);
  const single = limitOf(one.steps, one.aborted);
  const describe = (l: { held: number; failed?: number }) =>
    (l.held > 0 ? `held ${members(l.held)}` : "held no step") +
    (l.failed === undefined
      ? ", every step tried"
      : Number.isNaN(l.failed)
        ? ", then stopped on an error of its own"
        : `, failed at ${members(l.failed)}`);
  const figures = `${n} processes ${describe(many)}; one process ${describe(single)}`;
  if (many.held === 0 || single.held === 0 || Number.isNaN(many.failed ?? 0)) {
    return { bound: "unavailable", text: `not computable (${figures}); ${from}${caveat}.` };
  }
  const r = many.held / single.held;
  // One process's limit lies below the step it failed, N processes' below theirs.
  const low =
    single.failed !== undefined && !Number.isNaN(single.failed)
      ? many.held / single.failed
      : undefined;
  const high = many.failed !== undefined ? many.failed / single.held : undefined;
  const f = (v: number) => `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×`;
  const bound: CapacityRatio["bound"] =
    low !== undefined && high !== undefined
      ? "range"
      : low !== undefined
        ? "at least"
        : high !== undefined
          ? "at most"
          : "undetermined";
  const head =
    bound === "range"
      ? `**${r.toFixed(2)}×** from the largest steps held; with steps this coarse the ratio lies ` +
        `between ${f(low!)} and ${f(high!)}`
      : bound === "at least"
        ? `**at least ${f(low!)}** (${r.toFixed(2)}× from the largest steps held): ${n} processes ` +
          "did not reach their limit"
        : bound === "at most"
          ? `**at most ${f(high!)}** (${r.toFixed(2)}× from the largest steps held): one process ` +
            "did not reach its limit"
          : `**not determined by this run** (${r.toFixed(2)}× of the largest step tried): both ` +
            "held every step tried, so neither limit was reached; give larger steps " +
            "(`--rooms=…`) to find them";
  return {
    ratio: r,
    ...(low !== undefined ? { low } : {}),
    ...(high !== undefined ? { high } : {}),
    bound,
    text: `${head} — ${figures}; ${from}${caveat}.`,
  };
}

/** Several processes: the one-process reference side by side, and each process on its own. */
function comparison(result: BenchResult): string[] {
  const out: string[] = [];
  const n = result.processes ?? 1;
  const one = result.oneProcess;
  if (one) {
    out.push(
      "",
      one.source === "same run"
        ? "### One process, measured first in this run"
        : `### One process, from ${one.file ?? "an earlier run"} (${one.startedAt})`,
      "",
    );
    if (one.aborted) out.push(`**That run stopped early:** ${one.aborted}`, "");
    out.push(capacityTable(one.steps, roomPace(one.steps)));
    out.push("", `### ${n} processes vs one, step by step`, "");
    const rooms = [...new Set([...one.steps, ...result.steps].map((s) => s.rooms))].sort(
      (a, b) => a - b,
    );
    const held = (s: StepResult | undefined) =>
      s === undefined ? "–" : s.held ? "yes" : `no: ${s.why ?? ""}`;
    out.push(
      table(
        [
          "rooms",
          "p99 (ms), 1",
          n.toString(),
          "events/s, 1",
          n.toString(),
          "server CPU, 1",
          n.toString(),
          "CPU ms per event, 1",
          n.toString(),
          `${n} ÷ 1`,
          "waiting for a CPU, 1",
          n.toString(),
          "held, 1",
          n.toString(),
        ],
        rooms.map((r) => {
          const a = one.steps.find((s) => s.rooms === r);
          const b = result.steps.find((s) => s.rooms === r);
          return [
            int(r),
            ms(a?.colyseus.window.all.p99),
            ms(b?.colyseus.window.all.p99),
            int(a?.colyseus.window.eventsPerSecond),
            int(b?.colyseus.window.eventsPerSecond),
            pct(a?.colyseus.cpu.server),
            pct(b?.colyseus.cpu.server),
            ms(cpuMsPerEvent(a?.colyseus)),
            ms(cpuMsPerEvent(b?.colyseus)),
            x(ratio(cpuMsPerEvent(b?.colyseus), cpuMsPerEvent(a?.colyseus))),
            pct(a?.colyseus.cpu.serverWaiting),
            pct(b?.colyseus.cpu.serverWaiting),
            held(a),
            held(b),
          ];
        }),
      ),
    );
    out.push(
      "",
      `CPU ms per event, ${n} ÷ 1: what spreading rooms over processes (Redis presence and ` +
        "driver, routed joins) costs per event, all processes' CPU together; not counting " +
        "Redis's and PostgreSQL's own (see each process below). One process runs on the " +
        "embedded defaults with SQLite, as `npm run bench` does.",
    );
  }

  out.push("", "### Each server process", "");
  const rows: string[][] = [];
  for (const s of result.steps) {
    const a = s.colyseus;
    for (const p of a.processes ?? []) {
      rows.push([
        int(s.rooms),
        p.address,
        int(p.rooms),
        int(p.members),
        pct(p.cpu),
        pct(p.waiting),
        mb(p.rss),
        mb(p.heapUsed),
        kb(p.heapPerRoom),
      ]);
    }
    rows.push([int(s.rooms), "redis-server", "", "", pct(a.cpu.redis), "", "", "", ""]);
    rows.push([
      int(s.rooms),
      "PostgreSQL (all backends)",
      "",
      "",
      pct(a.cpu.postgres),
      "",
      "",
      "",
      "",
    ]);
  }
  out.push(
    table(
      [
        "step (rooms)",
        "process",
        "rooms held",
        "members",
        "CPU (% of a core)",
        "waiting for a CPU",
        "RSS (MB)",
        "heap used (MB)",
        "heap per idle room (KB)",
      ],
      rows,
    ),
  );
  const routing = result.steps.at(-1)?.colyseus.routing;
  const total = routing ? routing.direct + routing.routed : 0;
  out.push(
    "",
    "Rooms held: where the rooms' WebSockets are connected (Colyseus creates each room on the " +
      "process it last saw holding the fewest, so rooms created at the same moment can pile up " +
      "on one). Heap per idle room of a process includes that process's one-off warm-up, which " +
      "dominates when it holds few rooms. " +
      (routing && total > 0
        ? `Members of the load who joined through a process other than their room's, routed by ` +
          `Colyseus: ${int(routing.routed)} of ${int(total)} (${pct((routing.routed / total) * 100)}). `
        : "") +
      "Other processes CPU (in the memory table) leaves out Redis and PostgreSQL.",
  );
  return out;
}

const seconds = (v: number | undefined) => (v === undefined ? "–" : (v / 1000).toFixed(2));

/** The time-to-usable section: the profile, what is timed, every run and the medians. */
function usableSection(u: UsableMeasured | undefined, cpus: number): string[] {
  if (!u) return [];
  const out = ["", "### Time to usable (a member opening the link, throttled)", ""];
  const p = u.profile;
  out.push(
    `Headless Chromium, a fresh browser context per run (cold cache), ${p.latencyMs} ms added ` +
      `round trip, ${((p.downloadBytesPerSecond * 8) / 1e6).toFixed(1)} Mbit/s down, ` +
      `${Math.round((p.uploadBytesPerSecond * 8) / 1000)} kbit/s up (CDP ` +
      `Network.emulateNetworkConditions), CPU ${p.cpuSlowdown}× slower ` +
      `(Emulation.setCPUThrottlingRate), against this run's server. Before each run two SDK ` +
      `clients open a new table's meeting and take it to probing questions; then the member ` +
      `opens /t/<tableId>, types a name, presses Join and I agree, each as soon as it is shown. ` +
      `Times are from navigation start; "shown" is the first frame painted with the control ` +
      `enabled. **Usable**: a "Raise hand" button enabled, which the app shows only in the ` +
      `meeting view with the synced state. Harness: the automated member's own typing and ` +
      `pressing, included. Median of the runs after one unthrottled warm-up; load average ` +
      `${u.loadAverage.map((l) => l.toFixed(1)).join(" → ")} on ${cpus} cores.`,
  );
  if (u.status !== "ok") {
    out.push("", `Not measured: ${u.error ?? "unknown error"}`);
    return out;
  }
  const row = (label: string, r: Omit<UsableMeasured["runs"][number], "scripts">) => [
    label,
    seconds(r.scriptsLoadedMs),
    seconds(r.readyToTypeMs),
    seconds(r.joinPressedMs),
    seconds(r.agreeMs),
    `${r === u.median ? "**" : ""}${seconds(r.usableMs)}${r === u.median ? "**" : ""}`,
    int(r.harnessMs),
  ];
  out.push(
    "",
    table(
      [
        "run",
        "scripts in (s)",
        "ready to type (s)",
        "Join pressed (s)",
        "I agree shown (s)",
        "usable (s)",
        "harness (ms)",
      ],
      [...u.runs.map((r, i) => row(String(i + 1), r)), row("median", u.median!)],
    ),
  );
  const scripts = u.runs[0]?.scripts ?? [];
  out.push(
    "",
    `JavaScript fetched until usable (run 1): ` +
      (scripts.map((f) => `${f.file} ${int(f.transferBytes)} bytes on the wire`).join(", ") ||
        "none") +
      (u.uncounted && u.uncounted.length > 0
        ? `. **Not counted by bench/bundle.ts: ${u.uncounted.join(", ")}**.`
        : "; all of it counted by bench/bundle.ts."),
  );
  return out;
}

export function renderMarkdown(result: BenchResult): string {
  const c = result.config;
  const out: string[] = [];
  const processes = result.processes ?? 1;
  const several = processes > 1;
  out.push(
    `## Roundtable benchmark — ${result.mode}${several ? `, ${processes} processes + Redis` : ""}` +
      `${result.custom ? ` (${result.args.join(" ")})` : ""}, ${result.startedAt}`,
  );
  out.push("");
  out.push(
    `${result.machine.cores} cores, Node ${result.machine.node}, load average at start ` +
      `${result.machine.loadAverage.map((l) => l.toFixed(2)).join(" ")}; ${result.seconds.toFixed(0)} s in all. ` +
      `Rooms of ${c.members} members; each room sends its next event ${c.thinkMs / 2}–${(c.thinkMs * 3) / 2} ms ` +
      `after the previous one reached every member; ${c.windowSeconds} s measured per step after ` +
      `${c.warmupSeconds} s of warm-up; ${c.generators} generator process(es); ` +
      (several
        ? `${processes} server processes on Colyseus' Redis presence and driver (one local ` +
          `redis-server) sharing one PostgreSQL (a throwaway local cluster); room r's table is ` +
          `created through process r mod ${processes} and its member i joins through process ` +
          `(r + i) mod ${processes}, so a room's members arrive through every process and Colyseus ` +
          `routes them to the one holding the room. Server CPU, RSS and heap are summed over the ` +
          `processes, "waiting for a CPU" is the most delayed process (each process: see below). `
        : `the server's SQLite file in ${c.dbDir}. `) +
      `"÷ ws" is Roundtable ` +
      `divided by the raw-ws baseline measured in the same run on the same machine. Fan-out: from ` +
      `the sender's send to the moment the last other member's client has the change.`,
  );
  if (result.aborted) out.push("", `**Run stopped early:** ${result.aborted}`);
  // Several processes with --compare: the one-process steps of this run count too.
  const measured =
    result.oneProcess?.source === "same run"
      ? [...result.oneProcess.steps, ...result.steps]
      : result.steps;
  const others = measured.map((s) => s.colyseus.cpu.others);
  const meanOthers = others.reduce((a, b) => a + b, 0) / Math.max(1, others.length);
  const waits = measured.map((s) => s.colyseus.cpu.serverWaiting);
  const maxWait = Math.max(0, ...waits);
  if (meanOthers >= 50 || maxWait >= 10) {
    out.push(
      "",
      `**Shared machine:** other processes used ${meanOthers.toFixed(0)}% of a core on average ` +
        `during the measured windows, and the server waited for a CPU up to ${maxWait.toFixed(0)}% ` +
        "of a window; latencies include that wait, far more for the busier real server than for " +
        "the nearly idle baseline. Compare ratios across runs with care.",
    );
  }
  out.push("", "### Targets", "");
  out.push(
    table(
      ["target", "where we are", "status"],
      result.targets.map((t) => [t.target, t.where, t.status]),
    ),
  );

  const pace = roomPace(result.steps);
  out.push("", "### Capacity curve", "");
  out.push(capacityTable(result.steps, pace));
  out.push(
    "",
    result.capacity
      ? `Largest load held (p99 fan-out ≤ ${c.maxP99Ms} ms, no errors): **${result.capacity.rooms} rooms, ${result.capacity.members.toLocaleString("en-US")} connected members**.`
      : `No step held (p99 fan-out ≤ ${c.maxP99Ms} ms, no errors).`,
  );
  if (several) {
    const vs = capacityVsOneProcess(result);
    out.push("", `**Capacity vs one process:** ${vs.text}`);
  }
  out.push(
    "",
    "CPU ms per event: the server's CPU time (user + system, from /proc) over the window divided " +
      `by the room events completed; rooms per core: how many rooms at ${pace.toFixed(2)} events/s ` +
      "each (the rooms' pace when nothing holds them back) one core would carry if the server " +
      "had it to itself — an estimate from CPU, not a measured capacity." +
      (several ? ` With ${processes} processes: their CPU summed.` : ""),
  );
  if (several) out.push(...comparison(result));

  for (const s of result.steps) {
    out.push("", `### Fan-out latency by event, ${s.rooms} rooms × ${s.members} (ms)`, "");
    out.push(
      table(
        ["event", "n", "p50", "p95", "p99", "max", "ws p50", "ws p99", "p50 ÷ ws", "p99 ÷ ws"],
        eventOrder(s).map((e) => {
          const a = s.colyseus.window.events[e];
          const b = s.baseline?.window.events[e];
          return [
            e,
            int(a?.n ?? 0),
            ms(a?.p50),
            ms(a?.p95),
            ms(a?.p99),
            ms(a?.max),
            ms(b?.p50),
            ms(b?.p99),
            x(ratio(a?.p50, b?.p50)),
            x(ratio(a?.p99, b?.p99)),
          ];
        }),
      ),
    );
    const errs = Object.entries(s.colyseus.window.errors);
    if (errs.length > 0) {
      out.push("", `Errors: ${errs.map(([k, n]) => `${k} × ${n}`).join("; ")}`);
    }
    const rampErrs = Object.entries(s.colyseus.ramp.errors);
    if (rampErrs.length > 0) {
      out.push("", `Errors while ramping: ${rampErrs.map(([k, n]) => `${k} × ${n}`).join("; ")}`);
    }
  }

  out.push("", "### Join latency (HTTP matchmake to first full state, ms)", "");
  out.push(
    table(
      [
        "rooms",
        "joins",
        "p50",
        "p95",
        "p99",
        "max",
        "ws p50",
        "ws p99",
        "p99 ÷ ws",
        "ramp joins",
        "ramp p50",
        "ramp p99",
        "ws ramp p99",
        "ramp (s)",
        "ws ramp (s)",
      ],
      result.steps.map((s) => [
        int(s.rooms),
        int(s.colyseus.joins.n),
        ms(s.colyseus.joins.p50),
        ms(s.colyseus.joins.p95),
        ms(s.colyseus.joins.p99),
        ms(s.colyseus.joins.max),
        ms(s.baseline?.joins.p50),
        ms(s.baseline?.joins.p99),
        x(ratio(s.colyseus.joins.p99, s.baseline?.joins.p99)),
        int(s.colyseus.rampJoins.n),
        ms(s.colyseus.rampJoins.p50),
        ms(s.colyseus.rampJoins.p99),
        ms(s.baseline?.rampJoins.p99),
        s.colyseus.rampSeconds.toFixed(1),
        s.baseline ? s.baseline.rampSeconds.toFixed(1) : "–",
      ]),
    ),
  );
  out.push(
    "",
    "Joins: while the step's rooms play, one member at a time (every 100 ms) joins a room of its " +
      `own. Ramp joins: the step's new rooms, ${c.joinConcurrency} at a time per generator, each ` +
      "room's facilitator first and then its other members at once — a thundering herd, not a " +
      "person's wait; ramp (s) includes playing the new rooms into their first round.",
  );

  out.push("", "### Server memory and CPU", "");
  out.push(
    table(
      [
        "rooms",
        "RSS (MB)",
        "÷ ws",
        "heap used (MB)",
        "heap per idle room (KB)",
        "per member (KB)",
        "marginal per room (KB)",
        "÷ ws",
        "server CPU (% of a core)",
        "server waiting for a CPU",
        "ws CPU",
        "generators CPU",
        "generator waiting",
        "other processes CPU",
        "machine busy",
        "generator loop p99 (ms)",
      ],
      result.steps.map((s) => {
        const a = s.colyseus;
        const b = s.baseline;
        return [
          int(s.rooms),
          mb(a.memory.rss),
          x(ratio(a.memory.rss, b?.memory.rss)),
          mb(a.memory.heapUsed),
          kb(a.memory.heapPerRoom),
          kb(a.memory.heapPerMember),
          kb(a.memory.heapMarginalPerRoom),
          x(ratio(a.memory.heapPerRoom, b?.memory.heapPerRoom)),
          pct(a.cpu.server),
          pct(a.cpu.serverWaiting),
          pct(b?.cpu.server),
          pct(a.cpu.generators),
          pct(a.cpu.generatorsWaiting),
          pct(a.cpu.others),
          pct(a.cpu.machineBusyPercent),
          ms(a.generatorLoopDelayP99),
        ];
      }),
    ),
  );
  out.push(
    "",
    "Heap is measured after a full GC with every room idle (members connected, meetings paused " +
      "mid-round), minus the heap before the first room, divided by the rooms; marginal: the " +
      "growth since the previous step divided by the rooms added, which leaves out one-off costs " +
      "(code warmed up, caches). Server waiting for a CPU: the share of the window its main " +
      "thread was ready to run but every core was taken (/proc/PID/schedstat). Machine busy is " +
      "all cores, every process.",
  );

  out.push("", "### Wire, counted at the clients (WebSocket payload bytes)", "");
  out.push(
    table(
      [
        "rooms",
        "frames/s in",
        "frames/s out",
        "KB/s in",
        "KB/s out",
        "bytes per frame in",
        "bytes in per event",
        "ws bytes in per event",
        "ws frames/s in",
        "ws KB/s in",
        "KB/s in ÷ ws",
      ],
      result.steps.map((s) => {
        const a = s.colyseus.wire;
        const b = s.baseline?.wire;
        return [
          int(s.rooms),
          int(a.framesInPerSec),
          int(a.framesOutPerSec),
          kb(a.bytesInPerSec),
          kb(a.bytesOutPerSec),
          int(a.framesInPerSec > 0 ? a.bytesInPerSec / a.framesInPerSec : undefined),
          int(perEvent(s.colyseus)),
          int(perEvent(s.baseline)),
          int(b?.framesInPerSec),
          kb(b?.bytesInPerSec),
          x(ratio(a.bytesInPerSec, b?.bytesInPerSec)),
        ];
      }),
    ),
  );

  out.push("", "### Client build", "");
  const cl = result.client;
  const bundle = cl.bundle;
  if (cl.status !== "ok" || !bundle) {
    out.push(`${cl.status}${cl.detail ? `: ${cl.detail}` : ""}`);
  } else {
    out.push(
      `What a member's page loads on opening a table's link (bench/bundle.ts: the entry, its ` +
        `imports, the dynamic imports not listed as loaded on demand, and the larger of the two ` +
        `openings, the meeting or the table's page, from Vite's manifest): ` +
        `**${kB(bundle.memberGzip)} kB gzip** of a ${kB(bundle.budgetGzip)} kB budget; not loaded ` +
        `on opening: ${kB(bundle.lazyGzip)} kB; all JavaScript: ${kB(bundle.allGzip)} kB ` +
        `(gzip level 9, kB = 1000 bytes; ` +
        `${cl.built ? `built by this run: ${cl.built}` : "the existing build, up to date"}).`,
    );
    out.push("");
    out.push(
      table(
        ["file", "bytes", "gzip", "a member's page loads it on opening"],
        bundle.chunks.map((f) => [
          f.file,
          int(f.bytes),
          int(f.gzip),
          f.memberLoads ? (f.dynamic ? "yes (dynamic import)" : "yes") : `no: ${f.why}`,
        ]),
      ),
    );
  }
  out.push(...usableSection(result.usable, result.machine.cores));
  out.push("");
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Targets of issues 6 and 11

function perCoreNote(done: readonly StepResult[]): string {
  const step = done.at(-1);
  const pace = roomPace(done);
  const rooms = step ? roomsPerCore(step, pace) : undefined;
  return rooms === undefined
    ? ""
    : `; from CPU per event at ${step!.rooms} rooms, one core to itself would carry about ` +
        `${Math.round(rooms).toLocaleString("en-US")} rooms at ${pace.toFixed(2)} events/s each`;
}

/** The JavaScript budget (issue 11), which the benchmark enforces: see `failures`. */
function budgetTarget(result: Omit<BenchResult, "targets">): BenchResult["targets"][number] {
  const b = result.client.bundle;
  const uncounted = result.usable?.uncounted ?? [];
  return {
    target: `everything a member's page loads on opening a table's link under ${Math.round((b?.budgetGzip ?? MEMBER_BUDGET_GZIP) / 1000)} KB gzip (enforced)`,
    where:
      result.client.status !== "ok" || !b
        ? result.client.status
        : `${kB(b.memberGzip)} kB gzip (not loaded on opening: ${kB(b.lazyGzip)} kB; kB = 1000 bytes)` +
          (uncounted.length > 0 ? `; the page also loaded ${uncounted.join(", ")}` : ""),
    status: !b ? "not measured" : b.withinBudget && uncounted.length === 0 ? "met" : "not met",
  };
}

/** Time to usable on the throttled profile (issue 11): recorded, not enforced. */
function usableTarget(u: UsableMeasured | undefined): BenchResult["targets"][number] {
  const target =
    "a member's meeting usable within 2.0 s of opening the link (150 ms RTT, 1.6 Mbit/s, 4× CPU, cold cache)";
  if (!u) return { target, where: "not run (--usable-runs=0)", status: "not measured" };
  if (u.status !== "ok" || !u.median) {
    return { target, where: `not measured: ${u.error ?? "unknown error"}`, status: "not measured" };
  }
  const m = u.median;
  return {
    target: target.replace("2.0 s", `${(u.targetMs / 1000).toFixed(1)} s`),
    where:
      `${seconds(m.usableMs)} s median of ${u.runs.length} (runs ${u.runs.map((r) => seconds(r.usableMs)).join(", ")} s); ` +
      `ready to type a name ${seconds(m.readyToTypeMs)} s`,
    status: m.usableMs <= u.targetMs ? "met" : "not met",
  };
}

/**
 * Why the benchmark exits non-zero though it ran: the member page over the JavaScript budget,
 * the budget not measurable, or the page loading a chunk the budget leaves out.
 */
export function failures(result: BenchResult): string[] {
  const out: string[] = [];
  const b = result.client.bundle;
  if (!b) out.push(`the member page's JavaScript was not measured: ${result.client.status}`);
  else if (!b.withinBudget) {
    out.push(
      `a member's page loads ${kB(b.memberGzip)} kB gzip of JavaScript, over the ${kB(b.budgetGzip)} kB budget`,
    );
  }
  const uncounted = result.usable?.uncounted ?? [];
  if (uncounted.length > 0) {
    out.push(
      `the member's page loaded ${uncounted.join(", ")} on opening the link, which bench/bundle.ts ` +
        `does not count (its LAZY list says a member loads it only on demand)`,
    );
  }
  return out;
}

/** Where a run stands against the targets of issues 6 and 11. */
export function targets(result: Omit<BenchResult, "targets">): BenchResult["targets"] {
  const out: BenchResult["targets"] = [];
  const quick = result.mode === "quick";
  const members = result.config.members;
  const fmt = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const handRatio = (s: StepResult) => {
    const a = s.colyseus.window.events["hand.raise"]?.p99;
    const b = s.baseline?.window.events["hand.raise"]?.p99;
    return { a, b, r: ratio(a, b) };
  };
  const at2000 = result.steps.find((s) => s.connected === 2000);
  if (at2000) {
    const { a, b, r } = handRatio(at2000);
    out.push({
      target:
        "p99 fan-out of a hand raise within 2× the raw-ws baseline at 2,000 connected members",
      where:
        r === undefined
          ? "no hand raises measured"
          : `${r.toFixed(1)}× (${fmt(a!)} ms vs ${fmt(b!)} ms)`,
      status: r === undefined ? "not measured" : r <= 2 ? "met" : "not met",
    });
  } else {
    const last = result.steps.at(-1);
    const near = last ? handRatio(last) : undefined;
    out.push({
      target:
        "p99 fan-out of a hand raise within 2× the raw-ws baseline at 2,000 connected members",
      where:
        `not reached in this run` +
        (last && near?.r !== undefined
          ? ` (at ${last.connected.toLocaleString("en-US")} members: ${near.r.toFixed(1)}×, ${fmt(near.a!)} ms vs ${fmt(near.b!)} ms)`
          : ""),
      status: "not measured",
    });
  }
  const reached5000 = result.steps.some((s) => s.connected >= 5000);
  const cap = result.capacity;
  const capStep = cap ? result.steps.find((s) => s.rooms === cap.rooms) : undefined;
  out.push({
    target:
      "at least 5,000 connected members (500 rooms of 10) on one process with p99 fan-out under 100 ms",
    where:
      (cap
        ? `largest load held: ${cap.members.toLocaleString("en-US")} members (p99 ${fmt(capStep!.colyseus.window.all.p99)} ms)` +
          (reached5000 ? "" : "; 5,000 not tried in this run")
        : "no step held") + perCoreNote(result.steps),
    status: cap && cap.members >= 5000 ? "met" : reached5000 || !quick ? "not met" : "not measured",
  });
  const withHeap = [...result.steps]
    .reverse()
    .find((s) => s.colyseus.memory.heapPerRoom !== undefined);
  const perRoom = withHeap?.colyseus.memory.heapPerRoom;
  const marginal = withHeap?.colyseus.memory.heapMarginalPerRoom;
  const before = withHeap ? result.steps[result.steps.indexOf(withHeap) - 1] : undefined;
  /** The marginal figure leaves out one-off warm-up, so it decides when there is one. */
  const judged = marginal ?? perRoom;
  out.push({
    target: "under 100 KB of server heap per idle room of 10 members",
    where:
      perRoom === undefined
        ? "heap not measured (is the ROUNDTABLE_BENCH hook in server/main.ts?)"
        : (marginal !== undefined && before
            ? `${(marginal / 1024).toFixed(1)} KB per room added from ${before.rooms} to ${withHeap!.rooms} rooms; `
            : "") +
          `${(perRoom / 1024).toFixed(1)} KB per room on average at ${withHeap!.rooms} rooms of ${members}` +
          (withHeap!.colyseus.memory.gc ? "" : " (no GC before measuring)"),
    status:
      judged === undefined || members !== 10
        ? "not measured"
        : judged < 100 * 1024
          ? "met"
          : "not met",
  });
  out.push(budgetTarget(result));
  out.push(usableTarget(result.usable));
  const processes = result.processes ?? 1;
  if (processes > 1) {
    // The first two targets are about one process: a run on several is not judged on them.
    for (const t of out.slice(0, 2)) {
      t.where = `${processes} processes in this run, the target is for one: ${t.where}`;
      t.status = "not measured";
    }
  }
  return out;
}
