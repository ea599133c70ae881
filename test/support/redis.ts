// A throwaway redis-server for tests: Debian's binary on a free loopback port, nothing saved to
// disk, a child of the test process. It can be killed and started again on the same port, as an
// operator restarting Redis under a running cluster would.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./server.ts";

/** The command that installs redis-server (the error message when it is not found). */
export const installRedisCommand = "apt-get update && apt-get install -y redis-server";

/** A running test Redis. */
export interface TestRedis {
  /** redis:// URL of the server. */
  url: string;
  port: number;
  /** SIGKILL: the data is gone, clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill`). */
  start(): Promise<void>;
  /** Kills it (if running) and deletes its working directory. */
  stop(): Promise<void>;
}

const patienceMs = 10_000;

/** Starts redis-server on a free loopback port; fails with the install command when it is missing. */
export async function startRedis(): Promise<TestRedis> {
  const bin = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), "roundtable-redis-"));
  let port = await freePort();
  let child: ChildProcess | undefined;
  let log = "";

  const launch = async (): Promise<void> => {
    log = "";
    const started = spawn(
      bin,
      [
        ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        ...["--daemonize", "no", "--dir", dir, "--protected-mode", "yes"],
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8_000));
    started.stdout?.on("data", keep);
    started.stderr?.on("data", keep);
    child = started;
    const deadline = Date.now() + patienceMs;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`redis-server exited before accepting connections:\n${log}`);
      }
      if (await ping(port)) return;
      if (Date.now() > deadline) {
        started.kill("SIGKILL");
        throw new Error(`redis-server did not answer PING within ${patienceMs} ms:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, "exit");
    running.kill("SIGKILL");
    await exited;
  };

  // The port is free when picked but could be taken before redis binds it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      await kill();
      if (attempt < 3 && log.includes("already in use")) {
        port = await freePort();
        continue;
      }
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
  const cleanUp = () => child?.kill("SIGKILL");
  process.once("exit", cleanUp);

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start: launch,
    async stop() {
      process.off("exit", cleanUp);
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function findRedisServer(): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/sbin"];
  const found = dirs.map((d) => join(d, "redis-server")).find((p) => p !== "" && existsSync(p));
  if (!found)
    throw new Error(`redis-server is not installed. Install it with: ${installRedisCommand}`);
  return found;
}

/** True when a Redis answers PING on the loopback port. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}
