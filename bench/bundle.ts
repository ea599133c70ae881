/**
 * `node --import tsx bench/bundle.ts [distDir] [--build] [--by-source | --detail]`: the JavaScript
 * a member's page loads, in gzip bytes, chunk by chunk, against the budget (MEMBER_BUDGET_GZIP,
 * issue 11): the command exits 1 when a member's page loads more. distDir defaults to dist/client;
 * `--detail` attributes by source file rather than by package.
 *
 * Which chunks a member loads is read from Vite's manifest (`build.manifest`, in
 * `<distDir>/.vite/manifest.json`): the entry, its static imports, and every dynamic import
 * reachable from them (`dynamicImports`), except the dynamic entries listed in LAZY: a page a
 * member never opens (the landing page, the facilitator console), or something a member's page
 * loads only when they ask for it. Those, and everything only they import, are reported apart and
 * not counted. A dynamic import that is not listed counts as much as the entry, since lazily
 * loading what every member needs on opening the link saves them nothing; the benchmark's
 * time-to-usable run (bench/usable.ts) checks that the page loads no chunk this file leaves out.
 *
 * `--build` builds the client first into a temporary directory, with sourcemaps, so that
 * `--by-source` can attribute the member's bytes to packages and source files: each byte of the
 * minified output goes to the source its sourcemap segment points at; "gzip if removed" is the
 * member total minus the gzip of the same chunks with that source's bytes cut out.
 *
 * gzip is Node's zlib at level 9, as bench/run.ts measures; kilobytes are 1000 bytes, as Vite
 * prints them (stricter than KiB for the budget). Vite's own build report compresses with another
 * deflate implementation and prints about 1% more; the server's `compression` middleware (level 6)
 * sends slightly more again.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Gzip bytes a member's page may load on opening a table's link (issue 11; 1 KB = 1000 bytes). */
export const MEMBER_BUDGET_GZIP = 120_000;

/**
 * Dynamic entries a member's page does not load on opening the link, and why: not counted in the
 * budget, reported apart. A key is a manifest key (`src`, relative to client/) or a package name
 * (`qrcode`), for a package imported with `import()`.
 */
export const LAZY: Record<string, string> = {
  "components/Landing.svelte": "the landing page (/), not a table's page",
  "components/console/FacilitatorConsole.svelte": "the facilitator console, for the facilitator",
  // Issue 13, the forum format and time control: what only some members, or some tables, load.
  "components/TimekeeperPanel.svelte": "the timekeeper's large timers, for the timekeeper",
  "components/UpdatesStage.svelte":
    "the forum's updates go-around, at a forum table when it starts",
  "components/ForumParking.svelte": "the forum's parking lot, at a forum table",
  "components/IssueCardForm.svelte":
    "the issue card's form, loaded when a member opens it or presents",
  "components/Recap.svelte": "the recap, loaded when the meeting's closing begins",
  "components/IssueCard.svelte": "a presenter's issue card, loaded once one is shared",
  "components/between/Planning.svelte": "the facilitator's planning on the table's page",
  "components/between/Settings.svelte": "the facilitator's settings on the table's page",
  // STACK.md's QR-code libraries: only "Use on another device" shows a code, and imports one then.
  // Were a page to load one on opening, the time-to-usable run (bench/usable.ts) would say so.
  qrcode: 'the QR code of "Use on another device", loaded when a member opens it',
  uqr: 'the QR code of "Use on another device", loaded when a member opens it',
};

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface ChunkSize {
  file: string;
  bytes: number;
  gzip: number;
  /** Counted in the budget: a member's page loads it on opening a table's link. */
  memberLoads: boolean;
  /** Counted, but reached only through a dynamic import no entry of LAZY names. */
  dynamic: boolean;
  /** Why a member does not load it on opening the link; "" when they do. */
  why: string;
}

export interface ClientBundle {
  /** gzip bytes of the entry chunk (what index.html's script tag loads). */
  entryGzip: number;
  /** gzip bytes of every chunk a member's page loads on opening the link, the entry included. */
  memberGzip: number;
  /** gzip bytes of the chunks reached only through LAZY's dynamic imports (not counted). */
  lazyGzip: number;
  /** gzip bytes of every JS chunk of the build. */
  allGzip: number;
  budgetGzip: number;
  withinBudget: boolean;
  chunks: ChunkSize[];
}

const gzip = (code: string | Buffer): number => gzipSync(code, { level: 9 }).length;

/** A chunk's code without the trailing sourcemap comment (present only in --sourcemap builds). */
function code(distDir: string, file: string): string {
  return readFileSync(join(distDir, file), "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "");
}

function readManifest(distDir: string): Record<string, ManifestChunk> {
  const path = join(distDir, ".vite", "manifest.json");
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: build the client with build.manifest (vite.config.ts).`);
  }
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, ManifestChunk>;
}

/** The package a manifest key is in (`../node_modules/qrcode/lib/browser.js`: qrcode), or "". */
function packageOf(key: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(key)?.[1] ?? "";
}

/** Why a member does not load this dynamic entry on opening the link, if LAZY says so. */
function lazyReason(key: string): string | undefined {
  return LAZY[key] ?? (packageOf(key) ? LAZY[packageOf(key)] : undefined);
}

const UNREACHABLE = "not reachable from the entry";

interface Loading {
  counted: boolean;
  /** Counted, reached only through a dynamic import. */
  dynamic: boolean;
  why: string;
}

/**
 * What a member's page loads on opening the link, one or the other: the meeting when one is
 * running, the table's page when none is. Each is counted with everything only it brings; the
 * budget counts the larger of the two (a member's page never opens both at once: the table's page
 * opened from a meeting is one they ask for).
 */
export const OPENINGS: Record<string, string> = {
  "components/Meeting.svelte": "the meeting, when one is running",
  "components/between/BetweenMeetings.svelte": "the table's page, when no meeting is running",
};

/**
 * How a member's page comes to load each manifest key: counted (the entry, its static imports,
 * the dynamic imports LAZY does not name, transitively, and the larger of OPENINGS with what it
 * brings), or not, with the reason of the LAZY entry (or the smaller opening) that reaches it.
 * `gzipOf` sizes a manifest key's chunk.
 */
export function classify(
  manifest: Record<string, ManifestChunk>,
  gzipOf: (key: string) => number = () => 0,
): Map<string, Loading> {
  const out = new Map<string, Loading>();
  const chunk = (key: string): ManifestChunk => {
    const found = manifest[key];
    if (!found) throw new Error(`manifest.json names ${key} but has no entry for it`);
    return found;
  };
  const entries = Object.keys(manifest).filter((key) => manifest[key]!.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry, found ${entries.length}`);
  const lazy: string[] = [];
  const openings: string[] = [];
  /**
   * Everything a start brings that `known` does not hold yet: static imports, then the dynamic
   * imports neither LAZY nor OPENINGS names, transitively (a chunk imported both ways is static).
   */
  const reach = (start: string, dynamic: boolean, known: Map<string, Loading>) => {
    const found = new Map<string, boolean>();
    const pending: string[] = [];
    const visit = (key: string, viaDynamic: boolean): void => {
      if (known.has(key) || found.has(key)) return;
      found.set(key, viaDynamic);
      for (const next of chunk(key).imports ?? []) visit(next, viaDynamic);
      for (const next of chunk(key).dynamicImports ?? []) {
        if (lazyReason(next) !== undefined) lazy.push(next);
        else if (OPENINGS[next] !== undefined) openings.push(next);
        else pending.push(next);
      }
    };
    visit(start, dynamic);
    while (pending.length > 0) {
      const key = pending.shift()!;
      if (!found.has(key)) visit(key, true);
    }
    return found;
  };
  for (const [key, dynamic] of reach(entries[0]!, false, out)) {
    out.set(key, { counted: true, dynamic, why: "" });
  }
  // The larger opening is counted; what only the other brings is reported apart.
  const alternatives = [...new Set(openings)].map((key) => {
    const brings = reach(key, true, out);
    return { key, brings, gzip: [...brings.keys()].reduce((n, k) => n + gzipOf(k), 0) };
  });
  alternatives.sort((a, b) => b.gzip - a.gzip);
  const [larger, ...others] = alternatives;
  if (larger) {
    for (const key of larger.brings.keys()) {
      out.set(key, { counted: true, dynamic: true, why: OPENINGS[larger.key]! });
    }
  }
  for (const other of others) {
    for (const key of other.brings.keys()) {
      if (out.has(key)) continue;
      const instead = larger ? " (the larger opening is counted)" : "";
      out.set(key, { counted: false, dynamic: true, why: `${OPENINGS[other.key]}${instead}` });
    }
  }
  const visitLazy = (key: string, why: string): void => {
    if (out.has(key)) return;
    out.set(key, { counted: false, dynamic: true, why });
    const next = chunk(key);
    for (const k of [...(next.imports ?? []), ...(next.dynamicImports ?? [])]) visitLazy(k, why);
  };
  for (const key of lazy) visitLazy(key, lazyReason(key)!);
  return out;
}

/** Every JS chunk of the build, whether a member's page loads it on opening, and the totals. */
export function measureClientBundle(distDir: string): ClientBundle {
  const manifest = readManifest(distDir);
  const sizes = new Map<string, number>();
  const gzipOf = (key: string): number => {
    const file = manifest[key]?.file;
    if (!file?.endsWith(".js")) return 0;
    if (!sizes.has(key)) sizes.set(key, gzip(code(distDir, file)));
    return sizes.get(key)!;
  };
  const loading = classify(manifest, gzipOf);
  const chunks: ChunkSize[] = Object.entries(manifest)
    .filter(([, chunk]) => chunk.file.endsWith(".js"))
    .map(([key, chunk]) => {
      const text = code(distDir, chunk.file);
      const how = loading.get(key) ?? { counted: false, dynamic: false, why: UNREACHABLE };
      return {
        file: chunk.file,
        bytes: Buffer.byteLength(text),
        gzip: gzip(text),
        memberLoads: how.counted,
        dynamic: how.counted && how.dynamic,
        why: how.why,
      };
    })
    .sort((a, b) => Number(b.memberLoads) - Number(a.memberLoads) || b.gzip - a.gzip);
  const entry = Object.values(manifest).find((chunk) => chunk.isEntry)!;
  const total = (list: ChunkSize[]) => list.reduce((n, c) => n + c.gzip, 0);
  const memberGzip = total(chunks.filter((c) => c.memberLoads));
  return {
    entryGzip: chunks.find((c) => c.file === entry.file)!.gzip,
    memberGzip,
    lazyGzip: total(chunks.filter((c) => !c.memberLoads && c.why !== UNREACHABLE)),
    allGzip: total(chunks),
    budgetGzip: MEMBER_BUDGET_GZIP,
    withinBudget: memberGzip <= MEMBER_BUDGET_GZIP,
    chunks,
  };
}

// ---------------------------------------------------------------------------------------------
// Attribution by sourcemap

/** Bytes no sourcemap segment claims: Svelte's compiled template strings, and Vite's preload helper. */
const UNMAPPED = "(unmapped: our templates' HTML, Vite's preload helper)";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes a sourcemap's `mappings` into [generated column, source index | -1] per line. */
function decodeMappings(mappings: string): [number, number][][] {
  const lines: [number, number][][] = [];
  let source = 0;
  for (const line of mappings.split(";")) {
    const segments: [number, number][] = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0]!;
      if (values.length > 1) source += values[1]!;
      segments.push([column, values.length > 1 ? source : -1]);
    }
    lines.push(segments);
  }
  return lines;
}

/** The group a source path is counted under: a package, or a file of ours. */
export function sourceGroup(source: string): string {
  const path = source.replace(/\\/g, "/");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (pkg) return `${pkg[1]}`;
  const ours = /(?:^|\/)(client|shared)\/(.*)$/.exec(path);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return path || UNMAPPED;
}

export interface SourceBytes {
  source: string;
  /** Minified bytes mapped to this source, in the chunks a member loads. */
  bytes: number;
  /** How much the member's gzip total would shrink with these bytes cut out. */
  gzipIfRemoved: number;
}

/**
 * The member's minified bytes by source (`detail`: every file; otherwise packages, and our files
 * grouped as client/ and shared/<file>). Needs a build with sourcemaps.
 */
export function attributeClientBundle(distDir: string, detail = false): SourceBytes[] {
  const bundle = measureClientBundle(distDir);
  const texts: string[] = [];
  /** For each member chunk, [start, end, group] ranges in its text. */
  const ranges: [number, number, string][][] = [];
  for (const chunk of bundle.chunks.filter((c) => c.memberLoads)) {
    const mapPath = join(distDir, `${chunk.file}.map`);
    if (!existsSync(mapPath)) throw new Error(`${mapPath} is missing: build with --sourcemap`);
    const map = JSON.parse(readFileSync(mapPath, "utf8")) as {
      sources: string[];
      mappings: string;
    };
    const text = code(distDir, chunk.file);
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
    const group = (index: number): string => {
      if (index < 0) return UNMAPPED;
      const source = map.sources[index] ?? "";
      if (detail) return source.replace(/^(\.\.\/)+/, "");
      const g = sourceGroup(source);
      return g.startsWith("client/") ? "client/ (our code)" : g;
    };
    const own: [number, number, string][] = [];
    const lines = decodeMappings(map.mappings);
    lineStarts.forEach((start, n) => {
      const end = n + 1 < lineStarts.length ? lineStarts[n + 1]! : text.length;
      const segments = lines[n] ?? [];
      let at = start;
      let current = UNMAPPED;
      for (const [column, source] of segments) {
        const pos = Math.min(start + column, end);
        if (pos > at) own.push([at, pos, current]);
        at = Math.max(at, pos);
        current = group(source);
      }
      if (end > at) own.push([at, end, current]);
    });
    texts.push(text);
    ranges.push(own);
  }
  const bytes = new Map<string, number>();
  for (const own of ranges) {
    for (const [start, end, g] of own) bytes.set(g, (bytes.get(g) ?? 0) + end - start);
  }
  const total = bundle.memberGzip;
  return [...bytes.entries()]
    .map(([source, n]) => {
      const without = texts.reduce((sum, text, i) => {
        const kept = ranges[i]!.filter(([, , g]) => g !== source).map(([s, e]) => text.slice(s, e));
        return sum + gzip(kept.join(""));
      }, 0);
      return { source, bytes: n, gzipIfRemoved: total - without };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

// ---------------------------------------------------------------------------------------------
// The command

const kb = (n: number): string => (n / 1000).toFixed(1);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** How a chunk is loaded, for the table. */
function loads(c: ChunkSize): string {
  if (!c.memberLoads) return `no: ${c.why}`;
  if (c.why) return `yes: ${c.why}`;
  return c.dynamic ? "yes (a dynamic import LAZY does not name)" : "yes";
}

/** Prints the chunk table (and, with sourcemaps, the attribution); returns the measurement. */
export function report(distDir: string, bySource: boolean, detail = false): ClientBundle {
  const bundle = measureClientBundle(distDir);
  console.log(
    table(
      ["chunk", "raw KB", "gzip KB", "member loads on opening"],
      bundle.chunks.map((c) => [c.file, kb(c.bytes), kb(c.gzip), loads(c)]),
    ),
  );
  console.log(
    `\nentry ${kb(bundle.entryGzip)} KB gzip · member total ${kb(bundle.memberGzip)} KB gzip` +
      ` (${bundle.memberGzip} bytes; budget ${kb(bundle.budgetGzip)} KB:` +
      ` ${bundle.withinBudget ? "within" : "OVER"}) · not loaded on opening ${kb(bundle.lazyGzip)} KB`,
  );
  if (bySource) {
    const rows = attributeClientBundle(distDir, detail);
    console.log(
      "\n" +
        table(
          ["source", "minified KB", "gzip if removed KB"],
          rows.map((r) => [r.source, kb(r.bytes), kb(r.gzipIfRemoved)]),
        ),
    );
  }
  return bundle;
}

function main(): void {
  const args = process.argv.slice(2);
  const root = fileURLToPath(new URL("..", import.meta.url));
  const build = args.includes("--build");
  const detail = args.includes("--detail");
  const bySource = build || detail || args.includes("--by-source");
  let distDir = resolve(args.find((a) => !a.startsWith("--")) ?? join(root, "dist", "client"));
  let temporary = "";
  if (build) {
    temporary = mkdtempSync(join(tmpdir(), "roundtable-bundle-"));
    distDir = temporary;
    const result = spawnSync(
      "npx",
      ["vite", "build", "--outDir", distDir, "--emptyOutDir", "--sourcemap", "--manifest"],
      { cwd: root, encoding: "utf8", timeout: 180_000 },
    );
    if (result.status !== 0) {
      console.error(result.stderr || result.stdout);
      process.exit(1);
    }
  }
  try {
    const bundle = report(distDir, bySource, detail);
    if (!bundle.withinBudget) {
      console.error(
        `bench/bundle.ts: a member's page loads ${kb(bundle.memberGzip)} KB gzip of JavaScript, ` +
          `over the ${kb(bundle.budgetGzip)} KB budget`,
      );
      process.exitCode = 1;
    }
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
