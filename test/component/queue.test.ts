import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import HandQueue from "../../client/components/HandQueue.svelte";
import { ordinal, queuePlace } from "../../client/lib/format.ts";
import { member, members } from "./fixtures.ts";

describe("your place in the hand queue", () => {
  it("says you're 2nd when one hand is ahead of yours", async () => {
    const screen = await render(HandQueue, {
      hands: ["chloe", "dev", "ben"],
      members,
      memberId: "dev",
    });
    await expect.element(screen.getByText("You're 2nd")).toBeVisible();
    await expect.element(screen.getByRole("heading", { name: "Hands up (3)" })).toBeVisible();
    const names = screen
      .getByRole("listitem")
      .elements()
      .map((li) => li.textContent?.trim());
    expect(names).toEqual([
      expect.stringContaining("Chloé"),
      expect.stringContaining("Dev (you)"),
      expect.stringContaining("Ben"),
    ]);
  });

  it("tells the head of the queue they are next", async () => {
    const screen = await render(HandQueue, { hands: ["dev", "ben"], members, memberId: "dev" });
    await expect.element(screen.getByText("You're 1st")).toBeVisible();
    await expect.element(screen.getByText(/you're next/)).toBeVisible();
  });

  it("says plainly when your hand is not up, and when nobody's is", async () => {
    const screen = await render(HandQueue, { hands: [], members, memberId: "dev" });
    await expect.element(screen.getByText("Your hand is not up.")).toBeVisible();
    await expect.element(screen.getByText("No hands up.")).toBeVisible();
  });

  it("follows the queue as it changes", async () => {
    const screen = await render(HandQueue, {
      hands: ["ana", "ben", "dev"],
      members,
      memberId: "dev",
    });
    await expect.element(screen.getByText("You're 3rd")).toBeVisible();
    await screen.rerender({ hands: ["ben", "dev"] });
    await expect.element(screen.getByText("You're 2nd")).toBeVisible();
  });

  it("shows share notes, and their language tag only to the facilitator", async () => {
    const noted = {
      ...members,
      dev: member("dev", "Dev", { shareNote: "You should just fire him", shareHint: "advice" }),
    };
    const facilitator = await render(HandQueue, {
      hands: ["dev"],
      members: noted,
      memberId: "ana",
      showHints: true,
    });
    await expect.element(facilitator.getByText("“You should just fire him”")).toBeVisible();
    await expect.element(facilitator.getByText("Advice?")).toBeVisible();
    await facilitator.unmount();
    const peer = await render(HandQueue, { hands: ["dev"], members: noted, memberId: "ben" });
    await expect.element(peer.getByText("“You should just fire him”")).toBeVisible();
    await expect.element(peer.getByText("Advice?")).not.toBeInTheDocument();
  });

  it("shows my own note that reads as advice to me alone, with why (the server sends it nobody)", async () => {
    const advice = "You should just give them the raise";
    const mine = await render(HandQueue, {
      hands: ["dev"],
      members,
      memberId: "dev",
      myNote: advice,
    });
    await expect.element(mine.getByText(`“${advice}”`)).toBeVisible();
    await expect.element(mine.getByText(/Only you see this note/)).toBeVisible();
    await mine.unmount();
    const presenter = await render(HandQueue, { hands: ["dev"], members, memberId: "ben" });
    await expect.element(presenter.getByText(`“${advice}”`)).not.toBeInTheDocument();
  });

  it("words places the English way", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "23rd",
      "101st",
    ]);
    expect(queuePlace(["a", "b"], "c")).toBe("");
  });
});

describe("who spoke already", () => {
  it("marks those who asked or shared before, who wait behind the others", async () => {
    const spoken = {
      ...members,
      ben: member("ben", "Ben", { askedThisRound: 1, sharedThisRound: true }),
    };
    const questions = await render(HandQueue, {
      hands: ["dev", "ben"],
      members: spoken,
      memberId: "dev",
      phase: "questions",
    });
    await expect.element(questions.getByText("asked before")).toBeVisible();
    await questions.unmount();
    const shares = await render(HandQueue, {
      hands: ["dev", "ben"],
      members: spoken,
      memberId: "dev",
      phase: "experiences",
    });
    await expect.element(shares.getByText("shared before")).toBeVisible();
  });
});
