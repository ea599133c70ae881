import { randomBytes } from "node:crypto";
import { ClientState, Room, ServerError, type Client, type Deferred } from "@colyseus/core";
import { StateView } from "@colyseus/schema";
import { createActor, type Actor } from "xstate";
import {
  clientMessageTypes,
  explainRefusal,
  joinOptionsSchema,
  MEMBER_KEY_MAX,
  MEMBER_KEY_MIN,
  NAME_MAX,
  parseClientMessage,
  protocolMachine,
  syncedFromSnapshot,
  type ErrorCode,
  type Answer,
  type ErrorMessage,
  type ProtocolEmitted,
  type ProtocolEvent,
  type ProtocolInput,
  type WelcomeMessage,
  CLOSE_DECLINED,
  CLOSE_IDLE,
  CLOSE_REMOVED,
  CLOSE_REPLACED,
  IDLE_ADMISSION_MS,
} from "../shared/index.ts";
import { keyMatches, memberIdFor } from "./keys.ts";
import { logReason } from "./log.ts";
import { mirror } from "./mirror.ts";
import { Audience, RoundtableState } from "./state.ts";
import type { Storage, TableRecord } from "./storage/index.ts";

/** What a room needs from outside: storage and the knobs operators set. */
export interface RoomServices {
  storage: Storage;
  /** Settings for every meeting this server runs (tests shorten the timeboxes). */
  meeting?: ProtocolInput["config"];
  /** Seconds a dropped member's seat is kept for a reconnection. */
  reconnectSeconds?: number;
  /**
   * Messages per second a member may send before being refused with `rate_limited`, the burst
   * allowed, and the hard cap (all frames, pings included) past which Colyseus disconnects them.
   */
  rateLimit?: { perSecond: number; burst: number; disconnectAbove?: number };
  /** Milliseconds an ended meeting stays open for its recap before the room closes. */
  endedLingerMs?: number;
  /** Milliseconds a connection may stay neither admitted nor agreed before it is closed. */
  idleAdmissionMs?: number;
  /** The wall clock, in epoch milliseconds; tests move it forward. */
  now?: () => number;
}

/** What a person reads when their join options are refused, by the field at fault. */
const joinProblems: Record<string, string> = {
  tableId: "Cannot join: the link has no valid table id.",
  name: `Cannot join: your name must be 1–${NAME_MAX} characters.`,
  memberKey: `Cannot join: the member key must be ${MEMBER_KEY_MIN}–${MEMBER_KEY_MAX} characters.`,
  facilitatorKey: "Cannot join: the facilitator key is malformed.",
};

interface Seat {
  memberId: string;
  tokens: number;
  refilledAt: number;
}

interface JoinAuth {
  memberId: string;
  name: string;
  keyValid: boolean;
}

/**
 * One live meeting of one table. Thin and authoritative: it authenticates, validates each message
 * against the schemas in `shared/`, asks the protocol machine, persists what must outlive the
 * room, and mirrors the machine into the synced state, flushing the patch at once.
 */
export class RoundtableRoom extends Room<{ state: RoundtableState }> {
  /** Set by `roundtableRoom()`; one per server. */
  static services: RoomServices;

  // No `maxClients` here on purpose. Colyseus counts connections (seat reservations, a dropped
  // seat awaiting its reconnection, a second window) and *locks* a full room, after which
  // `joinOrCreate` quietly creates a second live meeting for the same table. The 16-member cap of
  // PROTOCOL.md is the machine's `member.join` rule, checked in `onAuth`: a 17th member is refused
  // with "The meeting is full." instead of being seated in a meeting of their own.

  #services!: RoomServices;
  #table!: TableRecord;
  #meetingId = "";
  #actor!: Actor<typeof protocolMachine>;
  #seats = new Map<string, Seat>();
  #clientsByMember = new Map<string, Client>();
  /** Seats of dropped connections awaiting their reconnection, by session id. */
  #reconnections = new Map<string, Deferred<Client>>();
  #queue: Promise<unknown> = Promise.resolve();
  #writes: Promise<unknown> = Promise.resolve();
  /**
   * Who receives what (`Audience` in state.ts): people waiting to be let in have no view and
   * receive only the untagged `tableName` and `phase`; admitted members who have not agreed share
   * one view (who is here, roles, timers); members who agreed share another (what is said, the
   * pulse), so the content is encoded once per patch for all of them; the facilitator's adds who
   * is waiting.
   */
  #admitted = new StateView();
  #content = new StateView();
  #facilitating = new StateView();
  /** The roster as storage holds it, memberId → name: what joins add to it is written there. */
  #storedRoster = new Map<string, string>();
  #meetingStarted = false;
  #meetingEnded = false;

  override async onCreate(options: { tableId?: unknown }): Promise<void> {
    this.#services = (this.constructor as typeof RoundtableRoom).services;
    // A hard cap well above the polite limit: a client past it is disconnected by Colyseus.
    this.maxMessagesPerSecond = this.#services.rateLimit?.disconnectAbove ?? 100;
    const tableId = typeof options?.tableId === "string" ? options.tableId : "";
    const table = tableId ? await this.#services.storage.getTable(tableId) : undefined;
    if (!table) throw new ServerError(404, "This table does not exist. Check the link.");
    this.#table = table;
    this.#meetingId = randomBytes(12).toString("base64url");
    const roster = await this.#services.storage.roster(table.tableId);
    const onRoster = roster.filter((r) => r.removedAt === null);
    for (const r of onRoster) this.#storedRoster.set(r.memberId, r.name);
    const earlier = (await this.#services.storage.openCommitments(table.tableId)).map(
      ({ id, ownerId, ownerName, text, status, note }) => ({
        id,
        ownerId,
        ownerName,
        text,
        status,
        note,
      }),
    );
    this.state = new RoundtableState();
    const { admitted, agreed, facilitator } = Audience;
    this.#admitted.add(this.state, admitted);
    this.#content.add(this.state, admitted | agreed);
    this.#facilitating.add(this.state, admitted | agreed | facilitator);
    // New rows reach the views that show them as they arrive.
    for (const view of [this.#admitted, this.#content, this.#facilitating]) {
      view.subscribe(this.state.members);
    }
    for (const view of [this.#content, this.#facilitating]) {
      view.subscribe(this.state.questions);
      view.subscribe(this.state.commitments);
    }
    this.#facilitating.subscribe(this.state.waiting);
    this.#actor = createActor(protocolMachine, {
      input: {
        tableName: table.name,
        earlier,
        config: this.#services.meeting,
        admission: table.admission,
        roster: onRoster.map(({ memberId, name }) => ({ memberId, name })),
        removedEarlier: roster.filter((r) => r.removedAt !== null).map((r) => r.memberId),
      },
      clock: {
        setTimeout: (fn, ms) => this.clock.setTimeout(fn, ms),
        clearTimeout: (handle) => (handle as { clear(): void }).clear(),
      },
    });
    this.#actor.on("*", (emitted) => this.#record(emitted as ProtocolEmitted));
    this.#actor.subscribe((snapshot) => {
      mirror(this.state, syncedFromSnapshot(snapshot));
      this.#tagContentRows();
      this.broadcastPatch();
      this.#refreshViews();
      if (snapshot.status === "done") void this.#onEnded();
    });
    this.#actor.start();
    // One handler per message type: each answers (`Answer`) once the message was refused or
    // applied and stored, so a client can wait for it with `room.request`.
    for (const type of clientMessageTypes) {
      this.onMessage(type, (client: Client, payload: unknown) =>
        this.#answer(client, type, payload),
      );
    }
    this.onMessage("*", (client: Client, type: string | number, payload: unknown) => {
      // A message whose type is "*" itself reaches this handler the way a typed handler is
      // called, `(client, payload, context)`, so its payload arrives as `type`. Colyseus' context
      // carries functions, which no client can send: that tells the two calls apart.
      const typedStar = typeof (payload as { resolve?: unknown } | null)?.resolve === "function";
      return typedStar ? this.#answer(client, "*", type) : this.#answer(client, type, payload);
    });
  }

  override async onAuth(client: Client, options: unknown): Promise<JoinAuth> {
    const parsed = joinOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "");
      // A name's problem is told as the name check words it; other fields by the field at fault.
      const why =
        field === "name" && issue?.code === "custom"
          ? `Cannot join: ${issue.message}`
          : (joinProblems[field] ?? "Cannot join: the join options are malformed.");
      throw new ServerError(400, why);
    }
    const { tableId, name, memberKey, facilitatorKey } = parsed.data;
    if (tableId !== this.#table.tableId) throw new ServerError(404, "This table does not exist.");
    const memberId = memberIdFor(tableId, memberKey);
    const keyValid = keyMatches(facilitatorKey, this.#table.facilitatorKeyHash);
    if (facilitatorKey !== undefined && !keyValid) {
      throw new ServerError(403, "That facilitator key is not this table's.");
    }
    const event: ProtocolEvent = {
      type: "member.join",
      from: memberId,
      at: this.#now(),
      name,
      keyValid,
    };
    const why = explainRefusal(this.#actor.getSnapshot(), event);
    if (why) throw new ServerError(403, why);
    return { memberId, name, keyValid };
  }

  override onJoin(client: Client, _options: unknown, auth: JoinAuth): void {
    const previous = this.#clientsByMember.get(auth.memberId);
    this.#clientsByMember.set(auth.memberId, client);
    this.#seats.set(client.sessionId, {
      memberId: auth.memberId,
      tokens: this.#burst(),
      refilledAt: this.#now(),
    });
    // A member who agreed earlier in this meeting gets what they may see with their first full
    // state (the join below refreshes views, once this client is in the room's list).
    client.view = this.#viewOf(auth.memberId);
    this.#enqueue(async () => {
      this.#send({
        type: "member.join",
        from: auth.memberId,
        at: this.#now(),
        name: auth.name,
        keyValid: auth.keyValid,
      });
      const waiting = this.#isWaiting(auth.memberId);
      client.send("welcome", {
        memberId: auth.memberId,
        ...(waiting ? { waiting: true as const } : {}),
      } satisfies WelcomeMessage);
      await this.#storeRoster();
    });
    // Nobody holds a connection open for long without being let in and agreeing.
    this.clock.setTimeout(() => {
      this.#enqueue(() => {
        if (this.#clientsByMember.get(auth.memberId) !== client) return;
        const member = this.#actor.getSnapshot().context.members[auth.memberId];
        if (member?.agreed) return;
        client.leave(
          CLOSE_IDLE,
          "You were not let in, or did not agree to confidentiality, within 10 minutes.",
        );
      });
    }, this.#services.idleAdmissionMs ?? IDLE_ADMISSION_MS);
    if (previous && previous !== client) {
      // A dropped older connection must not come back through its reconnection token and take
      // the seat from under the newer one: its pending reconnection is cancelled.
      this.#reconnections.get(previous.sessionId)?.reject?.(new Error("replaced"));
      previous.leave(CLOSE_REPLACED, "You joined this meeting from another window.");
    }
  }

  override onDrop(client: Client): void {
    const seat = this.#seats.get(client.sessionId);
    if (!seat || this.#clientsByMember.get(seat.memberId) !== client) return;
    // Someone waiting to be let in holds no seat to come back to: they are gone (onLeave).
    if (this.#isWaiting(seat.memberId)) return;
    this.#enqueue(() => this.#send({ type: "member.drop", from: seat.memberId, at: this.#now() }));
    // Not awaited: Colyseus closes a socket it dropped itself (a flooder past
    // `maxMessagesPerSecond`) only once onDrop returns, so awaiting the reconnection here kept
    // that socket open, deaf, for the whole grace period. Colyseus calls onLeave when the
    // reconnection fails, and onReconnect when it succeeds.
    const reconnection = this.allowReconnection(client, this.#services.reconnectSeconds ?? 60);
    this.#reconnections.set(client.sessionId, reconnection);
    const settled = () => this.#reconnections.delete(client.sessionId);
    reconnection.then(settled, settled);
  }

  override onReconnect(client: Client): void {
    const seat = this.#seats.get(client.sessionId);
    if (!seat) return;
    this.#clientsByMember.set(seat.memberId, client);
    client.view = this.#viewOf(seat.memberId);
    this.#enqueue(() => {
      const member = this.#actor.getSnapshot().context.members[seat.memberId];
      const event: ProtocolEvent = {
        type: "member.join",
        from: seat.memberId,
        at: this.#now(),
        name: member?.name ?? "",
        keyValid: false,
      };
      // Removed while their connection was down: the seat is gone.
      const why = member ? explainRefusal(this.#actor.getSnapshot(), event) : "removed";
      if (why && this.#actor.getSnapshot().status === "active") {
        this.#clientsByMember.delete(seat.memberId);
        client.leave(CLOSE_REMOVED, "The facilitator removed you from this meeting.");
        return;
      }
      this.#send(event);
    });
  }

  override onLeave(client: Client): void {
    const seat = this.#seats.get(client.sessionId);
    this.#seats.delete(client.sessionId);
    if (!seat || this.#clientsByMember.get(seat.memberId) !== client) return;
    this.#clientsByMember.delete(seat.memberId);
    this.#enqueue(() => this.#send({ type: "member.leave", from: seat.memberId, at: this.#now() }));
  }

  override async onDispose(): Promise<void> {
    await this.#queue;
    if (this.#meetingStarted && !this.#meetingEnded) {
      const { context } = this.#actor.getSnapshot();
      this.#write(() =>
        this.#services.storage.endMeeting({
          id: this.#meetingId,
          endedAt: this.#now(),
          rounds: context.round,
          members: Object.values(context.members).filter((m) => m.agreed).length,
        }),
      );
    }
    // Undefined when onCreate refused the room (an unknown table).
    this.#actor?.stop();
    for (const view of [this.#admitted, this.#content, this.#facilitating]) view.dispose();
    await this.#writes;
  }

  #now(): number {
    return this.#services.now?.() ?? Date.now();
  }

  /** Events reach the machine while the meeting is open; an ended meeting hears nothing more. */
  #send(event: ProtocolEvent): void {
    if (this.#actor.getSnapshot().status === "active") this.#actor.send(event);
  }

  /** Runs room work one piece at a time, in arrival order: no event sees another half done. */
  #enqueue(work: () => unknown): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => {
      console.error("roundtable: room work failed:", logReason(error));
    });
  }

  /** Handles a client's message in its turn; resolves with the answer the sender can wait for. */
  #answer(client: Client, type: string | number, payload: unknown): Promise<Answer> {
    return new Promise((resolve) => {
      this.#enqueue(async () => {
        const refusal = await this.#handle(client, type, payload).catch((error: unknown) => {
          console.error("roundtable: room work failed:", logReason(error));
          return this.#refuse(
            client,
            "not_allowed",
            String(type).slice(0, 40),
            "Something went wrong. Please try again.",
          );
        });
        resolve(refusal ? { ok: false, ...refusal } : { ok: true });
      });
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
    client: Client,
    type: string | number,
    payload: unknown,
  ): Promise<ErrorMessage | undefined> {
    const seat = this.#seats.get(client.sessionId);
    const label = String(type).slice(0, 40);
    if (!seat) return this.#refuse(client, "not_allowed", label, "Join the table first.");
    if (!this.#takeToken(seat)) {
      return this.#refuse(client, "rate_limited", label, "Too many messages: wait a moment.");
    }
    if (this.#isWaiting(seat.memberId)) {
      return this.#refuse(
        client,
        "not_allowed",
        label,
        "You are waiting for the facilitator to let you in.",
      );
    }
    const parsed = parseClientMessage(type, payload);
    if (!parsed.ok) return this.#refuse(client, "invalid", label, parsed.message);
    const event = this.#toEvent(parsed, seat.memberId);
    const why = explainRefusal(this.#actor.getSnapshot(), event);
    if (why) return this.#refuse(client, "not_allowed", label, why);
    try {
      await this.#persistBeforeApply(event);
    } catch (error) {
      console.error("roundtable: could not save:", logReason(error));
      return this.#refuse(
        client,
        "not_allowed",
        label,
        "That could not be saved. Please try again.",
      );
    }
    this.#send(event);
    this.#afterApply(event);
    await this.#storeRoster();
    return undefined;
  }

  #toEvent(
    parsed: Extract<ReturnType<typeof parseClientMessage>, { ok: true }>,
    from: string,
  ): ProtocolEvent {
    const at = this.#now();
    if (parsed.type === "facilitator.claim") {
      const { facilitatorKey } = parsed.payload as { facilitatorKey?: string };
      return {
        type: "facilitator.claim",
        from,
        at,
        keyValid: keyMatches(facilitatorKey, this.#table.facilitatorKeyHash),
      };
    }
    if (parsed.type === "commitment.add") {
      const commitmentId = randomBytes(12).toString("base64url");
      return {
        ...(parsed.payload as { text: string }),
        type: "commitment.add",
        from,
        at,
        commitmentId,
      };
    }
    return { ...parsed.payload, type: parsed.type, from, at } as ProtocolEvent;
  }

  /** What must outlive the room is on disk before the state shows it. */
  async #persistBeforeApply(event: ProtocolEvent): Promise<void> {
    const storage = this.#services.storage;
    const context = this.#actor.getSnapshot().context;
    switch (event.type) {
      case "commitment.add":
        await this.#write(() =>
          storage.addCommitment({
            id: event.commitmentId,
            tableId: this.#table.tableId,
            meetingId: this.#meetingId,
            ownerId: event.from,
            ownerName: context.members[event.from]?.name ?? "",
            text: event.text,
            createdAt: event.at,
          }),
        );
        return;
      case "commitment.remove":
        await this.#write(() => storage.removeCommitment(event.commitmentId));
        return;
      case "member.admit": {
        const person = context.waiting[event.memberId];
        if (!person) return;
        await this.#write(() =>
          storage.admit({
            tableId: this.#table.tableId,
            memberId: person.id,
            name: person.name,
            at: event.at,
          }),
        );
        this.#storedRoster.set(person.id, person.name);
        return;
      }
      case "member.remove":
        if (context.admission !== "members") return;
        await this.#write(() =>
          storage.removeFromRoster({
            tableId: this.#table.tableId,
            memberId: event.memberId,
            at: event.at,
          }),
        );
        this.#storedRoster.delete(event.memberId);
        return;
      case "followup.report":
        await this.#write(() =>
          storage.reportFollowUp({
            commitmentId: event.commitmentId,
            meetingId: this.#meetingId,
            status: event.status,
            note: event.note ?? "",
            drop: event.drop ?? false,
            reportedAt: event.at,
          }),
        );
        return;
      default:
        return;
    }
  }

  #afterApply(event: ProtocolEvent): void {
    if (event.type === "member.remove") {
      const removed = this.#clientsByMember.get(event.memberId);
      this.#clientsByMember.delete(event.memberId);
      // Removed while their connection was down: that connection may not come back either.
      if (removed) this.#reconnections.get(removed.sessionId)?.reject?.(new Error("removed"));
      removed?.leave(CLOSE_REMOVED, "The facilitator removed you from this meeting.");
    } else if (event.type === "member.decline") {
      const declined = this.#clientsByMember.get(event.memberId);
      this.#clientsByMember.delete(event.memberId);
      declined?.leave(CLOSE_DECLINED, "The facilitator did not let you in.");
    } else if (event.type === "member.admit") {
      this.#clientsByMember
        .get(event.memberId)
        ?.send("welcome", { memberId: event.memberId } satisfies WelcomeMessage);
    }
  }

  /**
   * Joins put the key holder, and at an open table everyone, on the roster: written to storage
   * here, after the machine took them in. Admissions and removals were written before.
   */
  async #storeRoster(): Promise<void> {
    const { roster } = this.#actor.getSnapshot().context;
    for (const [memberId, name] of Object.entries(roster)) {
      if (this.#storedRoster.get(memberId) === name) continue;
      this.#storedRoster.set(memberId, name);
      await this.#write(() =>
        this.#services.storage.admit({
          tableId: this.#table.tableId,
          memberId,
          name,
          at: this.#now(),
        }),
      );
    }
  }

  #isWaiting(memberId: string): boolean {
    const { waiting, members } = this.#actor.getSnapshot().context;
    return Object.hasOwn(waiting, memberId) && !Object.hasOwn(members, memberId);
  }

  /** The view a member's connection gets now; undefined (tableName and phase only) while waiting. */
  #viewOf(memberId: string): StateView | undefined {
    const { members, facilitatorId } = this.#actor.getSnapshot().context;
    const member = members[memberId];
    if (!member) return undefined;
    if (!member.agreed) return this.#admitted;
    return facilitatorId === memberId ? this.#facilitating : this.#content;
  }

  /**
   * Each connection sees what its member may see now: after an admission, an agreement, a
   * hand-off or a claim, its view changes and it gets a full state at once, which the SDK
   * reconciles with what it has.
   */
  #refreshViews(): void {
    for (const client of this.clients) {
      const seat = this.#seats.get(client.sessionId);
      if (!seat || this.#clientsByMember.get(seat.memberId) !== client) continue;
      const view = this.#viewOf(seat.memberId);
      if (client.view === view) continue;
      client.view = view;
      if (client.state === ClientState.JOINED) {
        // Colyseus' own full-state send, as on join; it has no public name.
        (this as unknown as { sendFullState(client: Client): void }).sendFullState(client);
      }
    }
  }

  /** Content fields of a member's row need the `agreed` tag on that row, in the views that show it. */
  #tagContentRows(): void {
    for (const row of this.state.members.values()) {
      for (const view of [this.#content, this.#facilitating]) {
        if (!view.hasTag(row, Audience.agreed)) view.add(row, Audience.agreed);
      }
    }
  }

  /** Storage records of the meeting: when it ran, and revealed pulses; never what was said. */
  #record(emitted: ProtocolEmitted): void {
    const storage = this.#services.storage;
    const tableId = this.#table.tableId;
    switch (emitted.type) {
      case "meeting.started":
        this.#meetingStarted = true;
        void this.#write(() =>
          storage.startMeeting({ id: this.#meetingId, tableId, startedAt: emitted.at }),
        );
        return;
      case "meeting.ended":
        this.#meetingEnded = true;
        if (!this.#meetingStarted) return;
        void this.#write(() =>
          storage.endMeeting({
            id: this.#meetingId,
            endedAt: emitted.at,
            rounds: emitted.rounds,
            members: emitted.members,
          }),
        );
        return;
      case "pulse.revealed":
        void this.#write(() =>
          storage.recordPulse({
            id: randomBytes(12).toString("base64url"),
            tableId,
            meetingId: this.#meetingId,
            closedAt: emitted.at,
            answered: emitted.answered,
            counts: emitted.counts,
            mean: emitted.mean,
          }),
        );
        return;
      default: {
        const never: never = emitted;
        return never;
      }
    }
  }

  /** An ended meeting takes no new joins; its recap stays up a while, then the room closes. */
  async #onEnded(): Promise<void> {
    await this.lock();
    this.clock.setTimeout(
      () => void this.disconnect(),
      this.#services.endedLingerMs ?? 10 * 60_000,
    );
  }

  #refuse(client: Client, code: ErrorCode, type: string, message: string): ErrorMessage {
    const refusal: ErrorMessage = { code, message, type };
    client.send("error", refusal);
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

/** The room class for one server, bound to its services. */
export function roundtableRoom(services: RoomServices): typeof RoundtableRoom {
  return class extends RoundtableRoom {
    static override services = services;
  };
}
