import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import ConnectionBanner from "../../client/components/ConnectionBanner.svelte";
import NoticeArea from "../../client/components/NoticeArea.svelte";
import { Notices } from "../../client/lib/notices.svelte.ts";

describe("what the page tells people", () => {
  it("shows a server refusal briefly in an alert region, and lets it be dismissed", async () => {
    const notices = new Notices(300);
    const screen = await render(NoticeArea, { notices });
    notices.show("Only the facilitator can do that.");
    const alert = screen.getByRole("alert");
    await expect.element(alert).toHaveTextContent("Only the facilitator can do that.");
    await screen.getByRole("button", { name: "Dismiss message" }).click();
    await expect.element(alert).not.toHaveTextContent("Only the facilitator");
    notices.show("Your hand is already up.");
    await expect.element(alert).toHaveTextContent("Your hand is already up.");
    await expect.poll(() => alert.element().textContent?.trim()).toBe("");
  });

  it("announces politely, and the same words twice are read twice", async () => {
    const notices = new Notices();
    notices.announce("You have the floor.");
    const first = notices.announcement;
    notices.announce("You have the floor.");
    expect(notices.announcement).not.toBe(first);
    expect(notices.announcement.trim()).toBe("You have the floor.");
  });

  it("shows reconnecting, and a Rejoin button once the room is lost", async () => {
    let rejoined = 0;
    const screen = await render(ConnectionBanner, {
      status: "reconnecting",
      problem: "",
      onRejoin: () => rejoined++,
    });
    await expect
      .element(screen.getByRole("status"))
      .toHaveTextContent("Reconnecting… Your seat is kept.");
    await expect.element(screen.getByRole("button", { name: "Rejoin" })).not.toBeInTheDocument();
    await screen.rerender({ status: "lost", problem: "The connection to the meeting was lost." });
    await expect
      .element(screen.getByRole("status"))
      .toHaveTextContent("The connection to the meeting was lost.");
    await screen.getByRole("button", { name: "Rejoin" }).click();
    expect(rejoined).toBe(1);
    await screen.rerender({
      status: "removed",
      problem: "The facilitator removed you from this meeting.",
    });
    await expect.element(screen.getByRole("button", { name: "Rejoin" })).not.toBeInTheDocument();
  });
});
