// The host of one live meeting: plain TypeScript, no Colyseus. It is handed the table, storage, a
// clock and the connections (each with `send` and `close`); it owns the meeting's order of work,
// rate limits, validation, refusals, what is written before what is shown, and who holds which
// seat. The Colyseus room (room.ts) is a thin adapter over it.
import { randomBytes } from "node:crypto";
import { createActor, type Actor } from "xstate";
import {
  CLOSE_DECLINED,
  CLOSE_IDLE,
  CLOSE_REMOVED,
  CLOSE_REPLACED,
  explainRefusal,
  IDLE_ADMISSION_MS,
  joinOptionsSchema,
  MEMBER_KEY_MAX,
  MEMBER_KEY_MIN,
  NAME_MAX,
  parseClientMessage,
  protocolMachine,
  type Answer,
  type ErrorCode,
  type ErrorMessage,
  type ProtocolEmitted,
  type ProtocolEvent,
  type ProtocolInput,
  type ProtocolSnapshot,
  type WelcomeMessage,
} from "../shared/index.ts";
import { keyMatches, memberIdFor } from "./keys.ts";
import { logReason } from "./log.ts";
import { persistBeforeApply, record, type MeetingRef } from "./records.ts";
import type { Storage, TableRecord } from "./storage/index.ts";
import { timeboxFields } from "./storage/rules.ts";

/** The meeting's settings with the table's own timeboxes (whole minutes) over the server's. */
function withTableTimeboxes(
  config: HostServices["meeting"],
  table: TableRecord,
): HostServices["meeting"] {
  const own = Object.entries(table.timeboxes).map(([field, minutes]) => [
    timeboxFields[field as keyof typeof timeboxFields],
    minutes * 60_000,
  ]);
  if (own.length === 0) return config;
  return { ...config, timeboxes: { ...config?.timeboxes, ...Object.fromEntries(own) } };
}

/** One connection of one member, as the host sees it. */
export interface Connection {
  /** Stable across a reconnection of the same socket session. */
  readonly id: string;
  send(type: "welcome", message: WelcomeMessage): void;
  send(type: "error", message: ErrorMessage): void;
  /** Closes the connection for good (and whatever would let it come back), with a close code. */
  close(code: number, reason: string): void;
}

/** Timers, as XState's clock has them: the host and the machine's timeboxes run on one clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a meeting needs from outside: storage, time, and the knobs operators set. */
export interface HostServices {
  storage: Storage;
  /** Settings for every meeting (tests shorten the timeboxes). */
  meeting?: ProtocolInput["config"];
  /**
   * Messages per second a member may send before being refused with `rate_limited`, and the
   * burst allowed.
   */
  rateLimit?: { perSecond: number; burst: number };
  /** Milliseconds a connection may stay neither admitted nor agreed before it is closed. */
  idleAdmissionMs?: number;
  /** The wall clock, in epoch milliseconds; tests move it forward. */
  now?: () => number;
}

/** Who a connection is, once its join options were accepted. */
export interface JoinAuth {
  memberId: string;
  name: string;
  keyValid: boolean;
}

/** What a person reads when their join options are refused, by the field at fault. */
const joinProblems: Record<string, string> = {
  tableId: "Cannot join: the link has no valid table id.",
  name: `Cannot join: your name must be 1–${NAME_MAX} characters.`,
  memberKey: `Cannot join: the member key must be ${MEMBER_KEY_MIN}–${MEMBER_KEY_MAX} characters.`,
  facilitatorKey: "Cannot join: the facilitator key is malformed.",
};

/** A refused join: an HTTP-like status and the sentence the person reads. */
export class JoinRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Which part of the synced state a connection receives (shared/state.ts `Audience`). */
export type Audience = "waiting" | "admitted" | "agreed" | "facilitator";

interface Seat {
  connection: Connection;
  memberId: string;
  tokens: number;
  refilledAt: number;
}

export class MeetingHost {
  readonly table: TableRecord;
  readonly meetingId = randomBytes(12).toString("base64url");
  readonly #services: HostServices;
  readonly #timers: Timers;
  readonly #actor: Actor<typeof protocolMachine>;
  /** Seats by connection id. */
  readonly #seats = new Map<string, Seat>();
  /** The member's current connection, by member id. */
  readonly #connections = new Map<string, Connection>();
  /** The roster as storage holds it, memberId → name: what joins add to it is written there. */
  readonly #storedRoster: Map<string, string>;
  #queue: Promise<unknown> = Promise.resolve();
  #writes: Promise<unknown> = Promise.resolve();
  #started = false;
  #ended = false;

  /** Opens a meeting of the table: its roster and open commitments come from storage. */
  static async open(
    table: TableRecord,
    services: HostServices,
    timers: Timers,
    onChange: (snapshot: ProtocolSnapshot) => void,
  ): Promise<MeetingHost> {
    const [roster, open] = await Promise.all([
      services.storage.roster(table.tableId),
      services.storage.openCommitments(table.tableId),
    ]);
    const onRoster = roster.filter((r) => r.removedAt === null);
    const input: ProtocolInput = {
      tableName: table.name,
      config: withTableTimeboxes(services.meeting, table),
      admission: table.admission,
      roster: onRoster.map(({ memberId, name }) => ({ memberId, name })),
      removedEarlier: roster.filter((r) => r.removedAt !== null).map((r) => r.memberId),
      earlier: open.map(({ id, ownerId, ownerName, text, status, note }) => ({
        id,
        ownerId,
        ownerName,
        text,
        status,
        note,
      })),
    };
    return new MeetingHost(table, services, timers, input, onChange);
  }

  private constructor(
    table: TableRecord,
    services: HostServices,
    timers: Timers,
    input: ProtocolInput,
    onChange: (snapshot: ProtocolSnapshot) => void,
  ) {
    this.table = table;
    this.#services = services;
    this.#timers = timers;
    this.#storedRoster = new Map((input.roster ?? []).map((r) => [r.memberId, r.name]));
    this.#actor = createActor(protocolMachine, { input, clock: timers });
    this.#actor.on("*", (emitted) => this.#record(emitted as ProtocolEmitted));
    this.#actor.subscribe(onChange);
    this.#actor.start();
  }

  get snapshot(): ProtocolSnapshot {
    return this.#actor.getSnapshot();
  }

  /** Checks join options and asks the machine; throws `JoinRefused` with the person's sentence. */
  authorize(options: unknown): JoinAuth {
    const parsed = joinOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "");
      // A name's problem is told as the name check words it; other fields by the field at fault.
      const why =
        field === "name" && issue?.code === "custom"
          ? `Cannot join: ${issue.message}`
          : (joinProblems[field] ?? "Cannot join: the join options are malformed.");
      throw new JoinRefused(400, why);
    }
    const { tableId, name, memberKey, facilitatorKey } = parsed.data;
    if (tableId !== this.table.tableId) throw new JoinRefused(404, "This table does not exist.");
    const memberId = memberIdFor(tableId, memberKey);
    const keyValid = keyMatches(facilitatorKey, this.table.facilitatorKeyHash);
    if (facilitatorKey !== undefined && !keyValid) {
      throw new JoinRefused(403, "That facilitator key is not this table's.");
    }
    const why = explainRefusal(this.snapshot, {
      type: "member.join",
      from: memberId,
      at: this.#now(),
      name,
      keyValid,
    });
    if (why) throw new JoinRefused(403, why);
    return { memberId, name, keyValid };
  }

  /**
   * Seats a connection. A later connection of the same member replaces the earlier one, which is
   * closed; a connection neither admitted nor agreed within the idle time is closed too.
   */
  join(connection: Connection, auth: JoinAuth): void {
    const previous = this.#connections.get(auth.memberId);
    this.#connections.set(auth.memberId, connection);
    this.#seats.set(connection.id, {
      connection,
      memberId: auth.memberId,
      tokens: this.#burst(),
      refilledAt: this.#now(),
    });
    this.#enqueue(async () => {
      this.#send({ type: "member.join", from: auth.memberId, at: this.#now(), ...auth });
      const waiting = this.#isWaiting(auth.memberId);
      connection.send("welcome", {
        memberId: auth.memberId,
        ...(waiting ? { waiting: true as const } : {}),
      });
      await this.#storeRoster();
    });
    this.#timers.setTimeout(() => {
      this.#enqueue(() => {
        if (this.#connections.get(auth.memberId) !== connection) return;
        if (this.snapshot.context.members[auth.memberId]?.agreed) return;
        // Closed like any leave: the machine hears of it when the connection is gone.
        connection.close(
          CLOSE_IDLE,
          "You were not let in, or did not agree to confidentiality, within 10 minutes.",
        );
      });
    }, this.#services.idleAdmissionMs ?? IDLE_ADMISSION_MS);
    if (previous && previous !== connection) {
      previous.close(CLOSE_REPLACED, "You joined this meeting from another window.");
    }
  }

  /**
   * A connection dropped without a goodbye. Whether its seat is kept for a reconnection: a member's
   * is; someone waiting to be let in has no seat to come back to (call `leave`).
   */
  drop(connection: Connection): boolean {
    const memberId = this.#current(connection);
    if (memberId === undefined || this.#isWaiting(memberId)) return false;
    this.#enqueue(() => this.#send({ type: "member.drop", from: memberId, at: this.#now() }));
    return true;
  }

  /** A dropped connection is back (same id, a new object). */
  reconnect(connection: Connection): void {
    const seat = this.#seats.get(connection.id);
    if (!seat) return;
    seat.connection = connection;
    this.#connections.set(seat.memberId, connection);
    this.#enqueue(() => {
      const member = this.snapshot.context.members[seat.memberId];
      // Removed while their connection was down: the seat is gone.
      if (!member && this.snapshot.status === "active") {
        this.#forget(seat.memberId);
        connection.close(CLOSE_REMOVED, "The facilitator removed you from this meeting.");
        return;
      }
      this.#send({
        type: "member.join",
        from: seat.memberId,
        at: this.#now(),
        name: member?.name ?? "",
        keyValid: false,
      });
    });
  }

  /** A connection is gone for good. */
  leave(connection: Connection): void {
    const memberId = this.#current(connection);
    this.#seats.delete(connection.id);
    if (memberId === undefined) return;
    this.#connections.delete(memberId);
    this.#enqueue(() => this.#send({ type: "member.leave", from: memberId, at: this.#now() }));
  }

  /** Handles a message in its turn; resolves with the answer once refused, or applied and stored. */
  receive(connection: Connection, type: string | number, payload: unknown): Promise<Answer> {
    return new Promise((resolve) => {
      this.#enqueue(async () => {
        const refusal = await this.#handle(connection, type, payload).catch((error: unknown) => {
          console.error("roundtable: room work failed:", logReason(error));
          return this.#refuse(connection, "not_allowed", type, "Something went wrong. Try again.");
        });
        resolve(refusal ? { ok: false, ...refusal } : { ok: true });
      });
    });
  }

  /** The member a connection is seated for, if it is that member's current connection. */
  memberOf(connection: Connection): string | undefined {
    return this.#current(connection);
  }

  /** What part of the synced state a member's connection receives now. */
  audienceOf(memberId: string): Audience {
    const { members, facilitatorId } = this.snapshot.context;
    const member = members[memberId];
    if (!member) return "waiting";
    if (!member.agreed) return "admitted";
    return facilitatorId === memberId ? "facilitator" : "agreed";
  }

  /** Resolves once every piece of work queued so far is done, storage writes included. */
  async settled(): Promise<void> {
    // Work done may queue more (a closed connection's leave): wait until nothing new was queued.
    for (;;) {
      const [queue, writes] = [this.#queue, this.#writes];
      await queue;
      await writes;
      if (queue === this.#queue && writes === this.#writes) return;
    }
  }

  /** Closes the meeting: one that started and never ended is recorded as ended now. */
  async close(): Promise<void> {
    await this.#queue;
    if (this.#started && !this.#ended) {
      const { context } = this.snapshot;
      void this.#write(() =>
        this.#services.storage.endMeeting({
          id: this.meetingId,
          endedAt: this.#now(),
          rounds: context.round,
          members: Object.values(context.members).filter((m) => m.agreed).length,
        }),
      );
    }
    this.#actor.stop();
    await this.#writes;
  }

  #now(): number {
    return this.#services.now?.() ?? Date.now();
  }

  /** The member seated for this connection, while it is their current one. */
  #current(connection: Connection): string | undefined {
    const seat = this.#seats.get(connection.id);
    if (!seat || this.#connections.get(seat.memberId) !== connection) return undefined;
    return seat.memberId;
  }

  #forget(memberId: string): void {
    this.#connections.delete(memberId);
  }

  #isWaiting(memberId: string): boolean {
    const { waiting, members } = this.snapshot.context;
    return Object.hasOwn(waiting, memberId) && !Object.hasOwn(members, memberId);
  }

  /** Events reach the machine while the meeting is open; an ended meeting hears nothing more. */
  #send(event: ProtocolEvent): void {
    if (this.snapshot.status === "active") this.#actor.send(event);
  }

  /** Runs work one piece at a time, in arrival order: no event sees another half done. */
  #enqueue(work: () => unknown): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => {
      console.error("roundtable: room work failed:", logReason(error));
    });
  }

  #write(work: () => Promise<unknown>): Promise<unknown> {
    const done = this.#writes.then(work);
    this.#writes = done.catch((error: unknown) => {
      console.error("roundtable: storage write failed:", logReason(error));
    });
    return done;
  }

  /** Refuses or applies one message; the refusal, or undefined once applied (and stored). */
  async #handle(
    connection: Connection,
    type: string | number,
    payload: unknown,
  ): Promise<ErrorMessage | undefined> {
    const seat = this.#seats.get(connection.id);
    if (!seat) return this.#refuse(connection, "not_allowed", type, "Join the table first.");
    if (!this.#takeToken(seat)) {
      return this.#refuse(connection, "rate_limited", type, "Too many messages: wait a moment.");
    }
    if (this.#isWaiting(seat.memberId)) {
      const why = "You are waiting for the facilitator to let you in.";
      return this.#refuse(connection, "not_allowed", type, why);
    }
    const parsed = parseClientMessage(type, payload);
    if (!parsed.ok) return this.#refuse(connection, "invalid", type, parsed.message);
    const event = this.#toEvent(parsed, seat.memberId);
    const why = explainRefusal(this.snapshot, event);
    if (why) return this.#refuse(connection, "not_allowed", type, why);
    const meeting: MeetingRef = { tableId: this.table.tableId, meetingId: this.meetingId };
    try {
      const context = this.snapshot.context;
      await this.#write(() => persistBeforeApply(this.#services.storage, meeting, context, event));
    } catch (error) {
      console.error("roundtable: could not save:", logReason(error));
      const sorry = "That could not be saved. Please try again.";
      return this.#refuse(connection, "not_allowed", type, sorry);
    }
    const context = this.snapshot.context;
    this.#send(event);
    this.#afterApply(event, context.waiting);
    await this.#storeRoster();
    // What the event handed to storage (the meeting's record, a revealed pulse) is written before
    // the answer: an answered message is stored.
    await this.#writes;
    return undefined;
  }

  #toEvent(
    parsed: Extract<ReturnType<typeof parseClientMessage>, { ok: true }>,
    from: string,
  ): ProtocolEvent {
    const at = this.#now();
    if (parsed.type === "facilitator.claim") {
      const { facilitatorKey } = parsed.payload as { facilitatorKey?: string };
      const keyValid = keyMatches(facilitatorKey, this.table.facilitatorKeyHash);
      return { type: "facilitator.claim", from, at, keyValid };
    }
    if (parsed.type === "commitment.add") {
      const commitmentId = randomBytes(12).toString("base64url");
      const { text } = parsed.payload as { text: string };
      return { type: "commitment.add", text, from, at, commitmentId };
    }
    return { ...parsed.payload, type: parsed.type, from, at } as ProtocolEvent;
  }

  /** What an applied event does to connections: removed and declined people are sent away. */
  #afterApply(event: ProtocolEvent, waitingBefore: ProtocolSnapshot["context"]["waiting"]): void {
    switch (event.type) {
      case "member.remove":
        this.#sendAway(
          event.memberId,
          CLOSE_REMOVED,
          "The facilitator removed you from this meeting.",
        );
        return;
      case "member.decline":
        this.#sendAway(event.memberId, CLOSE_DECLINED, "The facilitator did not let you in.");
        return;
      case "member.admit":
        if (waitingBefore[event.memberId]) {
          this.#storedRoster.set(event.memberId, waitingBefore[event.memberId]!.name);
        }
        this.#connections.get(event.memberId)?.send("welcome", { memberId: event.memberId });
        return;
      default:
        return;
    }
  }

  #sendAway(memberId: string, code: number, reason: string): void {
    // Off the roster (written before): nothing for #storeRoster to write back.
    if (!Object.hasOwn(this.snapshot.context.roster, memberId)) this.#storedRoster.delete(memberId);
    const connection = this.#connections.get(memberId);
    this.#forget(memberId);
    connection?.close(code, reason);
  }

  /**
   * Joins put the key holder, and at an open table everyone, on the roster: written here, after
   * the machine took them in. Admissions and removals were written before they were applied.
   */
  async #storeRoster(): Promise<void> {
    const { roster } = this.snapshot.context;
    for (const [memberId, name] of Object.entries(roster)) {
      if (this.#storedRoster.get(memberId) === name) continue;
      this.#storedRoster.set(memberId, name);
      const entry = { tableId: this.table.tableId, memberId, name, at: this.#now() };
      await this.#write(() => this.#services.storage.admit(entry));
    }
  }

  /** Storage records of the meeting: when it ran, and revealed pulses; never what was said. */
  #record(emitted: ProtocolEmitted): void {
    if (emitted.type === "meeting.started") this.#started = true;
    if (emitted.type === "meeting.ended") {
      this.#ended = true;
      if (!this.#started) return;
    }
    const meeting: MeetingRef = { tableId: this.table.tableId, meetingId: this.meetingId };
    void this.#write(() => record(this.#services.storage, meeting, emitted));
  }

  #refuse(
    connection: Connection,
    code: ErrorCode,
    type: string | number,
    message: string,
  ): ErrorMessage {
    const refusal: ErrorMessage = { code, message, type: String(type).slice(0, 40) };
    connection.send("error", refusal);
    return refusal;
  }

  #burst(): number {
    return this.#services.rateLimit?.burst ?? 20;
  }

  /** A token bucket per member: a steady pace is fine, a flood is refused with `rate_limited`. */
  #takeToken(seat: Seat): boolean {
    const perSecond = this.#services.rateLimit?.perSecond ?? 10;
    const now = this.#now();
    seat.tokens = Math.min(
      this.#burst(),
      seat.tokens + ((now - seat.refilledAt) / 1000) * perSecond,
    );
    seat.refilledAt = now;
    if (seat.tokens < 1) return false;
    seat.tokens -= 1;
    return true;
  }
}
