import type { Room } from "@colyseus/sdk";
import { describe, expect, it, vi } from "vitest";
import { MeetingConnection, type JoinOptions } from "../../client/lib/meeting.svelte.ts";
import { FakeRoom } from "./fake-room.ts";
import { meeting } from "./fixtures.ts";
import type { SyncedState } from "../../shared/sync.ts";

const options: JoinOptions = {
  tableId: "t1",
  name: "Ana",
  memberKey: "k".repeat(43),
  facilitatorKey: "secret",
};

async function connected(state: SyncedState = meeting(), memberId = "ana") {
  const room = new FakeRoom();
  const onError = vi.fn();
  let answered = "";
  const conn = new MeetingConnection(options, {
    open: async () => room as unknown as Room,
    onError,
    answered: { get: () => answered, set: (p) => (answered = p) },
  });
  await conn.connect();
  room.state(state);
  room.emit("welcome", { memberId });
  return { conn, room, onError, answered: () => answered };
}

describe("a member's connection to the meeting", () => {
  it("opens on welcome, and asks the shared machine what may be done", async () => {
    const room = new FakeRoom();
    const conn = new MeetingConnection(options, { open: async () => room as unknown as Room });
    await conn.connect();
    room.state(meeting());
    expect(conn.status).toBe("connecting");
    expect(conn.can("meeting.start")).toBe(false);
    room.emit("welcome", { memberId: "ana" });
    expect(conn.status).toBe("open");
    expect(conn.isFacilitator).toBe(true);
    expect(conn.can("meeting.start")).toBe(true);
    expect(conn.can("hand.raise")).toBe(false);
    expect(conn.why("hand.raise")).toMatch(/during probing questions and experience shares/);
    expect(room.reconnection.minUptime).toBe(0);
  });

  it("offers a member only what a member may do", async () => {
    const { conn } = await connected(meeting({ phase: "questions" }), "ben");
    expect(conn.can("meeting.start")).toBe(false);
    expect(conn.why("phase.next")).toBe("Only the facilitator can do that.");
    expect(conn.can("question.ask", { text: "What would a good outcome look like?" })).toBe(true);
    expect(conn.can("hand.raise")).toBe(true);
  });

  it("sends messages and passes the server's refusals on", async () => {
    const { conn, room, onError } = await connected();
    conn.send("meeting.start");
    expect(room.sent).toEqual([["meeting.start", {}]]);
    room.emit("error", {
      code: "not_allowed",
      message: "At least two members must have agreed.",
      type: "meeting.start",
    });
    expect(onError).toHaveBeenCalledWith("At least two members must have agreed.");
  });

  it("shows reconnecting while the seat is being won back, and offers nothing meanwhile", async () => {
    const { conn, room } = await connected();
    room.emit("drop", 1006);
    expect(conn.status).toBe("reconnecting");
    expect(conn.can("meeting.start")).toBe(false);
    room.emit("reconnect");
    expect(conn.status).toBe("open");
    expect(conn.can("meeting.start")).toBe(true);
  });

  it("says the seat is gone when a drop outlasts the reconnection window", async () => {
    const { conn, room } = await connected();
    room.emit("drop", 1006);
    expect(conn.stale).toBe(false);
    // The server refused the late reconnection: whatever the code, the seat is gone.
    room.emit("leave", 4002, "seat released");
    expect(conn.status).toBe("gone");
    expect(conn.stale).toBe(true);
    expect(conn.problem).toBe(
      "You were disconnected for too long: your seat was released. Rejoin to continue.",
    );
    expect(conn.can("phase.next")).toBe(false);
    expect(conn.why("phase.next")).toBe("Waiting for the connection to the meeting.");
  });

  it("keeps the follow-up answers for the recap, and forgets them in the next meeting", async () => {
    const reviewed = {
      id: "e1",
      ownerId: "ben",
      ownerName: "Ben",
      text: "Write the draft",
      status: "partly" as const,
      note: "Half of it",
      review: true,
      round: 0,
    };
    const [first, second] = [new FakeRoom(), new FakeRoom()];
    second.roomId = "room-2";
    const queue = [first, second];
    const conn = new MeetingConnection(options, {
      open: async () => queue.shift() as unknown as Room,
    });
    await conn.connect();
    first.state(meeting({ phase: "followUp", commitments: [reviewed] }));
    first.emit("welcome", { memberId: "ana" });
    first.state(meeting({ phase: "choosing" }));
    first.state(meeting({ phase: "ended" }));
    expect(conn.outcomes.followUps).toEqual([reviewed]);
    await conn.joinNext();
    second.state(meeting());
    expect(conn.outcomes.followUps).toEqual([]);
  });

  it("tells removal, another window and a lost room apart", async () => {
    for (const [code, status] of [
      [4401, "removed"],
      [4409, "replaced"],
      [4003, "gone"],
      [1011, "lost"],
    ] as const) {
      const { conn, room } = await connected();
      room.emit("leave", code, "");
      expect(conn.status).toBe(status);
      expect(conn.problem).not.toBe("");
    }
    const { conn, room } = await connected(meeting({ phase: "ended" }));
    room.emit("leave", 4000);
    expect(conn.status).toBe("closed");
  });

  it("joins again after a lost connection", async () => {
    const rooms = [new FakeRoom(), new FakeRoom()];
    const open = vi.fn(async () => rooms.shift() as unknown as Room);
    const conn = new MeetingConnection(options, { open });
    await conn.connect();
    open.mock.results[0]!.value.then((r: FakeRoom) => {
      r.state(meeting());
      r.emit("welcome", { memberId: "ana" });
      r.emit("leave", 4003);
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(conn.status).toBe("gone");
    await conn.rejoin();
    expect(open).toHaveBeenCalledTimes(2);
  });

  it("forgets a facilitator key the table refuses, and joins as a member", async () => {
    const room = new FakeRoom();
    const open = vi
      .fn<(o: JoinOptions) => Promise<Room>>()
      .mockRejectedValueOnce(new Error("That facilitator key is not this table's."))
      .mockResolvedValueOnce(room as unknown as Room);
    const onKeyRejected = vi.fn();
    const conn = new MeetingConnection(options, { open, onKeyRejected, onError: () => {} });
    await conn.connect();
    expect(onKeyRejected).toHaveBeenCalled();
    expect(open.mock.calls[1]?.[0]).not.toHaveProperty("facilitatorKey");
    expect(conn.hasFacilitatorKey).toBe(false);
  });

  it("reports a refused join in plain words", async () => {
    const conn = new MeetingConnection(options, {
      open: async () => Promise.reject(new Error("The meeting is full.")),
    });
    await conn.connect();
    expect(conn.status).toBe("refused");
    expect(conn.problem).toBe("The meeting is full.");
  });

  it("remembers that this browser answered the open pulse, and only that pulse", async () => {
    const pulse = {
      status: "open" as const,
      answered: 0,
      threshold: 3,
      counts: [],
      mean: 0,
      seq: 2,
      withheldBecause: "" as const,
    };
    const { conn, room, answered } = await connected(meeting({ phase: "closing", pulse }), "ben");
    expect(conn.can("pulse.answer", { score: 4 })).toBe(true);
    conn.send("pulse.answer", { score: 4 });
    expect(answered()).toBe("room-1:2");
    expect(conn.pulseAnswered).toBe(true);
    expect(conn.can("pulse.answer", { score: 4 })).toBe(false);
    room.state(meeting({ phase: "closing", pulse: { ...pulse, seq: 3 } }));
    expect(conn.pulseAnswered).toBe(false);
  });
});
