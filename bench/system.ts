/** What the benchmark reads about processes and the machine: /proc on Linux, and nothing else. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    } catch {
      ticksPerSecond = 100;
    }
    if (!Number.isFinite(ticksPerSecond) || ticksPerSecond <= 0) ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return 0;
  }
}

/**
 * Seconds a process's main thread has spent runnable but waiting for a CPU (the second field of
 * /proc/PID/schedstat): how much a busy machine delayed it. 0 when unknown.
 */
export function runQueueSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const wait = Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(/\s+/)[1]);
    return Number.isFinite(wait) ? wait / 1e9 : 0;
  } catch {
    return 0;
  }
}

/** Resident set size of a process in bytes; 0 when it is gone. */
export function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Parent pid and CPU ticks of a process: user, system, and its reaped children's. */
function statOf(pid: number): { ppid: number; own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const n = (i: number) => Number(fields[i]) || 0;
    return { ppid: n(1), own: n(11) + n(12), children: n(13) + n(14) };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** The redis-server listening on a loopback port (its title is `redis-server 127.0.0.1:PORT`). */
export function redisPid(port: number): number | undefined {
  return allPids().find((pid) => {
    const argv = cmdline(pid);
    const line = argv.join(" ");
    return (
      /(^|\/)redis-server\b/.test(argv[0] ?? "") &&
      (line.includes(`:${port}`) || line.includes(`--port ${port}`))
    );
  });
}

/** The postmaster started with `-p PORT` (not a wrapper such as runuser that started it). */
export function postgresPid(port: number): number | undefined {
  return allPids().find((pid) => {
    const argv = cmdline(pid);
    const p = argv.indexOf("-p");
    return /(^|\/)postgres$/.test(argv[0] ?? "") && p >= 0 && argv[p + 1] === String(port);
  });
}

/**
 * CPU seconds used so far by a process and every process under it: the live ones' user +
 * system time, plus what the root has reaped of its children's (PostgreSQL's backends that
 * ended). 0 when it is gone.
 */
export function treeCpuSeconds(root: number | undefined): number {
  if (root === undefined) return 0;
  const stats = new Map<number, { ppid: number; own: number; children: number }>();
  for (const pid of allPids()) {
    const s = statOf(pid);
    if (s) stats.set(pid, s);
  }
  const top = stats.get(root);
  if (!top) return 0;
  let ticks = top.own + top.children;
  const tree = new Set([root]);
  // Parents before children is not guaranteed by pid order: sweep until nothing is added.
  for (let changed = true, rounds = 0; changed && rounds < 16; rounds++) {
    changed = false;
    for (const [pid, s] of stats) {
      if (!tree.has(pid) && tree.has(s.ppid)) {
        tree.add(pid);
        ticks += s.own;
        changed = true;
      }
    }
  }
  return ticks / clockTicks();
}

/** The direct children of a process that run a given executable (e.g. node itself). */
export function childrenRunning(parent: number, executable: string): number[] {
  return allPids().filter((pid) => statOf(pid)?.ppid === parent && cmdline(pid)[0] === executable);
}
