import { Client, type Room } from "@colyseus/sdk";
import { explainRefusal } from "../../shared/explain.ts";
import { CLOSE_DECLINED, CLOSE_IDLE, CLOSE_REMOVED, CLOSE_REPLACED } from "../../shared/limits.ts";
import type { ClientMessageType } from "../../shared/messages.ts";
import { snapshotFromSynced, type SyncedMember, type SyncedState } from "../../shared/sync.ts";
import type { ProtocolEvent } from "../../shared/types.ts";
import { normalizeState } from "./synced.ts";
import { admissionFrom, waitingFrom, type Admission, type WaitingPerson } from "./waiting.ts";

/** Where the connection to the meeting stands, as the person should see it. */
export type ConnectionStatus =
  /** Joining for the first time. */
  | "connecting"
  | "open"
  /** The connection dropped; the SDK (or we) are getting the seat back. */
  | "reconnecting"
  /** The room is gone or could not be reached: offer "Rejoin". */
  | "lost"
  /**
   * The drop outlasted the reconnection window: the SDK gave up, or the server released the seat.
   * Everyone else sees this member as left (and any role moved on): offer "Rejoin".
   */
  | "gone"
  /** The ended meeting's room closed: "Rejoin" starts the table's next meeting. */
  | "closed"
  /** The facilitator removed this member. */
  | "removed"
  /** The same member joined from another window. */
  | "replaced"
  /** The facilitator did not let this person in. */
  | "declined"
  /** Closed after waiting (or sitting at the agreement) too long: "Ask again" joins anew. */
  | "expired"
  /** The join was refused (unknown table, full room, …): `problem` says why. */
  | "refused";

/** The options a member joins the `roundtable` room with (PROTOCOL.md). */
export interface JoinOptions {
  tableId: string;
  name: string;
  memberKey: string;
  facilitatorKey?: string;
}

/** The server's `error` message, sent to this client alone. */
export interface RefusalMessage {
  code: string;
  message: string;
  type: string;
}

export interface MeetingHooks {
  /** Opens the room; tests pass a fake. Defaults to the Colyseus SDK on this page's origin. */
  open?: (options: JoinOptions) => Promise<Room>;
  /** A refusal or a problem worth a brief message. */
  onError?: (message: string) => void;
  /** The server refused the stored facilitator key; the caller forgets it. */
  onKeyRejected?: () => void;
  /** Which pulse this browser answered (`roomId:seq`), read and written by the caller. */
  answered?: { get(): string; set(pulse: string): void };
}

/** Close codes of the server (server/room.ts) and of Colyseus. */
const CLOSE_CONSENTED = 4000;
/** The SDK's code when its reconnection attempts ran out (`CloseCode.FAILED_TO_RECONNECT`). */
const CLOSE_FAILED_TO_RECONNECT = 4003;

/** What the page says once the seat is gone. */
export const SEAT_GONE =
  "You were disconnected for too long: your seat was released. Rejoin to continue.";

/** The statuses in which this page no longer holds a seat in the live meeting. */
const seatless: ReadonlySet<ConnectionStatus> = new Set(["gone", "lost", "replaced"]);

const defaultOpen = (options: JoinOptions): Promise<Room> =>
  new Client(location.origin).joinOrCreate("roundtable", options);

type Payload = Record<string, unknown>;

/** The `welcome` message: who I am, and whether I wait to be let in. */
interface Welcome {
  memberId: string;
  waiting?: true;
}

/**
 * One member's live connection to a meeting: the synced state as plain data, who I am, and
 * what I may do now. Whether an action is possible is asked of the shared protocol machine
 * (`can`), exactly as the server will ask it, so the UI never offers what would be refused.
 */
export class MeetingConnection {
  #state = $state<SyncedState | undefined>(undefined);
  #memberId = $state("");
  #status = $state<ConnectionStatus>("connecting");
  #problem = $state("");
  #roomId = $state("");
  #answered = $state("");
  #waitingToEnter = $state(false);
  #queue = $state<WaitingPerson[]>([]);
  #admission = $state<Admission | undefined>(undefined);
  /** This meeting's follow-up answers as last seen: the state drops them when follow-up ends. */
  #followUps = $state<SyncedState["commitments"]>([]);
  /** Commitments made in this meeting as last seen before it ended. */
  #madeToday = $state<SyncedState["commitments"]>([]);
  #options: JoinOptions;
  #hooks: MeetingHooks;
  #room: Room | undefined;
  #leaving = false;
  /** Whether the connection dropped and has not come back yet. */
  #dropped = false;

  #snapshot = $derived.by(() => {
    const state = this.#state;
    if (!state) return undefined;
    return snapshotFromSynced(state, {
      memberId: this.#memberId,
      pulseAnswered: this.pulseAnswered,
    });
  });

  constructor(options: JoinOptions, hooks: MeetingHooks = {}) {
    this.#options = { ...options };
    this.#hooks = hooks;
    this.#answered = hooks.answered?.get() ?? "";
  }

  /** The synced state, complete; undefined until the first state arrives. */
  get state(): SyncedState | undefined {
    return this.#state;
  }

  get memberId(): string {
    return this.#memberId;
  }

  get tableId(): string {
    return this.#options.tableId;
  }

  /** My secret key at this table, for my personal link; never shown to anyone else. */
  get memberKey(): string {
    return this.#options.memberKey;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /**
   * Whether the meeting on this page is no longer live for me: the seat is gone (or taken by
   * another window). What the page still shows is only how things stood when it was lost.
   */
  get stale(): boolean {
    return seatless.has(this.#status);
  }

  /** Why the connection is not open, in a sentence; "" when there is nothing to say. */
  get problem(): string {
    return this.#problem;
  }

  /**
   * Whether I wait for the facilitator to let me in: `welcome` said so, and I am not (yet) among
   * the members. Being admitted brings a second `welcome`, and my id into the members.
   */
  get waiting(): boolean {
    return this.#waitingToEnter && this.#state?.members[this.#memberId] === undefined;
  }

  /** The people waiting to be let in, longest first: only the facilitator is sent them. */
  get waitingList(): WaitingPerson[] {
    return this.#queue;
  }

  /** The table's admission, once this client may see it. */
  get admission(): Admission | undefined {
    return this.#admission;
  }

  /**
   * What this meeting leaves behind, for its recap: the commitments made today, and the follow-up
   * answers given (with their status and note as last seen), even after the state has moved on.
   */
  get outcomes(): { made: SyncedState["commitments"]; followUps: SyncedState["commitments"] } {
    return { made: this.#madeToday, followUps: this.#followUps };
  }

  get me(): SyncedMember | undefined {
    return this.#state?.members[this.#memberId];
  }

  get isFacilitator(): boolean {
    return this.#memberId !== "" && this.#state?.facilitatorId === this.#memberId;
  }

  get isPresenter(): boolean {
    return this.#memberId !== "" && this.#state?.presenterId === this.#memberId;
  }

  get hasFacilitatorKey(): boolean {
    return Boolean(this.#options.facilitatorKey);
  }

  /** Whether this browser answered the pulse that is open now (the state never says who did). */
  get pulseAnswered(): boolean {
    const state = this.#state;
    return state !== undefined && this.#answered === `${this.#roomId}:${state.pulse.seq}`;
  }

  /** Joins the room; on failure the status says why. */
  async connect(): Promise<void> {
    this.#leaving = false;
    this.#status = this.#status === "connecting" ? "connecting" : "reconnecting";
    this.#problem = "";
    const open = this.#hooks.open ?? defaultOpen;
    let room: Room;
    try {
      room = await open(this.#options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#options.facilitatorKey && /facilitator key/i.test(message)) {
        delete this.#options.facilitatorKey;
        this.#hooks.onKeyRejected?.();
        this.#hooks.onError?.(
          "That facilitator link's key is not this table's: you joined as a member.",
        );
        return this.connect();
      }
      this.#fail(message);
      return;
    }
    this.#attach(room);
  }

  /** Joins again after the room was lost or closed (a closed meeting's table starts its next one). */
  rejoin(): Promise<void> {
    this.#status = "reconnecting";
    return this.connect();
  }

  /** The event the machine would receive from me, for `can` and `explainRefusal`. */
  #event(type: ClientMessageType, payload: Payload = {}): ProtocolEvent {
    const envelope = { from: this.#memberId, at: Date.now() };
    if (type === "facilitator.claim") {
      return { type, keyValid: this.hasFacilitatorKey, ...envelope };
    }
    const extra = type === "commitment.add" ? { commitmentId: "pending" } : {};
    return { ...payload, ...extra, type, ...envelope } as ProtocolEvent;
  }

  /** Whether I may send this message now: the shared machine's answer, and an open connection. */
  can(type: ClientMessageType, payload?: Payload): boolean {
    const snapshot = this.#snapshot;
    if (!snapshot || this.#status !== "open" || this.#memberId === "") return false;
    return snapshot.can(this.#event(type, payload));
  }

  /** Why I may not send this message now, in a sentence; undefined when I may. */
  why(type: ClientMessageType, payload?: Payload): string | undefined {
    if (this.#status !== "open") return "Waiting for the connection to the meeting.";
    const snapshot = this.#snapshot;
    if (!snapshot) return "Waiting for the meeting.";
    return explainRefusal(snapshot, this.#event(type, payload));
  }

  /** Sends a message; the server answers with a state patch, or an `error` to me alone. */
  send(type: ClientMessageType, payload?: Payload): void {
    const room = this.#room;
    if (!room) return;
    if (type === "facilitator.claim") {
      const key = this.#options.facilitatorKey;
      room.send(type, key ? { facilitatorKey: key } : {});
      return;
    }
    if (type === "pulse.answer" && this.#state) {
      this.#markAnswered(this.#state.pulse.seq);
    }
    room.send(type, payload ?? {});
  }

  /** Leaves an ended meeting and joins the table's next one (its lobby). */
  async joinNext(): Promise<void> {
    await this.leave();
    this.#state = undefined;
    this.#status = "connecting";
    await this.connect();
  }

  /** Leaves the meeting for good (the seat is kept for a later return). */
  async leave(): Promise<void> {
    this.#leaving = true;
    await this.#room?.leave(true);
  }

  #markAnswered(seq: number): void {
    this.#answered = `${this.#roomId}:${seq}`;
    this.#hooks.answered?.set(this.#answered);
  }

  /** Keeps what the recap needs from each state, before a later phase clears it. */
  #remember(state: SyncedState): void {
    const review = state.commitments.filter((c) => c.review);
    if (review.length > 0) this.#followUps = review;
    const made = state.commitments.filter((c) => !c.review);
    if (state.phase !== "ended" || made.length > 0) this.#madeToday = made;
  }

  #attach(room: Room): void {
    // Another room is another meeting: nothing of the last one belongs to its recap.
    if (room.roomId !== this.#roomId) {
      this.#followUps = [];
      this.#madeToday = [];
    }
    this.#room = room;
    this.#roomId = room.roomId;
    // Reconnect even when the drop comes right after joining (the SDK's default waits 5 s).
    room.reconnection.minUptime = 0;
    room.onStateChange((state: { toJSON(): unknown }) => {
      const json = state.toJSON();
      this.#state = normalizeState(json);
      this.#remember(this.#state);
      this.#queue = waitingFrom(json);
      this.#admission = admissionFrom(json) ?? this.#admission;
    });
    room.onMessage("welcome", (message: Welcome) => {
      this.#memberId = message.memberId;
      this.#waitingToEnter = message.waiting === true;
      this.#status = "open";
    });
    room.onMessage("error", (message: RefusalMessage) => {
      if (message.type === "pulse.answer" && /already answered/i.test(message.message)) {
        this.#markAnswered(this.#state?.pulse.seq ?? 0);
      }
      this.#hooks.onError?.(message.message);
    });
    room.onDrop(() => {
      this.#dropped = true;
      this.#status = "reconnecting";
    });
    room.onReconnect(() => {
      this.#dropped = false;
      this.#status = this.#memberId ? "open" : "connecting";
    });
    room.onLeave((code: number, reason?: string) => this.#onLeave(room, code, reason));
  }

  #onLeave(room: Room, code: number, reason?: string): void {
    if (room !== this.#room) return;
    this.#room = undefined;
    const dropped = this.#dropped;
    this.#dropped = false;
    if (this.#leaving) return;
    if (code === CLOSE_REMOVED) {
      this.#status = "removed";
      this.#problem = reason || "The facilitator removed you from this meeting.";
    } else if (code === CLOSE_DECLINED) {
      this.#status = "declined";
      this.#problem = "The facilitator did not let you in.";
    } else if (code === CLOSE_IDLE) {
      this.#status = "expired";
      this.#problem = this.waiting
        ? "You waited 10 minutes without being let in. The facilitator may not be here yet, or may not have seen you: ask again, or tell them you are waiting."
        : "You did not agree to confidentiality within 10 minutes, so your place was let go. Join again when you are ready.";
    } else if (code === CLOSE_REPLACED) {
      this.#status = "replaced";
      this.#problem = reason || "You joined this meeting from another window.";
    } else if (this.#state?.phase === "ended" && code === CLOSE_CONSENTED) {
      this.#status = "closed";
      this.#problem = "This meeting has ended and its room has closed.";
    } else if (code === CLOSE_FAILED_TO_RECONNECT || dropped) {
      // The reconnection ran out, or came back to a seat the server had already let go.
      this.#status = "gone";
      this.#problem = SEAT_GONE;
    } else {
      this.#status = "lost";
      this.#problem = "The connection to the meeting was lost.";
    }
  }

  #fail(message: string): void {
    const firstJoin = this.#state === undefined;
    if (/fetch|network|failed to|connect|socket/i.test(message) && !firstJoin) {
      this.#status = "lost";
      this.#problem = "The meeting could not be reached. Check your connection and rejoin.";
      return;
    }
    this.#status = /removed/i.test(message) ? "removed" : "refused";
    this.#problem = message || "The meeting could not be joined.";
  }
}
