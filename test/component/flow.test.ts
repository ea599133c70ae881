import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import Members from "../../client/components/Members.svelte";
import FacilitatorConsole from "../../client/components/console/FacilitatorConsole.svelte";
import { connectedTo } from "./fake-room.ts";
import { meeting, member, members } from "./fixtures.ts";

describe("airtime in the console", () => {
  it("waits until someone has been heard: no row of 'not heard yet' before the first round", async () => {
    const { conn } = await connectedTo(meeting({ phase: "followUp" }), "ana");
    const screen = await render(FacilitatorConsole, { conn, now: Date.now(), onNotice: () => {} });
    await expect.element(screen.getByRole("heading", { name: "Facilitator" })).toBeVisible();
    await expect.element(screen.getByRole("region", { name: "Airtime" })).not.toBeInTheDocument();
    await screen.unmount();

    const round = await connectedTo(
      meeting({ phase: "presenting", presenterId: "ben", round: 1 }),
      "ana",
    );
    const during = await render(FacilitatorConsole, {
      conn: round.conn,
      now: Date.now(),
      onNotice: () => {},
    });
    await expect.element(during.getByRole("region", { name: "Airtime" })).toBeVisible();
  });
});

describe("who left, and when", () => {
  it("says how long ago a member left, as it says how long one has been away", async () => {
    const now = Date.now();
    const screen = await render(Members, {
      meeting: meeting({
        members: {
          ...members,
          ben: member("ben", "Ben", { connected: false, left: true, awaySince: now - 66_000 }),
          dev: member("dev", "Dev", { connected: false, awaySince: now - 12_000 }),
        },
      }),
      memberId: "ana",
      now,
    });
    await expect.element(screen.getByText("Left the meeting 1 min 6 s ago")).toBeVisible();
    await expect.element(screen.getByText("Away for 12 s")).toBeVisible();
  });
});
