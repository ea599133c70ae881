// Seeded fuzzing of a meeting host, in process: no sockets, no Colyseus, a simulated clock and an
// in-memory SQLite, so thousands of messages a second and the same run for the same seed. Random
// people join (some with the table's key, some with a key used before, names that clash), wait,
// are admitted, declined or removed, drop and come back, and send random, malformed and
// protocol-driving messages. After every step:
// - every message was answered, and the answer is the protocol machine's verdict on it (taken
//   from the meeting as it was just before), with the same refusal sent as an `error`;
// - a refused message changed nothing in the meeting;
// - the synced state the room would mirror holds the protocol's invariants
//   (test/support/invariants.ts), and the schema mirror carries it exactly;
// - who receives what (the host's audiences) matches the meeting: nobody waiting or unagreed is
//   ever given content.
//
// FUZZ_SEED=<n> replays; FUZZ_HOST_MESSAGES and FUZZ_HOST_STEPS scale the search.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import {
  CLOSE_DECLINED,
  CLOSE_IDLE,
  CLOSE_REMOVED,
  CLOSE_REPLACED,
  clientMessageTypes,
  explainRefusal,
  phases,
  parseClientMessage,
  phaseOf,
  syncedFromSnapshot,
  type Answer,
  type ClientMessageType,
  type ErrorMessage,
  type ProtocolEvent,
} from "../../shared/index.ts";
import { RoundtableState } from "../../shared/state.ts";
import { hashKey, memberIdFor } from "../../server/keys.ts";
import { JoinRefused, MeetingHost, type Connection } from "../../server/host.ts";
import { mirror } from "../../server/mirror.ts";
import { openStorage, type Storage } from "../../server/storage/index.ts";
import { checkInvariants } from "../support/invariants.ts";

const PINNED_SEED = 20_261_129;
const SEED = Number(process.env.FUZZ_SEED ?? PINNED_SEED);
/** Messages a default run sends in all, over as many meetings as that takes. */
const MESSAGES = Number(process.env.FUZZ_HOST_MESSAGES ?? 20_000);
/** Steps of one meeting at most; a meeting that ends sooner gives way to the next. */
const STEPS = Number(process.env.FUZZ_HOST_STEPS ?? 500);
const FACILITATOR_KEY = "the-table-key-for-fuzzing";
const IDLE_MS = 10 * 60_000;

/** A small, seeded generator (mulberry32): the same seed, the same run. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof random>;

/** A connection as the host sees it, keeping what it was sent and how it was closed. */
class FakeConnection implements Connection {
  readonly errors: ErrorMessage[] = [];
  welcomes: { memberId: string; waiting?: true }[] = [];
  closedWith: number | undefined;
  constructor(
    readonly id: string,
    readonly person: { name: string; key: string },
    private readonly onClose: (c: FakeConnection) => void,
  ) {}
  send(type: "welcome" | "error", message: unknown): void {
    if (type === "error") this.errors.push(message as ErrorMessage);
    else this.welcomes.push(message as { memberId: string; waiting?: true });
  }
  close(code: number): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = code;
    this.onClose(this);
  }
}

const names = ["Ana", "Ben", "Chloé", "Dev", "Eve", "ana", "Fay", "Gus", "BEN", "Hal"];
const texts = [
  "What would a good outcome look like for you?",
  "Have you tried just talking to them?",
  "You should just give them the raise",
  "When we introduced a leveling chart, I found it calmed things",
  "Call three customers before Friday",
  "",
  "x".repeat(300),
];

const topics = ["Hiring my first lead", "Pricing the new plan", "Selling the workshop"];

const stats = {
  runs: 0,
  messages: 0,
  accepted: 0,
  refused: 0,
  joins: 0,
  refusedJoins: 0,
  /** Accepted messages by type, and the phases meetings reached: how deep the runs go. */
  acceptedByType: new Map<string, number>(),
  phases: new Set<string>(),
};

class Run {
  readonly clock = new SimulatedClock();
  readonly connections: FakeConnection[] = [];
  readonly keys: string[] = [];
  readonly state = new RoundtableState();
  host!: MeetingHost;
  #seq = 0;
  trace: string[] = [];

  constructor(
    readonly r: Random,
    readonly storage: Storage,
    readonly tableId: string,
  ) {}

  now = () => 1_800_000_000_000 + this.clock.now();

  /** Opens a meeting of the table: a new table, or the next meeting of the previous run's. */
  async open(
    admission: "members" | "open",
    previous?: Run,
    format: "roundtable" | "forum" = "roundtable",
  ): Promise<void> {
    if (previous) {
      // The same people come back: the roster and the open commitments carry over.
      this.keys.push(...previous.keys);
    } else {
      await this.storage.createTable({
        tableId: this.tableId,
        name: "Fuzzing circle",
        facilitatorKeyHash: hashKey(FACILITATOR_KEY),
        createdAt: this.now(),
        admission,
        format,
      });
    }
    const table = (await this.storage.getTable(this.tableId))!;
    // Some tables have their own timeboxes and planned presenters (storage keeps them from
    // version 2's between-meetings work on; here the record carries them).
    const own = this.r.chance(0.5)
      ? {
          timeboxes: { presentingMin: 1 + this.r.int(3), updateMin: 1 + this.r.int(3), turnMin: 1 },
          nextPresenters: [
            ...(previous?.host.snapshot.context.presented ?? []),
            "nobody-at-this-table",
          ],
        }
      : {};
    this.host = await MeetingHost.open(
      { ...table, ...own },
      { storage: this.storage, now: this.now, rateLimit: { perSecond: 1e6, burst: 1e6 } },
      this.clock,
      (snapshot) => mirror(this.state, syncedFromSnapshot(snapshot)),
    );
  }

  open_(): FakeConnection[] {
    return this.connections.filter((c) => c.closedWith === undefined);
  }

  async join(): Promise<void> {
    const r = this.r;
    // Owners of commitments from the meeting before come back more often than not, so follow-up
    // has someone to ask.
    const c = this.host.snapshot.context;
    const owners = this.keys.filter((k) => {
      const id = memberIdFor(this.tableId, k);
      return c.earlier.some((e) => e.ownerId === id) && c.members[id]?.connected !== true;
    });
    const key =
      owners.length > 0 && r.chance(0.5)
        ? r.pick(owners)
        : this.keys.length > 0 && r.chance(0.6)
          ? r.pick(this.keys)
          : `member-key-${++this.#seq}-fuzz`;
    if (!this.keys.includes(key)) this.keys.push(key);
    const withKey = r.chance(0.12);
    const options = {
      tableId: this.tableId,
      name: r.chance(0.05) ? "\u202Eevil" : r.pick(names),
      memberKey: key,
      ...(withKey ? { facilitatorKey: FACILITATOR_KEY } : {}),
    };
    this.trace.push(`join ${options.name}${withKey ? " (key)" : ""}`);
    stats.joins++;
    let auth;
    try {
      auth = this.host.authorize(options);
    } catch (error) {
      expect(error).toBeInstanceOf(JoinRefused);
      stats.refusedJoins++;
      return;
    }
    const connection = new FakeConnection(`c${++this.#seq}`, { name: options.name, key }, (c) =>
      this.host.leave(c),
    );
    this.connections.push(connection);
    this.host.join(connection, auth);
    await this.host.settled();
    expect(connection.welcomes.at(-1)?.memberId).toBe(auth.memberId);
    const waiting = this.host.audienceOf(auth.memberId) === "waiting";
    expect(connection.welcomes.at(-1)?.waiting === true, "welcome says waiting").toBe(waiting);
  }

  /** A payload shaped for the type, naming people and things of the meeting now (or not). */
  payload(type: ClientMessageType, sender?: string): unknown {
    const r = this.r;
    const c = this.host.snapshot.context;
    const anyone = () =>
      r.pick([...Object.keys(c.members), ...Object.keys(c.waiting), "nobody-at-this-table"]);
    const asking = c.questions.filter((q) => q.status === "asking").map((q) => q.id);
    const question = () =>
      asking.length > 0 && r.chance(0.5)
        ? r.pick(asking)
        : r.pick([...c.questions.map((q) => q.id), "q404"]);
    const own = c.commitments.filter((k) => k.ownerId === sender).map((k) => k.id);
    const topic = () => r.pick([...c.parking.map((t) => t.id), "p404"]);
    const commitment = () =>
      own.length > 0 && r.chance(0.7)
        ? r.pick(own)
        : r.pick([...c.commitments.map((k) => k.id), "k404"]);
    if (r.chance(0.05)) return r.pick([null, 42, "text", [], { extra: true }, { memberId: 7 }]);
    switch (type) {
      case "checkin.word":
        return { word: r.pick(["Curious", "two words", "", "Hopeful"]) };
      case "followup.report":
        return {
          commitmentId: commitment(),
          status: r.pick(["done", "partly", "not_done"]),
          ...(r.chance(0.5) ? { note: r.pick(texts) } : {}),
        };
      case "presenter.choose":
        return r.chance(0.4) ? { memberId: anyone(), topicId: topic() } : { memberId: anyone() };
      case "hand.lowerFor":
      case "facilitator.handoff":
      case "member.remove":
      case "member.admit":
      case "member.decline":
        return { memberId: anyone() };
      case "hand.raise":
        return r.chance(0.5) ? { note: r.pick(texts) } : undefined;
      case "floor.give":
        return r.pick([
          undefined,
          { memberId: anyone() },
          { holder: c.floorId || anyone() },
          { memberId: anyone(), holder: c.floorId },
        ]);
      case "question.ask":
      case "commitment.add":
        return { text: r.pick(texts) };
      case "question.withdraw":
      case "question.answered":
      case "question.dismiss":
        return { questionId: question() };
      case "commitment.remove":
        return { commitmentId: commitment() };
      case "pulse.answer":
        return { score: r.pick([1, 2, 3, 4, 5, 0, 6]) };
      case "facilitator.claim":
        return r.chance(0.5) ? { facilitatorKey: FACILITATOR_KEY } : {};
      case "update.rate":
        return r.pick([
          { work: 1 + r.int(10) },
          { family: 1 + r.int(10), personal: 1 + r.int(10) },
          { work: r.pick([0, 11, 7.5]) },
          {},
        ]);
      case "parking.add":
        return { text: r.pick([...topics, "", "t".repeat(121)]) };
      case "parking.remove":
      case "parking.vote":
        return { id: topic() };
      case "issue.set":
        return r.pick([
          { title: r.pick(topics), ask: r.pick(["questions", "experiences", "both"]) },
          {
            title: r.pick(topics),
            why: r.pick(texts).slice(0, 400),
            tried: r.pick(texts),
            ask: r.pick(["both", "advice"]),
          },
          { title: "", ask: "both" },
        ]);
      case "timer.extend":
        return { seconds: r.pick([30, 60, 60, 600, 29, 601, 45.5]) };
      case "timekeeper.assign":
        return { memberId: r.chance(0.2) ? "" : anyone() };
      default:
        return undefined;
    }
  }

  /** The type a connection sends: mostly what drives a meeting, sometimes anything at all. */
  type(connection: FakeConnection): string {
    const r = this.r;
    const c = this.host.snapshot.context;
    const memberId = memberIdFor(this.tableId, connection.person.key);
    if (r.chance(0.02)) return r.pick(["*", "no.such.type", "__proto__"]);
    // A presenter in the commitment phase commits, so the next meeting has a follow-up.
    if (c.presenterId === memberId && phaseOf(this.host.snapshot) === "commitment") {
      if (r.chance(0.5)) return "commitment.add";
    }
    // An owner whose commitment is under review answers "how did it go?" most of the time.
    if (c.commitments.some((k) => k.review && k.ownerId === memberId) && r.chance(0.5)) {
      return "followup.report";
    }
    // Whose turn it is in the updates rates and finishes, most of the time; a presenter shares
    // the issue card now and then; someone keeps the parking lot going.
    if (c.turnId === memberId && r.chance(0.6)) {
      return r.pick(["update.rate", "turn.done", "turn.pass"]);
    }
    if (c.presenterId === memberId && r.chance(0.1)) return "issue.set";
    // A question being asked gets its answer, from the presenter or the facilitator.
    const answers = c.presenterId === memberId || c.facilitatorId === memberId;
    if (answers && c.questions.some((q) => q.status === "asking") && r.chance(0.3)) {
      return "question.answered";
    }
    if (c.format === "forum" && r.chance(0.03)) {
      return r.pick(["parking.add", "parking.vote", "parking.remove"]);
    }
    if (c.timekeeperId === memberId && r.chance(0.1)) return "timer.extend";
    if (c.facilitatorId === memberId && r.chance(0.5)) {
      // The facilitator moves on now and then, not at every turn: meetings run long enough to
      // reach rounds, pulses and admissions.
      if (r.chance(0.06)) return "phase.next";
      // A meeting gets going, and a go-around everyone has taken moves on.
      const phase = phaseOf(this.host.snapshot);
      if (phase === "lobby" && r.chance(0.3)) return "meeting.start";
      if (phase === "updates" && c.turnId === "" && r.chance(0.5)) return "phase.next";
      // A round gets under way, and a meeting with commitments to follow up gets to them.
      if (phase === "choosing" && c.round === 0 && r.chance(0.3)) return "presenter.choose";
      const before = phase === "checkIn" || phase === "updates";
      if (before && c.earlier.length > 0 && r.chance(0.2)) return "phase.next";
      if (r.chance(0.005)) return "meeting.end";
      if (Object.keys(c.waiting).length > 0 && r.chance(0.4)) {
        return r.pick(["member.admit", "member.admit", "member.decline"]);
      }
      return r.pick([
        "meeting.start",
        "presenter.choose",
        "floor.give",
        "floor.yield",
        "pulse.open",
        "pulse.close",
        "member.remove",
        "question.dismiss",
        "hand.lowerFor",
        "facilitator.handoff",
        "turn.next",
        "timer.extend",
        "timekeeper.assign",
      ]);
    }
    if (r.chance(0.8)) {
      return r.pick(clientMessageTypes.filter((t) => t !== "phase.next" && t !== "meeting.end"));
    }
    return r.pick(clientMessageTypes);
  }

  /**
   * What a connection sends: most often something the protocol allows now (found by trying a few
   * random candidates against the machine), so runs reach deep into meetings; otherwise anything.
   */
  choose(connection: FakeConnection): { type: string; payload: unknown } {
    const memberId = this.host.memberOf(connection);
    const tries = this.r.chance(0.75) ? 16 : 1;
    let candidate = { type: "", payload: undefined as unknown };
    for (let i = 0; i < tries; i++) {
      const type = this.type(connection);
      const payload = type === "*" ? undefined : this.payload(type as ClientMessageType, memberId);
      candidate = { type, payload };
      if (this.verdict(memberId, type, payload) === "accepted") break;
    }
    return candidate;
  }

  async message(): Promise<void> {
    const live = this.open_();
    if (live.length === 0) return;
    const connection = this.r.pick(live);
    const { type, payload } = this.choose(connection);
    const before = this.host.snapshot;
    const memberId = this.host.memberOf(connection);
    this.trace.push(`${connection.person.name}: ${type} ${JSON.stringify(payload) ?? ""}`);
    const expected = this.verdict(memberId, type, payload);
    const errorsBefore = connection.errors.length;
    const answer: Answer = await this.host.receive(connection, type, payload);
    await this.host.settled();
    stats.messages++;
    if (answer.ok) {
      stats.accepted++;
      stats.acceptedByType.set(type, (stats.acceptedByType.get(type) ?? 0) + 1);
      expect(expected, `accepted, but the machine says: ${expected}`).toBe("accepted");
      expect(connection.errors.length).toBe(errorsBefore);
    } else {
      stats.refused++;
      expect(answer.code, `${type} refused as ${answer.message}`).toBe(expected);
      expect(connection.errors.slice(errorsBefore)).toEqual([
        { code: answer.code, message: answer.message, type: answer.type },
      ]);
      // A refusal changes nothing.
      expect(this.host.snapshot.context).toEqual(before.context);
    }
  }

  /** What the machine says of a message from this member, on the meeting as it is now. */
  verdict(memberId: string | undefined, type: string, payload: unknown): string {
    if (memberId === undefined) return "not_allowed";
    if (this.host.audienceOf(memberId) === "waiting") return "not_allowed";
    const parsed = parseClientMessage(type, payload);
    if (!parsed.ok) return "invalid";
    const at = this.now();
    let event = { ...parsed.payload, type: parsed.type, from: memberId, at } as ProtocolEvent;
    if (parsed.type === "facilitator.claim") {
      const key = (parsed.payload as { facilitatorKey?: string }).facilitatorKey;
      event = { type: "facilitator.claim", from: memberId, at, keyValid: key === FACILITATOR_KEY };
    }
    if (parsed.type === "commitment.add") {
      event = { ...(event as object), commitmentId: "new" } as ProtocolEvent;
    }
    return explainRefusal(this.host.snapshot, event) === undefined ? "accepted" : "not_allowed";
  }

  async step(): Promise<void> {
    const r = this.r;
    const roll = r.next();
    if (roll < 0.12 || this.open_().length < 2) {
      await this.join();
    } else if (roll < 0.16) {
      const connection = r.pick(this.open_());
      this.trace.push(`${connection.person.name} drops`);
      if (this.host.drop(connection)) {
        if (r.chance(0.5)) {
          this.host.reconnect(connection);
        } else {
          connection.closedWith = 1006;
          this.host.leave(connection);
        }
      } else {
        connection.closedWith = 1006;
        this.host.leave(connection);
      }
      await this.host.settled();
    } else if (roll < 0.18) {
      const connection = r.pick(this.open_());
      this.trace.push(`${connection.person.name} leaves`);
      connection.closedWith = 4000;
      this.host.leave(connection);
      await this.host.settled();
    } else if (roll < 0.21) {
      const ms = r.pick([1_000, 30_000, 61_000, 5 * 60_000, IDLE_MS + 1]);
      this.trace.push(`${ms} ms pass`);
      this.clock.increment(ms);
      await this.host.settled();
    } else {
      await this.message();
    }
  }

  /** After every step: the protocol's invariants, the mirror, and who receives what. */
  check(): void {
    const snapshot = this.host.snapshot;
    const synced = syncedFromSnapshot(snapshot);
    stats.phases.add(synced.phase);
    checkInvariants(synced as never, "the host", true);
    expect(this.state.toJSON()).toEqual(JSON.parse(JSON.stringify(synced)));
    const c = snapshot.context;
    for (const id of Object.keys(c.waiting)) {
      expect(c.members[id], "someone waiting is no member").toBeUndefined();
      expect(this.host.audienceOf(id)).toBe("waiting");
    }
    for (const [id, m] of Object.entries(c.members)) {
      const audience = this.host.audienceOf(id);
      if (!m.agreed) expect(audience, `${m.name} has not agreed`).toBe("admitted");
      else expect(audience).toBe(c.facilitatorId === id ? "facilitator" : "agreed");
    }
    const seated = Object.values(c.members).filter(
      (m) => m.agreed && !m.left && !c.keyHolders.includes(m.id),
    );
    expect(seated.length, "at most 16 seats, the key holders aside").toBeLessThanOrEqual(16);
    if (c.admission === "members") {
      for (const id of Object.keys(c.members)) {
        expect(id in c.roster || c.keyHolders.includes(id), "every member was let in").toBe(true);
      }
    }
    for (const connection of this.connections) {
      if (connection.closedWith === undefined) continue;
      expect([CLOSE_DECLINED, CLOSE_IDLE, CLOSE_REMOVED, CLOSE_REPLACED, 1006, 4000]).toContain(
        connection.closedWith,
      );
    }
  }
}

let storage: Storage;
beforeAll(async () => {
  storage = await openStorage(":memory:");
});
afterAll(async () => {
  await storage?.close();
  console.log(
    `host fuzz: ${stats.runs} runs, ${stats.messages} messages (${stats.accepted} accepted, ` +
      `${stats.refused} refused), ${stats.joins} joins (${stats.refusedJoins} refused), seed ${SEED}`,
  );
  if (process.env.FUZZ_VERBOSE) {
    console.log(`phases: ${[...stats.phases].join(", ")}`);
    console.log(`accepted: ${JSON.stringify(Object.fromEntries(stats.acceptedByType))}`);
  }
});

describe("the meeting host, fuzzed in process", () => {
  it(`keeps every invariant and answers as the machine says (seed ${SEED})`, async () => {
    let previous: Run | undefined;
    for (let i = 0; stats.messages < MESSAGES; i++) {
      const r = random(SEED + i);
      // Every other run is the next meeting of the table before: follow-ups and the roster.
      const next = i % 2 === 1 ? previous : undefined;
      const run = new Run(r, storage, next?.tableId ?? `fuzz-table-${SEED}-${i}`);
      // Every other new table follows the forum's flow; the next meeting keeps its table's.
      await run.open(i % 6 === 4 ? "open" : "members", next, i % 4 === 2 ? "roundtable" : "forum");
      previous = run;
      try {
        for (let step = 0; step < STEPS && run.host.snapshot.status === "active"; step++) {
          await run.step();
          run.check();
        }
      } catch (error) {
        const tail = run.trace.slice(-12).join("\n  ");
        const detail = (error as Error).message.split("\n").slice(0, 40).join("\n");
        throw new Error(`FUZZ_SEED=${SEED} run ${i} failed: ${detail}\n  …\n  ${tail}`);
      } finally {
        await run.host.close();
      }
      stats.runs++;
    }
    // With the pinned seed the runs reach every phase and get every kind of message accepted, so
    // a change that makes the generator shallow shows here. Other seeds explore; they report.
    const neverAccepted = clientMessageTypes.filter((t) => !stats.acceptedByType.has(t));
    const unreached = phases.filter((p) => !stats.phases.has(p));
    if (SEED === PINNED_SEED) {
      expect(unreached, "phases no run reached").toEqual([]);
      expect(neverAccepted, "message types no run got accepted").toEqual([]);
    } else if (unreached.length + neverAccepted.length > 0) {
      console.log(`host fuzz: not reached ${[...unreached, ...neverAccepted].join(", ")}`);
    }
  }, 600_000);
});
