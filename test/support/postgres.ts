// A throwaway PostgreSQL cluster for tests: its own data directory in a temp dir, its own port
// on 127.0.0.1, trust authentication, no fsync (nothing in it outlives the test run).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";

/** The command that installs the PostgreSQL server binaries (the error message when none are found). */
export const installPostgresCommand = "apt-get update && apt-get install -y postgresql";

/** A running throwaway cluster. */
export interface TestPostgres {
  /** postgresql:// URL of an empty database on the cluster. */
  url: string;
  /** Shuts the cluster down and deletes its files. */
  stop(): Promise<void>;
}

/** Milliseconds to wait for the server to accept connections (or to shut down). */
const patienceMs = 30_000;

/** Starts a throwaway cluster and creates an empty database on it. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findBinaries();
  const user = process.getuid?.() === 0 ? serverUser() : undefined;
  const dir = mkdtempSync(join(tmpdir(), "roundtable-pg-"));
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    const data = join(dir, "data");
    run(user, join(bin, "initdb"), [
      ...["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    ]);
    // The port is free when picked but could be taken before the server binds it: try again.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const server = launch(user, join(bin, "postgres"), [
        ...["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1"],
        ...["-c", `unix_socket_directories=${dir}`, "-c", "fsync=off"],
        ...["-c", "full_page_writes=off", "-c", "synchronous_commit=off"],
      ]);
      try {
        await waitUntilAccepting(server, port);
      } catch (error) {
        await shutDown(server, data);
        if (attempt < 3 && server.log().includes("already in use")) continue;
        throw error;
      }
      const cleanUp = () => {
        server.kill(data, "SIGQUIT");
        rmSync(dir, { recursive: true, force: true });
      };
      process.once("exit", cleanUp);
      const admin = `postgresql://postgres@127.0.0.1:${port}`;
      await query(`${admin}/postgres`, "CREATE DATABASE roundtable");
      return {
        url: `${admin}/roundtable`,
        async stop() {
          process.off("exit", cleanUp);
          await shutDown(server, data);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// The directory holding initdb and postgres: PATH first, then Debian's versioned directories.
function findBinaries(): string {
  const pathDirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  const debianDirs = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  const bin = [...pathDirs, ...debianDirs].find(
    (d) => existsSync(join(d, "initdb")) && existsSync(join(d, "postgres")),
  );
  if (bin === undefined) throw new Error(installPostgresCommand);
  return bin;
}

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

// initdb and postgres refuse to run as root: use the postgres system user, or make one.
function serverUser(): ServerUser {
  const existing = lookUpUser("postgres") ?? lookUpUser("roundtable-pg");
  if (existing) return existing;
  try {
    execFileSync("useradd", ["--system", "--no-create-home", "roundtable-pg"], { stdio: "pipe" });
  } catch (error) {
    // Another test process may have created it meanwhile; only fail if it still is missing.
    const created = lookUpUser("roundtable-pg");
    if (created) return created;
    throw error;
  }
  const created = lookUpUser("roundtable-pg");
  if (!created) throw new Error("useradd succeeded but user roundtable-pg is not found");
  return created;
}

function lookUpUser(name: string): ServerUser | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync("id", [flag, name], { stdio: ["ignore", "pipe", "ignore"] }).toString());
    return { name, uid: id("-u"), gid: id("-g") };
  } catch {
    return undefined;
  }
}

// The command line that runs `command` as `user` (or as ourselves when no user is given).
function asUser(user: ServerUser | undefined, command: string, args: string[]): [string, string[]] {
  if (!user) return [command, args];
  if (onPath("runuser")) return ["runuser", ["-u", user.name, "--", command, ...args]];
  const line = ["exec", command, ...args].map(shellQuote).join(" ");
  return ["su", ["-s", "/bin/sh", "-c", line, user.name]];
}

function onPath(command: string): boolean {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  return dirs.some((d) => d !== "" && existsSync(join(d, command)));
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function run(user: ServerUser | undefined, command: string, args: string[]): void {
  const [file, argv] = asUser(user, command, args);
  try {
    execFileSync(file, argv, { stdio: "pipe", cwd: tmpdir() });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${command} failed: ${stderr?.toString() ?? ""}${stdout?.toString() ?? ""}`);
  }
}

interface Server {
  process: ChildProcess;
  /** The server's output so far (its tail). */
  log(): string;
  /** Signals the postmaster itself (not the runuser wrapper around it); false once it is gone. */
  kill(data: string, signal: NodeJS.Signals): boolean;
}

function launch(user: ServerUser | undefined, command: string, args: string[]): Server {
  const [file, argv] = asUser(user, command, args);
  const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: tmpdir() });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return {
    process: child,
    log: () => log,
    kill(data, signal) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      // Under runuser or su, the child is the wrapper; postmaster.pid names the server.
      const pid = user ? postmasterPid(data) : child.pid;
      if (pid === undefined) return child.kill(signal);
      try {
        process.kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    },
  };
}

function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitUntilAccepting(server: Server, port: number): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    if (server.process.exitCode !== null || server.process.signalCode !== null) {
      throw new Error(`postgres exited before accepting connections:\n${server.log()}`);
    }
    try {
      await query(`postgresql://postgres@127.0.0.1:${port}/postgres`, "SELECT 1");
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `postgres did not accept connections within ${patienceMs} ms (${String(error)}):\n${server.log()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function query(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {}); // a refused connection is reported by connect()
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

// Fast shutdown (SIGINT), then immediate (SIGQUIT) if it takes too long.
async function shutDown(server: Server, data: string): Promise<void> {
  const exited = once(server.process, "exit");
  if (!server.kill(data, "SIGINT")) return;
  const timeout = new Promise<"timeout">((resolve) =>
    setTimeout(resolve, patienceMs, "timeout").unref(),
  );
  if ((await Promise.race([exited, timeout])) === "timeout") {
    server.kill(data, "SIGQUIT");
    await exited;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, "close");
  return port;
}
