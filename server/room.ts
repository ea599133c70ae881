import { ClientState, Room, ServerError, type Client, type Deferred } from "@colyseus/core";
import { StateView } from "@colyseus/schema";
import {
  clientMessageTypes,
  syncedFromSnapshot,
  type ErrorMessage,
  type ProtocolSnapshot,
  type WelcomeMessage,
} from "../shared/index.ts";
import {
  JoinRefused,
  MeetingHost,
  type Audience as HostAudience,
  type Connection,
  type HostServices,
  type JoinAuth,
} from "./host.ts";
import { mirror } from "./mirror.ts";
import { Audience, RoundtableState } from "../shared/state.ts";

/** What a room needs from outside: the meeting's services and the knobs of its connections. */
export interface RoomServices extends HostServices {
  /** Seconds a dropped member's seat is kept for a reconnection. */
  reconnectSeconds?: number;
  /**
   * The polite limit (`rate_limited` past it) and the hard cap on all frames, pings included,
   * past which Colyseus disconnects a member.
   */
  rateLimit?: { perSecond: number; burst: number; disconnectAbove?: number };
  /** Milliseconds an ended meeting stays open for its recap before the room closes. */
  endedLingerMs?: number;
}

/**
 * One live meeting of one table, on Colyseus: the connections' lifecycle, reconnection, and who
 * receives which part of the synced state. The meeting itself — order of work, rules, storage,
 * seats — is the `MeetingHost`; this room hands it connections and mirrors its machine.
 */
export class RoundtableRoom extends Room<{ state: RoundtableState }> {
  /** Set by `roundtableRoom()`; one per server. */
  static services: RoomServices;

  // No `maxClients` here on purpose. Colyseus counts connections (seat reservations, a dropped
  // seat awaiting its reconnection, a second window) and *locks* a full room, after which
  // `joinOrCreate` quietly creates a second live meeting for the same table. The 16-seat cap of
  // PROTOCOL.md is the machine's rule, checked in `onAuth` and on agreeing.

  #services!: RoomServices;
  #host!: MeetingHost;
  /** Each client's connection as the host knows it, by session id. */
  #connections = new Map<string, Connection>();
  /** Seats of dropped connections awaiting their reconnection, by session id. */
  #reconnections = new Map<string, Deferred<Client>>();
  /**
   * Who receives what (`Audience` in state.ts): people waiting to be let in have no view and
   * receive only the untagged `tableName` and `phase`; admitted members who have not agreed share
   * one view; members who agreed share another (what is said, the pulse), so content is encoded
   * once per patch for all of them; the facilitator's adds who is waiting.
   */
  #views!: Record<Exclude<HostAudience, "waiting">, StateView>;

  override async onCreate(options: { tableId?: unknown }): Promise<void> {
    this.#services = (this.constructor as typeof RoundtableRoom).services;
    // A hard cap well above the polite limit: a client past it is disconnected by Colyseus.
    this.maxMessagesPerSecond = this.#services.rateLimit?.disconnectAbove ?? 100;
    const tableId = typeof options?.tableId === "string" ? options.tableId : "";
    const table = tableId ? await this.#services.storage.getTable(tableId) : undefined;
    if (!table) throw new ServerError(404, "This table does not exist. Check the link.");
    this.state = new RoundtableState();
    this.#views = this.#createViews();
    const timers = {
      setTimeout: (fn: () => void, ms: number) => this.clock.setTimeout(fn, ms),
      clearTimeout: (handle: unknown) => (handle as { clear(): void }).clear(),
    };
    this.#host = await MeetingHost.open(table, this.#services, timers, (snapshot) =>
      this.#show(snapshot),
    );
    // One handler per message type: each answers (`Answer`) once the message was refused or
    // applied and stored, so a client can wait for it with `room.request`.
    for (const type of clientMessageTypes) {
      this.onMessage(type, (client: Client, payload: unknown) =>
        this.#host.receive(this.#connectionOf(client), type, payload),
      );
    }
    this.onMessage("*", (client: Client, type: string | number, payload: unknown) => {
      // A message whose type is "*" itself reaches this handler the way a typed handler is
      // called, `(client, payload, context)`, so its payload arrives as `type`. Colyseus' context
      // carries functions, which no client can send: that tells the two calls apart.
      const typedStar = typeof (payload as { resolve?: unknown } | null)?.resolve === "function";
      const connection = this.#connectionOf(client);
      return typedStar
        ? this.#host.receive(connection, "*", type)
        : this.#host.receive(connection, type, payload);
    });
  }

  override onAuth(_client: Client, options: unknown): JoinAuth {
    try {
      return this.#host.authorize(options);
    } catch (error) {
      if (error instanceof JoinRefused) throw new ServerError(error.status, error.message);
      throw error;
    }
  }

  override onJoin(client: Client, _options: unknown, auth: JoinAuth): void {
    // A member who agreed earlier in this meeting gets what they may see with their first state.
    client.view = this.#viewFor(auth.memberId);
    this.#host.join(this.#connectionOf(client), auth);
  }

  override onDrop(client: Client): void {
    if (!this.#host.drop(this.#connectionOf(client))) return;
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
    const connection = this.#connect(client);
    const memberId = this.#host.memberOf(connection);
    if (memberId !== undefined) client.view = this.#viewFor(memberId);
    this.#host.reconnect(connection);
  }

  override onLeave(client: Client): void {
    this.#host.leave(this.#connectionOf(client));
    this.#connections.delete(client.sessionId);
  }

  override async onDispose(): Promise<void> {
    // Undefined when onCreate refused the room (an unknown table).
    await this.#host?.close();
    for (const view of Object.values(this.#views ?? {})) view.dispose();
  }

  /** The host's side of a client: its messages, and closing it for good. */
  #connectionOf(client: Client): Connection {
    return this.#connections.get(client.sessionId) ?? this.#connect(client);
  }

  #connect(client: Client): Connection {
    const connection: Connection = {
      id: client.sessionId,
      send: (type: "welcome" | "error", message: WelcomeMessage | ErrorMessage) =>
        client.send(type, message),
      close: (code, reason) => {
        // A dropped connection may not come back through its reconnection token either.
        this.#reconnections.get(client.sessionId)?.reject?.(new Error("closed"));
        client.leave(code, reason);
      },
    };
    this.#connections.set(client.sessionId, connection);
    return connection;
  }

  #createViews(): Record<Exclude<HostAudience, "waiting">, StateView> {
    const { admitted, agreed, facilitator } = Audience;
    const views = {
      admitted: new StateView(),
      agreed: new StateView(),
      facilitator: new StateView(),
    };
    views.admitted.add(this.state, admitted);
    views.agreed.add(this.state, admitted | agreed);
    views.facilitator.add(this.state, admitted | agreed | facilitator);
    // New rows reach the views that show them as they arrive.
    for (const view of Object.values(views)) view.subscribe(this.state.members);
    for (const view of [views.agreed, views.facilitator]) {
      view.subscribe(this.state.questions);
      view.subscribe(this.state.commitments);
      view.subscribe(this.state.parking);
    }
    views.facilitator.subscribe(this.state.waiting);
    return views;
  }

  #viewFor(memberId: string): StateView | undefined {
    const audience = this.#host.audienceOf(memberId);
    return audience === "waiting" ? undefined : this.#views[audience];
  }

  /** Mirrors the machine into the synced state, flushes the patch, and sets each client's view. */
  #show(snapshot: ProtocolSnapshot): void {
    mirror(this.state, syncedFromSnapshot(snapshot));
    // Tagged fields of a member's row need the tag on that row, in the views that show them.
    const { admitted, agreed, facilitator } = Audience;
    for (const row of this.state.members.values()) {
      for (const [view, tag] of [
        [this.#views.admitted, admitted],
        [this.#views.agreed, admitted],
        [this.#views.facilitator, admitted],
        [this.#views.agreed, agreed],
        [this.#views.facilitator, agreed],
        [this.#views.facilitator, facilitator],
      ] as const) {
        if (!view.hasTag(row, tag)) view.add(row, tag);
      }
    }
    // A topic's voters are a collection of their own inside its row: each row's, in the views
    // that show the parking lot.
    for (const topic of this.state.parking) {
      for (const view of [this.#views.agreed, this.#views.facilitator])
        view.subscribe(topic.voters);
    }
    this.broadcastPatch();
    // The machine's first snapshot comes while the host is being made: nobody is connected yet.
    if (this.#host) this.#refreshViews();
    if (snapshot.status === "done") void this.#onEnded();
  }

  /**
   * Each connection sees what its member may see now: after an admission, an agreement, a
   * hand-off or a claim, its view changes and it gets a full state at once, which the SDK
   * reconciles with what it has.
   */
  #refreshViews(): void {
    const moves: [Client, StateView | undefined][] = [];
    for (const client of this.clients) {
      const memberId = this.#host.memberOf(this.#connectionOf(client));
      if (memberId === undefined) continue;
      const view = this.#viewFor(memberId);
      if (client.view !== view) moves.push([client, view]);
    }
    // A full state never deletes what a client decoded before: a facilitator who hands over, or
    // whose role is claimed, is sent the removal of what only the facilitator sees (`waiting`,
    // the share flags) as a patch of the view they leave; the view then gets it back.
    const facilitating = this.#views.facilitator;
    const { facilitator } = Audience;
    if (moves.some(([client]) => client.view === facilitating)) {
      const rows = [...this.state.members.values()];
      facilitating.remove(this.state, facilitator);
      for (const row of rows) facilitating.remove(row, facilitator);
      this.broadcastPatch();
      facilitating.add(this.state, facilitator);
      facilitating.subscribe(this.state.waiting);
      for (const row of rows) facilitating.add(row, facilitator);
    }
    for (const [client, view] of moves) {
      client.view = view;
      if (client.state === ClientState.JOINED) {
        // Colyseus' own full-state send, as on join; it has no public name.
        (this as unknown as { sendFullState(client: Client): void }).sendFullState(client);
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
}

/** The room class for one server, bound to its services. */
export function roundtableRoom(services: RoomServices): typeof RoundtableRoom {
  return class extends RoundtableRoom {
    static override services = services;
  };
}
