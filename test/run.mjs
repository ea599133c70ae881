#!/usr/bin/env node
// Runs every test of the project: Vitest (unit, integration, component) and Playwright (end to
// end). Tests that need Chromium, PostgreSQL or Redis get them here: found on the machine, or
// installed from Debian's packages when we are root; otherwise we stop at once and say the exact
// command to run. Nothing is skipped silently.
//
// `--also-node=PATH` runs the unit and integration tests a second time on another Node binary
// (CI passes Node 24 LTS); its counts join the closing line, and a failure there fails the run.
// `--install-only` installs what the tests need and stops (CI: before the benchmark, which drives
// Chromium too).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const only = new Set(args.filter((a) => !a.startsWith("-")));
const wants = (part) => only.size === 0 || only.has(part);
const alsoNodeArg = args.find((a) => a.startsWith("--also-node="));
const alsoNode = alsoNodeArg && resolve(alsoNodeArg.slice("--also-node=".length));
if (alsoNode !== undefined && !existsSync(alsoNode)) {
  console.error(`--also-node: no Node binary at ${alsoNode}`);
  process.exit(1);
}

function which(command) {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : "";
}

function postgresBinaries() {
  if (which("initdb")) return true;
  const base = "/usr/lib/postgresql";
  return (
    existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, "bin", "initdb")))
  );
}

/** What the tests need from the machine, and the Debian package that brings each. */
const needs = [
  {
    what: "Chromium",
    present: () => existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"),
    packages: ["chromium", "fonts-noto-color-emoji"],
    for: ["component", "e2e"],
  },
  {
    what: "PostgreSQL",
    present: postgresBinaries,
    packages: ["postgresql"],
    for: ["unit", "integration"],
  },
  {
    what: "Redis",
    present: () => which("redis-server") !== "",
    packages: ["redis-server"],
    for: ["integration"],
  },
].filter((need) => need.for.some(wants));

const missing = needs.filter((need) => !need.present());
if (missing.length > 0) {
  const packages = missing.flatMap((m) => m.packages);
  const command = `apt-get update && apt-get install -y ${packages.join(" ")}`;
  const root = process.getuid?.() === 0;
  if (!root || !which("apt-get")) {
    console.error(
      `The tests need ${missing.map((m) => m.what).join(", ")}. Install with:\n  ${command}`,
    );
    process.exit(1);
  }
  console.log(`Installing ${missing.map((m) => m.what).join(", ")}: ${command}`);
  const install = spawnSync("sh", ["-c", command], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (install.status !== 0 || missing.some((m) => !m.present())) {
    console.error(`Could not install them. Run:\n  ${command}`);
    process.exit(1);
  }
}

if (args.includes("--install-only")) process.exit(0);

const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
const out = mkdtempSync(join(tmpdir(), "roundtable-tests-"));
let passed = 0;
let failed = 0;
let ok = true;

const vitestBin = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));

/** Runs Vitest projects on a Node binary; adds their counts to the totals. */
function vitest(projects, node, label) {
  const report = join(out, `vitest-${label}.json`);
  const run = spawnSync(
    node,
    [
      vitestBin,
      "run",
      ...projects.flatMap((p) => ["--project", p]),
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ],
    // Anything the tests start by name (`node`, `npx`) runs on the same Node as they do.
    { stdio: "inherit", env: { ...env, PATH: `${dirname(node)}${delimiter}${env.PATH ?? ""}` } },
  );
  ok &&= run.status === 0;
  if (existsSync(report)) {
    const result = JSON.parse(readFileSync(report, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    return `${result.numPassedTests} passed, ${result.numFailedTests} failed`;
  }
  failed += 1;
  return "no report";
}

const vitestProjects = ["unit", "integration", "component"].filter(wants);
if (vitestProjects.length > 0) vitest(vitestProjects, process.execPath, "main");

if (wants("e2e")) {
  const report = join(out, "playwright.json");
  const run = spawnSync("npx", ["playwright", "test", "--reporter=list,json"], {
    stdio: "inherit",
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  ok &&= run.status === 0;
  if (existsSync(report)) {
    const stats = JSON.parse(readFileSync(report, "utf8")).stats;
    passed += stats.expected + stats.flaky;
    failed += stats.unexpected;
  } else {
    failed += 1;
  }
}

// Last, so the closing line stays the total: the same unit and integration tests on another Node.
const againProjects = ["unit", "integration"].filter(wants);
if (alsoNode !== undefined && againProjects.length > 0) {
  const version = spawnSync(alsoNode, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`\n${againProjects.join(" and ")} tests again, on Node ${version}`);
  const counts = vitest(againProjects, alsoNode, "again");
  console.log(`\nOn Node ${version}: ${counts}`);
}

console.log(`\nTests: ${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
