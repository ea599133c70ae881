// The production build's trims of the libraries a member's page loads (vite.config.ts): parts of
// the Colyseus SDK, @colyseus/schema and XState that a Roundtable page provably never runs, left
// out so the page stays small (issue 5: "under 80 KB gzip"). Two mechanisms:
// - whole SDK modules resolve to client/lib/colyseus-unused.ts, stand-ins that throw;
// - single functions and methods get a body that throws, found by parsing the library's module
//   (not by text), which lets tree-shaking drop everything only they reached.
// Every trim must apply exactly once or the build fails, so a library update cannot silently
// change what is left out; test/unit/client-trim.test.ts checks them against the installed
// libraries, and the end-to-end suite (which builds the client) runs a whole meeting on the result.
import { fileURLToPath } from "node:url";
import { parseSync, type Plugin } from "vite";

/** A module the SDK imports, and the stand-in it resolves to. */
interface ModuleTrim {
  /** The import specifier, exactly as the SDK's modules write it. */
  specifier: string;
  /** The names the SDK imports from it; the stand-in exports each of them. */
  names: string[];
  why: string;
}

const sdkBuild = "/node_modules/@colyseus/sdk/build/";

/** The stand-ins for whole modules of the SDK. */
export const unusedModule = fileURLToPath(new URL("../lib/colyseus-unused.ts", import.meta.url));

export const moduleTrims: ModuleTrim[] = [
  {
    specifier: "./input/RoomInput.mjs",
    names: ["RoomInput"],
    why: "inputs exist only in rooms that declare them (an INPUT handshake section); the roundtable room declares none and the app never calls room.input()",
  },
  {
    specifier: "./transport/H3Transport.mjs",
    names: ["H3TransportTransport"],
    why: "the WebTransport (h3) transport: the app joins with the SDK's default protocol, WebSocket",
  },
  {
    specifier: "./Auth.mjs",
    names: ["Auth"],
    why: "Colyseus accounts (client.auth): a member is who their member key says, in the join options",
  },
  {
    specifier: "./fetchXHR.mjs",
    names: ["xhrFetch"],
    why: "the SDK's HTTP falls back to XMLHttpRequest only where fetch does not exist",
  },
  {
    specifier: "ws",
    names: ["default"],
    why: "the Node WebSocket, used only where there is no global WebSocket",
  },
];

/** A function, method or class whose body becomes `throw`, in the modules matching `module`. */
export interface BodyTrim {
  module: RegExp;
  /**
   * `name`: a top-level function; `Class#name`: a method (private ones too); `Object.name =
   * function`: a function assigned at the top level; `class Name`: a top-level class, which
   * becomes one whose constructor and static `initializeForDecoder` (how the schema decoder makes
   * a collection) throw.
   */
  target: string;
  why: string;
}

const schema = /\/node_modules\/@colyseus\/schema\/build\/index\.mjs$/;
const xstate = /\/node_modules\/xstate\/dist\/[^/]+(?<!\.development)\.esm\.js$/;
const sdkClient = /\/node_modules\/@colyseus\/sdk\/build\/Client\.mjs$/;
const sdkRoom = /\/node_modules\/@colyseus\/sdk\/build\/Room\.mjs$/;

const interpreter =
  "the page rebuilds snapshots with resolveState and asks them `can(event)` (shared/sync.ts): it never runs an actor, a transition or an action";

/** XState's action resolvers: run only when an actor executes a transition's actions. */
const actionResolvers = [
  "resolveAssign",
  "resolveEmit",
  "executeEmit",
  "resolveSendTo",
  "executeSendTo",
  "resolveEnqueueActions",
  "resolveLog",
  "executeLog",
  "resolveCancel",
  "executeCancel",
  "resolveSpawn",
  "executeSpawn",
  "resolveStop",
  "executeStop",
  "resolveRaise",
  "executeRaise",
];

const unusedCollection =
  "the roundtable state (server/state.ts) has maps and arrays only: a set, collection or stream is never decoded (decoding one would throw this stand-in's error)";

export const bodyTrims: BodyTrim[] = [
  {
    module: schema,
    target: "Reflection.encode = function",
    why: "a server encodes its state's reflection into the join handshake; a client only decodes it (Reflection.decode), and this kept the whole encoder",
  },
  { module: schema, target: "class SetSchema", why: unusedCollection },
  { module: schema, target: "class CollectionSchema", why: unusedCollection },
  { module: schema, target: "class StreamSchema", why: unusedCollection },
  ...["debugRefIds", "debugRefIdEncodingOrder", "debugRefIdsFromDecoder", "debugChanges"].map(
    (name) => ({
      module: schema,
      target: `Schema#${name}`,
      why: "debugging helpers, called by nothing but each other",
    }),
  ),
  { module: xstate, target: "createActor", why: interpreter },
  ...[
    "transition",
    "microstep",
    "_getPreInitialState",
    "getInitialSnapshot",
    "start",
    "getPersistedSnapshot",
    "restoreSnapshot",
  ].map((name) => ({ module: xstate, target: `StateMachine#${name}`, why: interpreter })),
  ...actionResolvers.map((name) => ({ module: xstate, target: name, why: interpreter })),
  {
    module: sdkClient,
    target: "ColyseusSDK#selectByLatency",
    why: "the page joins its own origin; it never picks an endpoint by latency",
  },
  {
    module: sdkClient,
    target: "ColyseusSDK#getLatency",
    why: "the page joins its own origin; it never measures latency",
  },
  ...["request", "sendRequest", "encodeRequestFrame", "mintRequestId"].map((name) => ({
    module: sdkRoom,
    target: `Room#${name}`,
    why: "requests with replies (room.request, or room.send with a callback): the page only sends (client/lib/meeting.svelte.ts)",
  })),
  ...["sendUnreliable", "sendBytes", "ping"].map((name) => ({
    module: sdkRoom,
    target: `Room#${name}`,
    why: "the page only sends messages with room.send; it never sends unreliably, raw bytes or pings",
  })),
];

interface Span {
  start: number;
  end: number;
}

interface Node extends Span {
  type: string;
  [key: string]: unknown;
}

const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && typeof (value as Node).type === "string";

/** The body (block or class body) each target names, among one module's top-level statements. */
function findBodies(program: Node, targets: string[]): Map<string, Span[]> {
  const found = new Map<string, Span[]>(targets.map((t) => [t, []]));
  const add = (target: string, fn: unknown) => {
    const body = isNode(fn) ? fn.body : undefined;
    if (found.has(target) && isNode(body) && /^(BlockStatement|ClassBody)$/.test(body.type)) {
      found.get(target)!.push(body);
    }
  };
  for (const raw of program.body as unknown[]) {
    const statement =
      isNode(raw) && raw.type === "ExportNamedDeclaration" && isNode(raw.declaration)
        ? raw.declaration
        : raw;
    if (!isNode(statement)) continue;
    const id = isNode(statement.id) ? (statement.id.name as string) : "";
    if (statement.type === "FunctionDeclaration") add(id, statement);
    // A class stand-in has a constructor without super(): only for classes that extend nothing.
    if (statement.type === "ClassDeclaration" && !statement.superClass) {
      add(`class ${id}`, statement);
    }
    if (statement.type === "ClassDeclaration" && isNode(statement.body)) {
      for (const member of statement.body.body as Node[]) {
        const key = isNode(member.key) ? (member.key.name as string) : "";
        if (member.type === "MethodDefinition") add(`${id}#${key}`, member.value);
      }
    }
    if (statement.type === "ExpressionStatement" && isNode(statement.expression)) {
      const e = statement.expression;
      if (e.type !== "AssignmentExpression" || !isNode(e.left) || !isNode(e.right)) continue;
      const { object, property } = e.left as { object?: Node; property?: Node };
      if (e.left.type === "MemberExpression" && object && property) {
        add(`${object.name as string}.${property.name as string} = function`, e.right);
      }
    }
  }
  return found;
}

/**
 * One module's code with the bodies of `trims` replaced by a throw; lines are kept, so a
 * line-for-line sourcemap stays right. Returns how many bodies each trim replaced.
 */
export function trimBodies(
  code: string,
  id: string,
  trims: BodyTrim[],
): { code: string; counts: Map<BodyTrim, number> } {
  const { program, errors } = parseSync(id, code);
  if (errors.length > 0) throw new Error(`${id} does not parse: ${errors[0]!.message}`);
  const bodies = findBodies(program as unknown as Node, [...new Set(trims.map((t) => t.target))]);
  const counts = new Map<BodyTrim, number>();
  const edits: { span: Span; target: string }[] = [];
  for (const trim of trims) {
    const spans = bodies.get(trim.target) ?? [];
    counts.set(trim, spans.length);
    for (const span of spans) edits.push({ span, target: trim.target });
  }
  let out = code;
  for (const { span, target } of edits.sort((a, b) => b.span.start - a.span.start)) {
    const lines = code.slice(span.start, span.end).split("\n").length - 1;
    const name = target.replace(/ = function$|^class /g, "");
    const error = `throw new Error("Roundtable's browser build leaves out ${name} (client/build/trim.ts).");`;
    const thrown = target.startsWith("class ")
      ? `{ constructor() { ${error} } static initializeForDecoder() { ${error} } ${"\n".repeat(lines)}}`
      : `{ ${error} ${"\n".repeat(lines)}}`;
    out = out.slice(0, span.start) + thrown + out.slice(span.end);
  }
  return { code: out, counts };
}

const slashes = (path: string): string => path.replace(/\\/g, "/");

/** The Vite plugin: resolves the SDK's unused modules to stand-ins and trims function bodies. */
export function libraryTrim(): Plugin {
  const applied = new Map<BodyTrim, number>();
  return {
    name: "roundtable:library-trim",
    apply: "build",
    enforce: "pre",
    buildStart() {
      applied.clear();
    },
    resolveId(source, importer) {
      if (!importer || !slashes(importer).includes(sdkBuild)) return undefined;
      return moduleTrims.some((m) => m.specifier === source) ? unusedModule : undefined;
    },
    transform(code, id) {
      const path = slashes(id);
      const trims = bodyTrims.filter((t) => t.module.test(path));
      if (trims.length === 0) return undefined;
      const result = trimBodies(code, id, trims);
      for (const [trim, n] of result.counts) applied.set(trim, (applied.get(trim) ?? 0) + n);
      const lines = result.code.split("\n").length;
      return {
        code: result.code,
        map: { version: 3, names: [], sources: [id], mappings: "AAAA" + ";AACA".repeat(lines - 1) },
      };
    },
    buildEnd(error) {
      if (error) return;
      const wrong = bodyTrims.filter((t) => applied.get(t) !== 1);
      if (wrong.length > 0) {
        const list = wrong.map((t) => `${t.target} (${applied.get(t) ?? 0}×)`).join(", ");
        throw new Error(
          `client/build/trim.ts: each trim must apply exactly once; a library changed? ${list}`,
        );
      }
    },
  };
}
