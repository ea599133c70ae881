import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import Meeting from "../../client/components/Meeting.svelte";
import Recap from "../../client/components/Recap.svelte";
import Airtime from "../../client/components/console/Airtime.svelte";
import { Notices } from "../../client/lib/notices.svelte.ts";
import type { SyncedState } from "../../shared/sync.ts";
import { connectedTo } from "./fake-room.ts";
import { meeting, member, members } from "./fixtures.ts";

type Commitments = SyncedState["commitments"];
const earlier: Commitments = [
  {
    id: "e1",
    ownerId: "ben",
    ownerName: "Ben",
    text: "Write the leveling chart draft",
    status: "done",
    note: "Shared it with the team",
    review: true,
    round: 0,
  },
  {
    id: "e2",
    ownerId: "dev",
    ownerName: "Dev",
    text: "Ask for a budget",
    status: "open",
    note: "",
    review: true,
    round: 0,
  },
];
const today: Commitments = [
  {
    id: "c1",
    ownerId: "chloe",
    ownerName: "Chloé",
    text: "Talk to HR about bands",
    status: "open",
    note: "",
    review: false,
    round: 1,
  },
];

const pulse = (status: "idle" | "open" | "revealed") => ({
  status,
  answered: 3,
  threshold: 3,
  counts: [],
  mean: 4,
  seq: 1,
  withheldBecause: "" as const,
});

describe("the recap of an ended meeting", () => {
  it("lists today's commitments and the follow-up answers, after the state let them go", async () => {
    const { conn, room } = await connectedTo(
      meeting({ phase: "followUp", commitments: earlier }),
      "chloe",
    );
    // Follow-up ends: the state drops the reviewed commitments; a round adds one.
    room.state(
      meeting({ phase: "commitment", round: 1, presenterId: "chloe", commitments: today }),
    );
    room.state(meeting({ phase: "ended", round: 1, commitments: today, pulse: pulse("revealed") }));
    const screen = await render(Recap, { conn });

    const made = screen.getByRole("region", { name: "Commitments made today" });
    await expect.element(made).toHaveTextContent("Chloé: Talk to HR about bands");
    await expect.element(made).not.toHaveTextContent("None yet");
    const followUp = screen.getByRole("region", { name: "Follow-up on earlier commitments" });
    const items = followUp.getByRole("listitem");
    await expect
      .element(items.nth(0))
      .toHaveTextContent(/Ben: Write the leveling chart draft\s*Done\s*“Shared it with the team”/);
    await expect.element(items.nth(1)).toHaveTextContent(/Dev: Ask for a budget\s*Not reported/);
  });

  it("says plainly when no commitment was made", async () => {
    const { conn } = await connectedTo(
      meeting({ phase: "ended", pulse: pulse("revealed") }),
      "ana",
    );
    const screen = await render(Recap, { conn });
    await expect
      .element(screen.getByRole("region", { name: "Commitments made today" }))
      .toHaveTextContent("No commitments were made in this meeting.");
    await expect
      .element(screen.getByRole("region", { name: "Follow-up on earlier commitments" }))
      .not.toBeInTheDocument();
  });
});

describe("airtime", () => {
  it("counts the presenter as heard once they presented", async () => {
    const state = meeting({
      phase: "experiences",
      presenterId: "ben",
      presented: ["ben"],
      members: { ...members, dev: member("dev", "Dev", { airtimeMs: 65_000 }) },
    });
    const screen = await render(Airtime, { meeting: state, now: Date.now() });
    const row = (name: string) => screen.getByRole("listitem").filter({ hasText: name });
    await expect.element(row("Ben")).toHaveTextContent("presented");
    await expect.element(row("Ben")).not.toHaveTextContent("not heard yet");
    await expect.element(row("Chloé")).toHaveTextContent("not heard yet");
    await expect.element(row("Dev")).toHaveTextContent("1:05");
  });
});

describe("an open pulse", () => {
  it("comes before the stage, so a phone shows it above the whole recap", async () => {
    const { conn } = await connectedTo(meeting({ phase: "closing", pulse: pulse("open") }), "ben");
    const screen = await render(Meeting, { conn, notices: new Notices() });
    const scores = screen.getByRole("group", { name: "Trust pulse" });
    await expect.element(scores).toBeVisible();
    const recap = screen.getByRole("region", { name: "Recap" });
    await expect.element(recap).toBeVisible();
    const order = scores.element().compareDocumentPosition(recap.element());
    expect(order & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
