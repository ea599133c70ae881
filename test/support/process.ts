import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** A Roundtable server in its own process, started the way `npm start` starts it. */
export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed, stdout and stderr. */
  output(): string;
  /** SIGKILL: no shutdown hooks, no flushing — a crash. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Per-address HTTP limits out of reach for tests and benchmarks, which all come from loopback;
 * a test of the limits sets its own.
 */
export const unlimitedEnv = {
  TABLES_PER_MINUTE: "1000000",
  JOINS_PER_MINUTE: "1000000",
  API_PER_MINUTE: "1000000",
};

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  // Spawn node itself (not npx): killing npx would leave the server running.
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...process.env, ...unlimitedEnv, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not come up in 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => output,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
