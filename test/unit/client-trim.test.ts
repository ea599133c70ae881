import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Decoder, Encoder, Reflection } from "@colyseus/schema";
import { parseSync } from "vite";
import { describe, expect, it } from "vitest";
import * as unused from "../../client/lib/colyseus-unused.ts";
import { bodyTrims, moduleTrims, trimBodies } from "../../client/build/trim.ts";
import { RoundtableState } from "../../server/state.ts";

// The production build leaves parts of the Colyseus SDK, @colyseus/schema and XState out of the
// page (client/build/trim.ts). These tests pin the trims to the installed libraries, so that an
// update that moves what they cut fails here, with a reason, rather than in a member's browser.
// The end-to-end suite runs a whole meeting on the trimmed build.

const root = fileURLToPath(new URL("../../", import.meta.url));
const modules = join(root, "node_modules");

/** The library files a production build reads (xstate: not its development builds). */
function libraryFiles(): string[] {
  const sdk = join(modules, "@colyseus/sdk/build");
  const xstate = join(modules, "xstate/dist");
  const mjs = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".mjs"))
      .map((f) => join(dir, f));
  return [
    ...mjs(sdk),
    join(modules, "@colyseus/schema/build/index.mjs"),
    ...readdirSync(xstate)
      .filter((f) => f.endsWith(".esm.js"))
      .map((f) => join(xstate, f)),
  ].map((f) => f.replace(/\\/g, "/"));
}

describe("the SDK modules the build replaces (client/lib/colyseus-unused.ts)", () => {
  const sdk = libraryFiles().filter((f) => f.includes("/@colyseus/sdk/build/"));

  it.each(moduleTrims.map((m) => [m.specifier, m] as const))(
    "%s: the stand-in exports every name the SDK imports from it",
    (specifier, trim) => {
      const imported = new Set<string>();
      for (const file of sdk) {
        const { program } = parseSync(file, readFileSync(file, "utf8"));
        for (const statement of program.body) {
          if (statement.type !== "ImportDeclaration" || statement.source.value !== specifier) {
            continue;
          }
          for (const s of statement.specifiers) {
            if (s.type === "ImportDefaultSpecifier") imported.add("default");
            else if (s.type === "ImportSpecifier") {
              imported.add(s.imported.type === "Identifier" ? s.imported.name : s.imported.value);
            } else imported.add("*");
          }
        }
      }
      expect(imported.size, `no SDK module imports ${specifier} any more`).toBeGreaterThan(0);
      expect([...imported].sort()).toEqual([...trim.names].sort());
      for (const name of trim.names) expect(unused).toHaveProperty(name);
    },
  );

  it("the stand-ins fail with a readable error when used", () => {
    expect(() => new unused.RoomInput()).toThrow(/leaves out inputs/);
    expect(() => new unused.H3TransportTransport()).toThrow(/leaves out the WebTransport/);
    expect(() => unused.xhrFetch()).toThrow(/leaves out the XMLHttpRequest fallback/);
    expect(() => unused.default()).toThrow(/leaves out the Node WebSocket/);
    // The SDK makes an Auth per client; only using it fails.
    const auth = new unused.Auth({}) as unknown as { token: string };
    expect(() => auth.token).toThrow(/leaves out client\.auth/);
  });
});

describe("the function bodies the build replaces with a throw", () => {
  const files = libraryFiles();
  const counts = new Map(bodyTrims.map((t) => [t, 0]));
  for (const file of files) {
    const trims = bodyTrims.filter((t) => t.module.test(file));
    if (trims.length === 0) continue;
    const code = readFileSync(file, "utf8");
    const result = trimBodies(code, file, trims);
    for (const [trim, n] of result.counts) counts.set(trim, counts.get(trim)! + n);
    it(`${file.slice(file.indexOf("node_modules/"))}: still parses, with as many lines`, () => {
      expect(parseSync(file, result.code).errors).toEqual([]);
      expect(result.code.split("\n").length).toBe(code.split("\n").length);
    });
  }

  it.each(bodyTrims.map((t) => [t.target, t] as const))(
    "%s is in the installed library exactly once",
    (_target, trim) => {
      expect(counts.get(trim)).toBe(1);
    },
  );
});

describe("the schema types a Roundtable client decodes", () => {
  it("are maps, arrays, references and primitives: never a set, collection or stream", () => {
    const reflection = new Reflection();
    new Decoder(reflection).decode(Reflection.encode(new Encoder(new RoundtableState())));
    const { types } = reflection.toJSON() as { types: { fields: { type: string }[] }[] };
    const kinds = new Set(types.flatMap((type) => type.fields.map((field) => field.type)));
    expect(kinds).toContain("map");
    for (const kind of kinds) {
      expect(kind).toMatch(
        /^(map|array|ref|string|number|boolean|u?int(8|16|32|64)|float(32|64))$/,
      );
    }
  });
});
