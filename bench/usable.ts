/**
 * Time to usable (issue 11): how long a member waits, on a slow phone's network and CPU, from
 * opening a table's link to a meeting they can take part in. `npm run bench` runs it against its
 * real server (production build); `node --import tsx bench/usable.ts URL [runs]` runs it alone
 * against a server already listening at URL.
 *
 * Each run: a new table (`POST /api/tables`, admission "open"); two `@colyseus/sdk` clients in
 * this process join it, a facilitator (with the table's facilitatorKey) and a presenter, agree,
 * and drive the meeting to `questions` (meeting.start, phase.next to choosing, presenter.choose,
 * phase.next), where a member may raise a hand. Only then does a member open the link
 * `/t/<tableId>`: headless Chromium, a fresh browser context (cold cache, no seat remembered), the
 * network throttled through CDP (`Network.emulateNetworkConditions`: PROFILE below) and the CPU
 * slowed down (`Emulation.setCPUThrottlingRate`). A script installed before the page's own
 * (PLAY_MEMBER) plays the member: it types a name as soon as "Your name" is shown, presses "Join"
 * as soon as it is enabled, and "I agree" as soon as it is shown; no human reaction time.
 *
 * What is timed, in the page's own clock (milliseconds since navigation start, i.e. since the
 * request for the page's HTML began). "Shown" is the first frame painted with the control in the
 * page and enabled, when a person could first see and use it:
 * - ready to type: the "Your name" field shown;
 * - usable: a "Raise hand" button shown. The app renders it only in the meeting view, with the
 *   synced state shown and after the member agreed to confidentiality, and enables it only when
 *   the shared machine lets this member raise a hand; Playwright then checks that a button with
 *   that accessible name is enabled;
 * - harness: the time the automated member itself took between a control being shown and its
 *   press (typing and "Join"; "I agree"), included in the total.
 * One warm-up run without throttling goes first and is not counted: it loads the server's code
 * paths and files once, as a server that has served anyone has. The result is the median of the
 * runs, each run kept in the JSON.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { WebSocket as NodeWebSocket } from "ws";
import { chromiumLaunchOptions } from "../test/support/chromium.ts";

/** The throttled profile: a slow mobile connection and a phone's CPU. */
export const PROFILE = {
  /** Round trip added to every request (ms). */
  latencyMs: 150,
  /** 1.6 Mbit/s down. */
  downloadBytesPerSecond: 200_000,
  /** 750 kbit/s up. */
  uploadBytesPerSecond: 93_750,
  /** CPU slowdown factor of the page. */
  cpuSlowdown: 4,
} as const;

/** Milliseconds from opening the link to a usable meeting, on PROFILE (issue 11). */
export const USABLE_TARGET_MS = 2000;

/** One member opening the link. Times are milliseconds since navigation start. */
export interface UsableRun {
  /** The last JavaScript file the page fetched until usable is in. */
  scriptsLoadedMs: number;
  /** The "Your name" field is shown: ready to type a name. */
  readyToTypeMs: number;
  /** "Join" pressed. */
  joinPressedMs: number;
  /** The "I agree" button is shown. */
  agreeMs: number;
  /** A "Raise hand" button is shown: the meeting is usable. */
  usableMs: number;
  /** The automated member's own typing and pressing, included in usableMs. */
  harnessMs: number;
  /** The JavaScript files the page fetched until usable: bytes on the wire (headers too). */
  scripts: { file: string; transferBytes: number; responseEndMs: number }[];
}

export interface UsableResult {
  status: "ok" | "failed";
  profile: typeof PROFILE;
  targetMs: number;
  /** The counted runs (not the warm-up). */
  runs: UsableRun[];
  /** Medians over the runs. */
  median?: Omit<UsableRun, "scripts">;
  error?: string;
}

/** What the init script leaves on `window`. */
interface Marks {
  readyToType?: number;
  joinPressed?: number;
  agree?: number;
  agreePressed?: number;
  usable?: number;
}

/**
 * Runs in the page before its own scripts, and plays the member: records on `window.__usable`
 * (Marks) when each control is shown, and uses it at once. "Shown" is the first frame rendered
 * with the control in the page and enabled (a requestAnimationFrame, then a task: after that frame
 * is painted), when a person could first see and use it. The member types the name in one go and
 * presses "Join" as soon as it is enabled, and presses "I agree" as soon as it is shown: no human
 * reaction time. Names are accessible names, as a screen reader computes them for these plain
 * controls: text content without aria-hidden parts; a field's name is its label's text.
 * Plain JavaScript in a string: a function would be serialized with the helpers tsx compiles
 * into it (`__name`), which the page does not have.
 */
const PLAY_MEMBER = `(() => {
  const marks = {};
  window.__usable = marks;
  const mark = (key) => { if (marks[key] === undefined) marks[key] = performance.now(); };
  const text = (node) => {
    let out = "";
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) out += child.textContent;
      else if (child.nodeType === Node.ELEMENT_NODE && child.getAttribute("aria-hidden") !== "true") {
        out += text(child);
      }
    }
    return out;
  };
  const name = (el) => (el.getAttribute("aria-label") ?? text(el)).replace(/\\s+/g, " ").trim();
  const button = (label) =>
    [...document.querySelectorAll("button")].find((b) => !b.disabled && name(b) === label);
  const nameField = () =>
    [...document.querySelectorAll("input")].find(
      (i) => !i.disabled && [...(i.labels ?? [])].some((l) => name(l) === "Your name"),
    );
  const waiting = new Set();
  /** Marks key once the next frame has been painted, then does what a member does with it. */
  const shown = (key, then) => {
    if (marks[key] !== undefined || waiting.has(key)) return;
    waiting.add(key);
    requestAnimationFrame(() => setTimeout(() => { mark(key); then(); }));
  };
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  const look = () => {
    const field = nameField();
    if (field) {
      shown("readyToType", () => {
        field.focus();
        setValue.call(field, "Member");
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
    const join = marks.readyToType !== undefined && button("Join");
    if (join && marks.joinPressed === undefined) {
      mark("joinPressed");
      join.click();
    }
    const agree = button("I agree");
    if (agree) shown("agree", () => { mark("agreePressed"); agree.click(); });
    if (button("Raise hand")) shown("usable", () => observer.disconnect());
  };
  const observer = new MutationObserver(look);
  observer.observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["disabled"],
  });
})();`;

// ---------------------------------------------------------------------------------------------
// The meeting the member joins, driven by SDK clients

/** The synced state's fields read here, as the SDK decodes them. */
interface View {
  phase: string;
  members: { get(id: string): { agreed: boolean } | undefined };
}

interface Bot {
  memberId: string;
  send(type: string, payload?: Record<string, unknown>): void;
  /** Resolves once the bot's synced state passes `check`; rejects on a refusal or after 10 s. */
  until(what: string, check: (state: View) => boolean): Promise<void>;
  leave(): Promise<void>;
}

async function sdk() {
  // Node 20 has no global WebSocket; the SDK picks up whatever is there when first imported.
  globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket;
  return import("@colyseus/sdk");
}

async function joinBot(
  url: string,
  tableId: string,
  name: string,
  facilitatorKey?: string,
): Promise<Bot> {
  const { Client } = await sdk();
  const room = await new Client(url).joinOrCreate("roundtable", {
    tableId,
    name,
    memberKey: randomBytes(12).toString("hex"),
    ...(facilitatorKey ? { facilitatorKey } : {}),
  });
  let refused: ((message: string) => void) | undefined;
  room.onMessage("error", (e: { type?: string; message?: string }) =>
    refused?.(`${name}: ${e.type ?? "?"} refused: ${e.message ?? ""}`),
  );
  const memberId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no welcome in 10 s`)), 10_000);
    room.onMessage("welcome", (m: { memberId: string }) => {
      clearTimeout(timer);
      resolve(m.memberId);
    });
  });
  return {
    memberId,
    send: (type, payload) => room.send(type, payload),
    until: (what, check) =>
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          listener.clear();
          refused = undefined;
          if (error) reject(error);
          else resolve();
        };
        const timer = setTimeout(
          () => done(new Error(`${name}: ${what} not seen in 10 s`)),
          10_000,
        );
        refused = (message) => done(new Error(message));
        const listener = room.onStateChange((state) => {
          if (check(state as unknown as View)) done();
        });
        if (room.state && check(room.state as unknown as View)) done();
      }),
    leave: () =>
      room.leave().then(
        () => undefined,
        () => undefined,
      ),
  };
}

/** A new table whose meeting is in `questions`, and the bots holding it there. */
async function meetingInQuestions(url: string): Promise<{ tableId: string; bots: Bot[] }> {
  const res = await fetch(`${url}/api/tables`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Time to usable", admission: "open" }),
  });
  if (res.status !== 201) throw new Error(`POST /api/tables: HTTP ${res.status}`);
  const { tableId, facilitatorKey } = (await res.json()) as {
    tableId: string;
    facilitatorKey: string;
  };
  const bots: Bot[] = [];
  try {
    const facilitator = await joinBot(url, tableId, "Facilitator", facilitatorKey);
    bots.push(facilitator);
    const presenter = await joinBot(url, tableId, "Presenter");
    bots.push(presenter);
    for (const bot of bots) bot.send("confidentiality.agree");
    await facilitator.until("both agreed", (s) =>
      bots.every((b) => s.members.get(b.memberId)?.agreed === true),
    );
    const step = async (type: string, phase: string, payload?: Record<string, unknown>) => {
      facilitator.send(type, payload);
      await facilitator.until(`phase ${phase}`, (s) => s.phase === phase);
    };
    await step("meeting.start", "checkIn");
    // A table's first meeting has nothing to follow up on: check-in goes straight to choosing.
    await step("phase.next", "choosing");
    await step("presenter.choose", "presenting", { memberId: presenter.memberId });
    await step("phase.next", "questions");
    return { tableId, bots };
  } catch (error) {
    await Promise.all(bots.map((b) => b.leave()));
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The member's browser

async function openAsMember(
  browser: Browser,
  url: string,
  tableId: string,
  throttled: boolean,
): Promise<UsableRun> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.addInitScript({ content: PLAY_MEMBER });
    if (throttled) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: PROFILE.latencyMs,
        downloadThroughput: PROFILE.downloadBytesPerSecond,
        uploadThroughput: PROFILE.uploadBytesPerSecond,
      });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: PROFILE.cpuSlowdown });
    }
    await page.goto(`${url}/t/${tableId}`, { waitUntil: "commit" });
    await page
      .waitForFunction(
        () => (window as unknown as { __usable: Marks }).__usable.usable !== undefined,
        undefined,
        { timeout: 30_000 },
      )
      .catch(async (error: Error) => {
        const shown = await page
          .locator("body")
          .innerText()
          .catch(() => "");
        throw new Error(
          `${error.message} The page shows: ${shown.replace(/\s+/g, " ").slice(0, 400)}`,
        );
      });
    // The in-page check and Playwright's accessible-name lookup must agree.
    const raise = page.getByRole("button", { name: "Raise hand", exact: true });
    if (!(await raise.isEnabled())) throw new Error('"Raise hand" is not an enabled button');
    const seen = await page.evaluate(() => ({
      marks: (window as unknown as { __usable: Marks }).__usable,
      scripts: performance
        .getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname.endsWith(".js"))
        .map((e) => ({
          file: new URL(e.name).pathname.replace(/^\//, ""),
          transferBytes: (e as PerformanceResourceTiming).transferSize,
          responseEndMs: (e as PerformanceResourceTiming).responseEnd,
        })),
    }));
    const m = seen.marks;
    const missing = (
      ["readyToType", "joinPressed", "agree", "agreePressed", "usable"] as const
    ).filter((k) => m[k] === undefined);
    if (missing.length > 0) throw new Error(`the page recorded no ${missing.join(", ")}`);
    return {
      scriptsLoadedMs: Math.max(0, ...seen.scripts.map((f) => f.responseEndMs)),
      readyToTypeMs: m.readyToType!,
      joinPressedMs: m.joinPressed!,
      agreeMs: m.agree!,
      usableMs: m.usable!,
      harnessMs: m.joinPressed! - m.readyToType! + (m.agreePressed! - m.agree!),
      scripts: seen.scripts,
    };
  } finally {
    await context.close();
  }
}

/** The times of a run, in the order they happen. */
const TIMES = [
  "scriptsLoadedMs",
  "readyToTypeMs",
  "joinPressedMs",
  "agreeMs",
  "usableMs",
  "harnessMs",
] as const satisfies readonly (keyof UsableRun)[];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * `runs` members, one after another, each opening the link of a meeting of its own, on the
 * throttled profile (after one warm-up run without throttling). Never throws: a failure is in
 * the result.
 */
export async function measureTimeToUsable(
  url: string,
  runs: number,
  log: (message: string) => void = () => {},
): Promise<UsableResult> {
  const result: UsableResult = {
    status: "failed",
    profile: PROFILE,
    targetMs: USABLE_TARGET_MS,
    runs: [],
  };
  let browser: Browser | undefined;
  try {
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be 1 or more, not ${runs}`);
    browser = await chromium.launch(chromiumLaunchOptions);
    for (let i = 0; i <= runs; i++) {
      const { tableId, bots } = await meetingInQuestions(url);
      try {
        const run = await openAsMember(browser, url, tableId, i > 0);
        if (i === 0) continue;
        result.runs.push(run);
        log(
          `  time to usable ${i}/${runs}: ready to type ${run.readyToTypeMs.toFixed(0)} ms, ` +
            `usable ${run.usableMs.toFixed(0)} ms (harness ${run.harnessMs.toFixed(0)} ms)`,
        );
      } finally {
        await Promise.all(bots.map((b) => b.leave()));
      }
    }
    result.median = Object.fromEntries(
      TIMES.map((k) => [k, median(result.runs.map((r) => r[k]))]),
    ) as Omit<UsableRun, "scripts">;
    result.status = "ok";
  } catch (error) {
    result.error = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  } finally {
    await browser?.close().catch(() => undefined);
  }
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [url, runs] = process.argv.slice(2);
  if (!url) {
    console.error("usage: node --import tsx bench/usable.ts URL [runs]");
    process.exit(2);
  }
  const result = await measureTimeToUsable(url, Number(runs ?? 3), console.log);
  console.log(JSON.stringify(result, null, 2));
  process.exit(result.status === "ok" ? 0 : 1);
}
