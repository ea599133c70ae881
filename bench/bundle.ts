/**
 * `node --import tsx bench/bundle.ts [distDir] [--build] [--by-source | --detail]`: the JavaScript
 * a member's page downloads during a whole meeting, in gzip bytes, chunk by chunk. distDir defaults
 * to dist/client; `--detail` attributes by source file rather than by package.
 *
 * Which chunks a member loads is read from Vite's manifest (`build.manifest`, in
 * `<distDir>/.vite/manifest.json`): the entry, its static imports, and every dynamic import
 * reachable from them, except the dynamic entries listed in NOT_LOADED_BY_MEMBERS (a page a
 * member never opens, a console only the facilitator sees). A chunk loaded later in the meeting
 * counts as much as the entry: lazy loading what every member needs saves nothing here.
 *
 * `--build` builds the client first into a temporary directory, with sourcemaps, so that
 * `--by-source` can attribute the member's bytes to packages and source files: each byte of the
 * minified output goes to the source its sourcemap segment points at; "gzip if removed" is the
 * member total minus the gzip of the same chunks with that source's bytes cut out.
 *
 * gzip is Node's zlib at level 9, as bench/run.ts measures; kilobytes are 1000 bytes, as Vite
 * prints them (stricter than KiB for the 80 KB target). Vite's own build report compresses with
 * another deflate implementation and prints about 1% more.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Dynamic entries (manifest `src`, relative to client/) a member never loads, and why. */
export const NOT_LOADED_BY_MEMBERS: Record<string, string> = {
  "components/Landing.svelte": "the landing page (/), not a table's page",
  "components/console/FacilitatorConsole.svelte": "the facilitator console, for the facilitator",
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
  memberLoads: boolean;
  /** Why a member does not load it; "" when they do. */
  why: string;
}

export interface ClientBundle {
  /** gzip bytes of the entry chunk (what index.html's script tag loads). */
  entryGzip: number;
  /** gzip bytes of every chunk a member loads during a meeting, the entry included. */
  memberGzip: number;
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

/** The manifest keys of the chunks a member loads: entry, static imports, member dynamic imports. */
function memberKeys(manifest: Record<string, ManifestChunk>): Set<string> {
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`manifest.json names ${key} but has no entry for it`);
    seen.add(key);
    for (const next of chunk.imports ?? []) visit(next);
    for (const next of chunk.dynamicImports ?? []) {
      if (!(next in NOT_LOADED_BY_MEMBERS)) visit(next);
    }
  };
  const entries = Object.keys(manifest).filter((key) => manifest[key]!.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry, found ${entries.length}`);
  visit(entries[0]!);
  return seen;
}

/** Every JS chunk of the build, whether a member loads it, and the gzip totals. */
export function measureClientBundle(distDir: string): ClientBundle {
  const manifest = readManifest(distDir);
  const member = memberKeys(manifest);
  const chunks: ChunkSize[] = Object.entries(manifest)
    .filter(([, chunk]) => chunk.file.endsWith(".js"))
    .map(([key, chunk]) => {
      const text = code(distDir, chunk.file);
      const memberLoads = member.has(key);
      return {
        file: chunk.file,
        bytes: Buffer.byteLength(text),
        gzip: gzip(text),
        memberLoads,
        why: memberLoads ? "" : (NOT_LOADED_BY_MEMBERS[key] ?? "not reachable from the entry"),
      };
    })
    .sort((a, b) => Number(b.memberLoads) - Number(a.memberLoads) || b.gzip - a.gzip);
  const entry = Object.values(manifest).find((chunk) => chunk.isEntry)!;
  return {
    entryGzip: chunks.find((c) => c.file === entry.file)!.gzip,
    memberGzip: chunks.filter((c) => c.memberLoads).reduce((n, c) => n + c.gzip, 0),
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

/** Prints the chunk table (and, with sourcemaps, the attribution); returns the member total. */
export function report(distDir: string, bySource: boolean, detail = false): number {
  const bundle = measureClientBundle(distDir);
  console.log(
    table(
      ["chunk", "raw KB", "gzip KB", "member loads"],
      bundle.chunks.map((c) => [c.file, kb(c.bytes), kb(c.gzip), c.memberLoads ? "yes" : c.why]),
    ),
  );
  console.log(
    `\nentry ${kb(bundle.entryGzip)} KB gzip · member total ${kb(bundle.memberGzip)} KB gzip` +
      ` (${bundle.memberGzip} bytes; target 80.0 KB)`,
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
  return bundle.memberGzip;
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
    report(distDir, bySource, detail);
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
