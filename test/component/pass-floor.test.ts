import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import FacilitatorConsole from "../../client/components/console/FacilitatorConsole.svelte";
import { connectedTo } from "./fake-room.ts";
import { meeting, member, members } from "./fixtures.ts";

/** Probing questions in Ben's round: Chloé holds the floor, Dev's hand is up. */
const chloeSpeaks = meeting({
  phase: "questions",
  presenterId: "ben",
  round: 1,
  floorId: "chloe",
  floorSince: Date.now() - 30_000,
  turnEndsAt: Date.now() + 90_000,
  hands: ["dev"],
  questions: [
    { id: "q1", askerId: "chloe", text: "What have you tried?", status: "asking", hint: "open" },
    { id: "q2", askerId: "dev", text: "What would change?", status: "queued", hint: "open" },
  ],
});

async function console_(state = chloeSpeaks) {
  const { conn, room } = await connectedTo(state, "ana");
  const screen = await render(FacilitatorConsole, { conn, now: Date.now(), onNotice: () => {} });
  return { conn, room, screen, pass: screen.getByRole("button", { name: "Pass the floor on" }) };
}

describe("passing the floor on from the console", () => {
  it("passes from the holder to the next hand, naming the holder", async () => {
    const { room, screen, pass } = await console_();
    await expect.element(pass).toHaveAccessibleDescription("To Dev: Chloé's turn ends");
    await pass.click();
    expect(room.sent).toEqual([["floor.give", { memberId: "dev", holder: "chloe" }]]);
    // The pass lands: Dev speaks, nobody else waits, nothing left to pass on.
    room.state({ ...chloeSpeaks, floorId: "dev", hands: [] });
    await expect.element(screen.getByText("Pass the floor on")).not.toBeInTheDocument();
  });

  it("sends one pass for a double click, and waits until the floor moves", async () => {
    const { room, pass } = await console_();
    await pass.dblClick();
    await expect.element(pass).toBeDisabled();
    await expect.element(pass).toHaveAccessibleDescription("Passing…");
    expect(room.sent).toEqual([["floor.give", { memberId: "dev", holder: "chloe" }]]);
  });

  it("offers the next pass once the floor has moved, never the same one twice", async () => {
    const three = { ...chloeSpeaks, hands: ["dev", "ana"] };
    const { room, pass } = await console_(three);
    await pass.click();
    room.state({ ...three, floorId: "dev", hands: ["ana"] });
    await expect.element(pass).toBeEnabled();
    await expect.element(pass).toHaveAccessibleDescription("To Ana: Dev's turn ends");
    await pass.click();
    expect(room.sent).toEqual([
      ["floor.give", { memberId: "dev", holder: "chloe" }],
      ["floor.give", { memberId: "ana", holder: "dev" }],
    ]);
  });

  it("is ready again when the queue changes under a pass the server did not take", async () => {
    const three = { ...chloeSpeaks, hands: ["dev", "ana"] };
    const { room, pass } = await console_(three);
    await pass.click();
    await expect.element(pass).toBeDisabled();
    // Dev lowered his hand first: the pass to him is refused, and the queue now starts with Ana.
    room.state({ ...three, hands: ["ana"] });
    await expect.element(pass).toBeEnabled();
    await expect.element(pass).toHaveAccessibleDescription("To Ana: Chloé's turn ends");
  });

  it("skips a hand whose owner is away, as the server does", async () => {
    const { room, pass } = await console_({
      ...chloeSpeaks,
      members: { ...members, dev: member("dev", "Dev", { connected: false, awaySince: 1 }) },
      hands: ["dev", "ana"],
    });
    await expect.element(pass).toHaveAccessibleDescription("To Ana: Chloé's turn ends");
    await pass.click();
    expect(room.sent).toEqual([["floor.give", { memberId: "ana", holder: "chloe" }]]);
  });

  it("is not offered while nobody holds the floor, or nobody else waits", async () => {
    const free = await console_({ ...chloeSpeaks, floorId: "", hands: ["dev"] });
    await expect.element(free.screen.getByText("Give the floor to Dev")).toBeVisible();
    expect(free.screen.getByRole("button", { name: "Pass the floor on" }).elements()).toEqual([]);
    await free.screen.unmount();
    const alone = await console_({ ...chloeSpeaks, hands: [] });
    await expect.element(alone.screen.getByText("Chloé has the floor")).toBeVisible();
    expect(alone.screen.getByRole("button", { name: "Pass the floor on" }).elements()).toEqual([]);
  });

  it("says whose turn moving on cuts short with their name as written", async () => {
    const { screen } = await console_();
    await expect
      .element(screen.getByRole("button", { name: "Next phase" }))
      .toHaveAccessibleDescription(
        "To experience shares: Chloé's turn is cut short, 1 question still waiting, 1 hand still up",
      );
  });
});

describe("the console's next step", () => {
  it("sends one give for a double click on Give the floor, and is ready again once the meeting answers", async () => {
    const free = { ...chloeSpeaks, floorId: "", hands: ["dev", "ana"] };
    const { room, screen } = await console_(free);
    const give = screen.getByRole("button", { name: "Give the floor", exact: true });
    await expect.element(give).toHaveTextContent("Give the floor to Dev");
    await give.dblClick();
    await expect.element(give).toBeDisabled();
    expect(room.sent).toEqual([["floor.give", {}]]);
    // The meeting answers: Dev speaks; the next step is his turn, passing on is offered.
    room.state({ ...free, floorId: "dev", hands: ["ana"] });
    await expect.element(screen.getByText("Dev has the floor")).toBeVisible();
    await expect.element(screen.getByRole("button", { name: "Pass the floor on" })).toBeEnabled();
  });
});
