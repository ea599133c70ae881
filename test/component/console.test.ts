import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import ConnectionBanner from "../../client/components/ConnectionBanner.svelte";
import Meeting from "../../client/components/Meeting.svelte";
import FacilitatorConsole from "../../client/components/console/FacilitatorConsole.svelte";
import { Notices } from "../../client/lib/notices.svelte.ts";
import { connectedTo } from "./fake-room.ts";
import { meeting } from "./fixtures.ts";

const inExperiences = meeting({ phase: "experiences", presenterId: "ben", round: 1 });

describe("ending the meeting", () => {
  it("asks first: one click on End meeting sends nothing, Cancel keeps the meeting", async () => {
    const { conn, room } = await connectedTo(inExperiences, "ana");
    const screen = await render(FacilitatorConsole, { conn, now: Date.now(), onNotice: () => {} });
    await screen.getByRole("button", { name: "End meeting", exact: true }).click();
    expect(room.sent).toEqual([]);
    const dialog = screen.getByRole("dialog", { name: "End the meeting for everyone?" });
    await expect.element(dialog).toBeVisible();
    await expect
      .element(dialog)
      .toHaveTextContent(/What was said, the questions, and the check-in and closing words/);
    await expect
      .element(dialog)
      .toHaveTextContent(/Only the commitments, the follow-up answers and the pulse results/);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.element(dialog).not.toBeInTheDocument();
    expect(room.sent).toEqual([]);

    await screen.getByRole("button", { name: "End meeting", exact: true }).click();
    await screen.getByRole("button", { name: "End the meeting for everyone" }).click();
    expect(room.sent).toEqual([["meeting.end", {}]]);
  });

  it("keeps End meeting apart from the everyday buttons", async () => {
    const { conn } = await connectedTo(inExperiences, "ana");
    const screen = await render(FacilitatorConsole, { conn, now: Date.now(), onNotice: () => {} });
    const buttons = screen.getByRole("button").elements();
    // Last in the console, after the airtime and member controls.
    expect(buttons.at(-1)?.textContent?.trim()).toBe("End meeting");
    await expect.element(screen.getByRole("button", { name: "Copy invite link" })).toBeVisible();
  });

  it("asks first when End meeting is the next step too", async () => {
    const closing = meeting({
      phase: "closing",
      pulse: {
        status: "revealed",
        answered: 3,
        threshold: 3,
        counts: [],
        mean: 4,
        seq: 1,
        withheldBecause: "",
      },
    });
    const { conn, room } = await connectedTo(closing, "ana");
    const screen = await render(FacilitatorConsole, { conn, now: Date.now(), onNotice: () => {} });
    const end = screen.getByRole("button", { name: "End meeting", exact: true });
    expect(end.elements()).toHaveLength(1);
    await end.click();
    expect(room.sent).toEqual([]);
    await screen.getByRole("button", { name: "End the meeting for everyone" }).click();
    expect(room.sent).toEqual([["meeting.end", {}]]);
  });
});

describe("moving on early", () => {
  it("is a secondary button that says what it leaves behind", async () => {
    const { conn, room } = await connectedTo(
      meeting({ phase: "experiences", presenterId: "ben", round: 1, hands: ["chloe", "dev"] }),
      "ana",
    );
    const screen = await render(FacilitatorConsole, { conn, now: Date.now(), onNotice: () => {} });
    await expect
      .element(screen.getByRole("button", { name: "Give the floor", exact: true }))
      .toHaveTextContent("Give the floor to Chloé");
    const next = screen.getByRole("button", { name: "Next phase" });
    await expect.element(next).toHaveAccessibleDescription("To commitment: 2 hands still up");
    await expect.element(screen.getByText("To commitment: 2 hands still up")).toBeVisible();
    await next.click();
    expect(room.sent).toEqual([["phase.next", {}]]);
  });
});

describe("a page whose seat is gone", () => {
  it("says so, and stops showing a live console and presence", async () => {
    const { conn, room } = await connectedTo(inExperiences, "ana");
    const screen = await render(Meeting, { conn, notices: new Notices() });
    await expect
      .element(screen.getByRole("heading", { name: "Facilitator", exact: true }))
      .toBeVisible();
    await expect
      .element(screen.getByRole("heading", { name: /Who's here/ }))
      .toHaveTextContent("4 of 4");

    room.emit("drop", 1006);
    await expect.element(screen.getByText("Ana · facilitator")).toBeVisible();
    room.emit("leave", 4003, "No more retries. Reconnection failed.");

    await expect
      .element(screen.getByRole("heading", { name: "Facilitator", exact: true }))
      .not.toBeInTheDocument();
    await expect.element(screen.getByText("Ana · not connected")).toBeVisible();
    await expect
      .element(screen.getByRole("heading", { name: /Who was here/ }))
      .not.toHaveTextContent("4 of 4");
    expect(screen.container.querySelector(".layout")?.hasAttribute("inert")).toBe(true);
  });

  it("offers Rejoin under the words of a released seat", async () => {
    const { conn, room } = await connectedTo(inExperiences, "ana");
    room.emit("drop", 1006);
    room.emit("leave", 4003);
    let rejoined = 0;
    const screen = await render(ConnectionBanner, {
      status: conn.status,
      problem: conn.problem,
      onRejoin: () => rejoined++,
    });
    await expect
      .element(screen.getByRole("status"))
      .toHaveTextContent(
        "You were disconnected for too long: your seat was released. Rejoin to continue.",
      );
    await screen.getByRole("button", { name: "Rejoin" }).click();
    expect(rejoined).toBe(1);
  });
});
