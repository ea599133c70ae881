import type { Room } from "@colyseus/sdk";
import { describe, expect, it, vi } from "vitest";
import { tick } from "svelte";
import { render } from "vitest-browser-svelte";
import AdmissionEnded from "../../client/components/AdmissionEnded.svelte";
import AdmissionPrompt from "../../client/components/console/AdmissionPrompt.svelte";
import Waiting from "../../client/components/Waiting.svelte";
import { MeetingConnection, type JoinOptions } from "../../client/lib/meeting.svelte.ts";
import { Notices } from "../../client/lib/notices.svelte.ts";
import type { WaitingPerson } from "../../client/lib/waiting.ts";
import AnnounceHarness from "./AnnounceHarness.svelte";
import { FakeRoom } from "./fake-room.ts";
import { meeting, member } from "./fixtures.ts";

const options: JoinOptions = { tableId: "t1", name: "Eve", memberKey: "k".repeat(43) };

async function joined(memberId = "eve") {
  const room = new FakeRoom();
  const conn = new MeetingConnection(options, { open: async () => room as unknown as Room });
  await conn.connect();
  return { conn, room, memberId };
}

/** What a waiting person is sent: the table's name and the phase, nothing else. */
const waitingView = { tableName: "Engineering managers' circle", phase: "checkIn" as const };

const now = Date.UTC(2025, 0, 1, 18, 0);
const eve: WaitingPerson = {
  id: "eve",
  name: "Eve",
  since: now - 2 * 60_000,
  reason: "never_admitted",
};
const sam: WaitingPerson = { id: "sam", name: "Sam", since: now - 20_000, reason: "new_device" };
const ray: WaitingPerson = {
  id: "ray",
  name: "Ray",
  since: now - 5 * 60_000,
  reason: "removed_earlier",
};

describe("waiting to be let in", () => {
  it("waits after welcome { waiting: true }, and goes on once admitted by a second welcome", async () => {
    const { conn, room } = await joined();
    room.state(waitingView);
    room.emit("welcome", { memberId: "eve", waiting: true });
    expect(conn.status).toBe("open");
    expect(conn.waiting).toBe(true);
    expect(conn.me).toBeUndefined();
    room.emit("welcome", { memberId: "eve" });
    expect(conn.waiting).toBe(false);
  });

  it("stops waiting when their id appears among the members", async () => {
    const { conn, room } = await joined();
    room.state(waitingView);
    room.emit("welcome", { memberId: "eve", waiting: true });
    room.state(meeting({ members: { eve: member("eve", "Eve", { agreed: false }) } }));
    expect(conn.waiting).toBe(false);
    expect(conn.me?.agreed).toBe(false);
  });

  it("tells a declined person, and one closed after 10 minutes, apart", async () => {
    const declined = await joined();
    declined.room.emit("welcome", { memberId: "eve", waiting: true });
    declined.room.emit("leave", 4403, "");
    expect(declined.conn.status).toBe("declined");
    expect(declined.conn.problem).toBe("The facilitator did not let you in.");

    const idle = await joined();
    idle.room.state(waitingView);
    idle.room.emit("welcome", { memberId: "eve", waiting: true });
    idle.room.emit("leave", 4408, "");
    expect(idle.conn.status).toBe("expired");
    expect(idle.conn.problem).toMatch(/^You waited 10 minutes without being let in/);
  });

  it("shows what happens next, the table's name and nothing of the meeting; Leave leaves", async () => {
    const onLeave = vi.fn();
    const screen = await render(Waiting, {
      tableName: "Engineering managers' circle",
      name: "Eve",
      waitedMs: 3 * 60_000 + 5_000,
      onLeave,
    });
    await expect
      .element(screen.getByRole("heading", { level: 1, name: "Waiting to be let in" }))
      .toBeVisible();
    await expect.element(screen.getByText("Engineering managers' circle")).toBeVisible();
    await expect.element(screen.getByText(/The facilitator sees your name/)).toBeVisible();
    await expect.element(screen.getByText(/confidentiality agreement/)).toBeVisible();
    await expect
      .element(screen.getByText(/Nothing of the meeting is shown before you are let in/))
      .toBeVisible();
    await expect.element(screen.getByRole("status")).toHaveTextContent("Waiting for 3 min.");
    await screen.getByRole("button", { name: "Leave" }).click();
    expect(onLeave).toHaveBeenCalledOnce();
  });

  it("says plainly that the facilitator did not let them in", async () => {
    const screen = await render(AdmissionEnded, {
      tableName: "Engineering managers' circle",
      reason: "declined",
      problem: "The facilitator did not let you in.",
      onAskAgain: () => {},
    });
    await expect
      .element(screen.getByRole("alert"))
      .toHaveTextContent("The facilitator did not let you in.");
    await expect.element(screen.getByRole("button", { name: "Ask again" })).not.toBeInTheDocument();
  });

  it("offers to ask again after 10 minutes without an answer", async () => {
    const onAskAgain = vi.fn();
    const screen = await render(AdmissionEnded, {
      tableName: "Engineering managers' circle",
      reason: "expired",
      problem: "You waited 10 minutes without being let in.",
      onAskAgain,
    });
    await screen.getByRole("button", { name: "Ask again" }).click();
    expect(onAskAgain).toHaveBeenCalledOnce();
  });
});

describe("the facilitator's admission prompt", () => {
  it("names each waiting person, how long they waited and why the table asks", async () => {
    const onAdmit = vi.fn();
    const onDecline = vi.fn();
    const screen = await render(AdmissionPrompt, {
      waiting: [ray, eve, sam],
      now,
      onAdmit,
      onDecline,
    });
    await expect
      .element(screen.getByRole("heading", { name: "3 people wait to be let in" }))
      .toBeVisible();
    const rows = screen.getByRole("listitem").elements();
    expect(rows.map((li) => li.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      expect.stringContaining("Ray waiting 5 min · removed earlier"),
      expect.stringContaining("Eve waiting 2 min · never admitted"),
      expect.stringContaining(
        "Sam waiting less than a minute · new device — or someone using this name",
      ),
    ]);
    await screen.getByRole("button", { name: "Admit Eve", exact: true }).click();
    expect(onAdmit).toHaveBeenCalledWith("eve");
    await screen.getByRole("button", { name: "Decline Sam", exact: true }).click();
    expect(onDecline).toHaveBeenCalledWith("sam");
    await expect.element(screen.getByRole("button", { name: "Admit Ray" })).toBeEnabled();
  });

  it("isolates the names on its buttons", async () => {
    const screen = await render(AdmissionPrompt, {
      waiting: [{ ...eve, name: "مريم" }],
      now,
      onAdmit: () => {},
      onDecline: () => {},
    });
    const admit = screen.getByRole("button", { name: "Admit مريم" });
    await expect.element(admit).toBeVisible();
    expect(admit.element().querySelector("bdi")?.textContent).toBe("مريم");
  });

  it("lets the facilitator decline, but not admit, someone whose name is taken, and says why", async () => {
    const { conn, room } = await joined("ana");
    room.state({ ...meeting(), waiting: { eve: { ...eve, name: "ben" } } });
    room.emit("welcome", { memberId: "ana" });
    const screen = await render(AdmissionPrompt, {
      waiting: conn.waitingList,
      now,
      can: (answer: "member.admit" | "member.decline", memberId: string) =>
        conn.can(answer, { memberId }),
      whyNotAdmit: (memberId: string) => conn.why("member.admit", { memberId }),
      onAdmit: () => {},
      onDecline: () => {},
    });
    await expect.element(screen.getByRole("button", { name: "Admit ben" })).toBeDisabled();
    await expect.element(screen.getByRole("button", { name: "Decline ben" })).toBeEnabled();
    await expect.element(screen.getByText(/already uses that name/)).toBeVisible();
  });

  it("shows nothing while nobody waits", async () => {
    const screen = await render(AdmissionPrompt, {
      waiting: [],
      now,
      onAdmit: () => {},
      onDecline: () => {},
    });
    expect(screen.container.textContent?.trim()).toBe("");
  });

  it("receives the waiting people from the state and sends the answers", async () => {
    const { conn, room } = await joined("ana");
    room.state({
      ...meeting(),
      admission: "members",
      // A reason this app does not know yet reads as the plainest one.
      waiting: { sam, eve: { ...eve, reason: "something_new" as WaitingPerson["reason"] } },
    });
    room.emit("welcome", { memberId: "ana" });
    expect(conn.admission).toBe("members");
    expect(conn.waitingList.map((w) => [w.id, w.reason])).toEqual([
      ["eve", "never_admitted"],
      ["sam", "new_device"],
    ]);
    conn.send("member.admit", { memberId: "eve" });
    expect(room.sent).toEqual([["member.admit", { memberId: "eve" }]]);
  });

  it("announces a new waiting person to the facilitator, once, and shows a notice", async () => {
    const { conn, room } = await joined("ana");
    room.state({ ...meeting(), waiting: {} });
    room.emit("welcome", { memberId: "ana" });
    const notices = new Notices(60_000);
    const screen = await render(AnnounceHarness, { conn, notices });
    expect(notices.announcement).toBe("");

    room.state({ ...meeting(), waiting: { eve } });
    await expect
      .element(screen.getByRole("alert"))
      .toHaveTextContent("\u2068Eve\u2069 is waiting to be let in.");
    await expect
      .poll(() => notices.announcement)
      .toBe("\u2068Eve\u2069 is waiting to be let in. Admit or decline at the top of the console.");

    // Another patch while Eve waits names nobody again; Sam's arrival names Sam alone.
    room.state({ ...meeting(), round: 1, waiting: { eve } });
    room.state({ ...meeting(), waiting: { eve, sam } });
    await expect.poll(() => notices.announcement).toMatch(/^\u2068Sam\u2069 is waiting/);
    expect(notices.items.map((n) => n.text)).toEqual([
      "\u2068Eve\u2069 is waiting to be let in.",
      "\u2068Sam\u2069 is waiting to be let in.",
    ]);
  });

  it("announces nobody to a member who is not the facilitator", async () => {
    const { conn, room } = await joined("ben");
    room.state({ ...meeting(), waiting: {} });
    room.emit("welcome", { memberId: "ben" });
    const notices = new Notices(60_000);
    await render(AnnounceHarness, { conn, notices });
    room.state({ ...meeting(), waiting: { eve } });
    // Every effect the new state starts has run once Svelte's pending work is flushed.
    await tick();
    expect(notices.items).toEqual([]);
  });
});
