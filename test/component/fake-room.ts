import type { Room } from "@colyseus/sdk";
import { MeetingConnection } from "../../client/lib/meeting.svelte.ts";
import type { SyncedState } from "../../shared/sync.ts";

type Handler = (...args: never[]) => void;

/** Just enough of a Colyseus room to drive a MeetingConnection by hand. */
export class FakeRoom {
  roomId = "room-1";
  reconnection = { minUptime: 5000 };
  sent: [string, unknown][] = [];
  #handlers = new Map<string, Handler>();

  onStateChange(cb: Handler) {
    this.#handlers.set("state", cb);
  }
  onMessage(type: string, cb: Handler) {
    this.#handlers.set(type, cb);
  }
  onDrop(cb: Handler) {
    this.#handlers.set("drop", cb);
  }
  onReconnect(cb: Handler) {
    this.#handlers.set("reconnect", cb);
  }
  onLeave(cb: Handler) {
    this.#handlers.set("leave", cb);
  }
  send(type: string, payload: unknown) {
    this.sent.push([type, payload]);
  }
  async leave() {
    this.emit("leave", 4000);
    return 4000;
  }

  emit(event: string, ...args: unknown[]) {
    (this.#handlers.get(event) as (...a: unknown[]) => void)?.(...args);
  }
  /** A state patch: the synced state, plus fields the shared type does not carry yet. */
  state(state: SyncedState | (Partial<SyncedState> & Record<string, unknown>)) {
    this.emit("state", { toJSON: () => state });
  }
}

/** A member's connection to a fake room, opened with this state and welcomed as `memberId`. */
export async function connectedTo(
  state: SyncedState,
  memberId: string,
): Promise<{ conn: MeetingConnection; room: FakeRoom }> {
  const room = new FakeRoom();
  const conn = new MeetingConnection(
    { tableId: "t1", name: state.members[memberId]?.name ?? memberId, memberKey: "k".repeat(43) },
    { open: async () => room as unknown as Room },
  );
  await conn.connect();
  room.state(state);
  room.emit("welcome", { memberId });
  return { conn, room };
}
