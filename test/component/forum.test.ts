import { afterEach, describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import ChoosingStage from "../../client/components/ChoosingStage.svelte";
import ExtendTime from "../../client/components/ExtendTime.svelte";
import ForumParking from "../../client/components/ForumParking.svelte";
import GoAround from "../../client/components/GoAround.svelte";
import IssueCard from "../../client/components/IssueCard.svelte";
import IssueCardForm from "../../client/components/IssueCardForm.svelte";
import MyUpdate from "../../client/components/MyUpdate.svelte";
import ParkingLot from "../../client/components/ParkingLot.svelte";
import RoundStage from "../../client/components/RoundStage.svelte";
import SharePass from "../../client/components/SharePass.svelte";
import Stage from "../../client/components/Stage.svelte";
import TimekeeperPanel from "../../client/components/TimekeeperPanel.svelte";
import UpdatesStage from "../../client/components/UpdatesStage.svelte";
import TimeControls from "../../client/components/console/TimeControls.svelte";
import ShareStatus from "../../client/components/console/ShareStatus.svelte";
import { loadDraft } from "../../client/lib/issueDraft.ts";
import { extendTarget } from "../../client/lib/timekeeping.ts";
import type { SyncedState } from "../../shared/sync.ts";
import { connectedTo } from "./fake-room.ts";
import { meeting, member, members } from "./fixtures.ts";

const order = ["ana", "ben", "chloe", "dev"];
const topic = (id: string, authorId: string, text: string, voters: string[] = []) => ({
  id,
  authorId,
  text,
  votes: voters.length,
  voters,
});

function updates(extra: Partial<SyncedState> = {}): SyncedState {
  return meeting({
    phase: "updates",
    format: "forum",
    turnOrder: order,
    turnId: "chloe",
    turnEndsAt: Date.now() + 240_000,
    members: {
      ana: member("ana", "Ana", {
        turnStatus: "done",
        ratings: { work: 7, family: 8, personal: 0 },
      }),
      ben: member("ben", "Ben", { turnStatus: "passed" }),
      chloe: member("chloe", "Chloé"),
      dev: member("dev", "Dev"),
    },
    ...extra,
  });
}

describe("the updates go-around", () => {
  it("shows the order, who is done, passed, speaking and waiting, and ratings beside names", async () => {
    const screen = await render(GoAround, {
      meeting: updates(),
      memberId: "dev",
      now: Date.now(),
      canSkip: false,
      onSkip: () => {},
    });
    await expect
      .element(screen.getByRole("heading", { name: "Chloé gives an update" }))
      .toBeVisible();
    await expect.element(screen.getByRole("timer", { name: /Update: 4 min/ })).toBeVisible();
    const rows = screen
      .getByRole("listitem")
      .elements()
      .map((li) => li.textContent?.replace(/\s+/g, " ").trim());
    expect(rows).toEqual([
      "Ana Done Work 7 · Family 8",
      "Ben Passed",
      "Chloé Giving an update",
      "Dev (you) Waiting",
    ]);
    expect(screen.getByRole("listitem").nth(2).element().getAttribute("aria-current")).toBe("step");
    await expect.element(screen.getByRole("button", { name: /Skip/ })).not.toBeInTheDocument();
  });

  it("lets the facilitator skip the speaker", async () => {
    let skipped = 0;
    const screen = await render(GoAround, {
      meeting: updates(),
      memberId: "ana",
      now: Date.now(),
      canSkip: true,
      onSkip: () => skipped++,
    });
    await screen.getByRole("button", { name: "Skip Chloé" }).click();
    expect(skipped).toBe(1);
  });

  it("runs into overtime without cutting anyone off", async () => {
    const screen = await render(GoAround, {
      meeting: updates({ turnEndsAt: Date.now() - 65_000, turnOvertime: true }),
      memberId: "dev",
      now: Date.now(),
      canSkip: false,
      onSkip: () => {},
    });
    await expect
      .element(screen.getByRole("timer", { name: /Update: over time by 1 min/ }))
      .toBeVisible();
  });

  it("says when everyone has had their turn", async () => {
    const screen = await render(GoAround, {
      meeting: updates({ turnId: "", turnEndsAt: 0 }),
      memberId: "dev",
      now: Date.now(),
      canSkip: true,
      onSkip: () => {},
    });
    await expect
      .element(screen.getByRole("heading", { name: "Everyone has had their turn" }))
      .toBeVisible();
    await expect.element(screen.getByRole("timer")).not.toBeInTheDocument();
  });

  it("gives the member whose turn it is Done, Pass and optional ratings", async () => {
    const sent: unknown[] = [];
    const screen = await render(MyUpdate, {
      canDone: true,
      canPass: true,
      canRate: true,
      given: { work: 0, family: 0, personal: 0 },
      onDone: () => sent.push("done"),
      onPass: () => sent.push("pass"),
      onRate: (r: unknown) => sent.push(r),
    });
    const share = screen.getByRole("button", { name: "Share ratings" });
    await expect.element(share).toBeDisabled();
    await screen.getByRole("combobox", { name: "Work" }).selectOptions("7");
    await screen.getByRole("combobox", { name: "Personal" }).selectOptions("4");
    await share.click();
    await screen.getByRole("button", { name: "Done with my update" }).click();
    await screen.getByRole("button", { name: "Pass", exact: true }).click();
    expect(sent).toEqual([{ work: 7, personal: 4 }, "done", "pass"]);
  });

  it("says why Done is refused, and offers nothing that would be", async () => {
    const screen = await render(MyUpdate, {
      canDone: false,
      canPass: false,
      canRate: false,
      why: "It is not your turn.",
      given: { work: 6, family: 0, personal: 0 },
      onDone: () => {},
      onPass: () => {},
      onRate: () => {},
    });
    await expect
      .element(screen.getByRole("button", { name: "Done with my update" }))
      .toBeDisabled();
    await expect.element(screen.getByRole("button", { name: "Pass" })).toBeDisabled();
    await expect.element(screen.getByText("It is not your turn.")).toBeVisible();
    await expect
      .element(screen.getByRole("combobox", { name: "Work" }))
      .toHaveTextContent("6 (given)");
  });
});

describe("the parking lot", () => {
  const topics = [
    topic("p1", "ben", "Hiring my first manager", ["ana"]),
    topic("p2", "dev", "A co-founder conflict", ["ben", "chloe", "dev"]),
  ];
  const handlers = () => {
    const sent: [string, string][] = [];
    return {
      sent,
      onAdd: (text: string) => sent.push(["add", text]),
      onVote: (id: string) => sent.push(["vote", id]),
      onRemove: (id: string) => sent.push(["remove", id]),
    };
  };

  it("adds a topic, shows votes with my own vote pressed, and removes mine", async () => {
    const h = handlers();
    const screen = await render(ParkingLot, {
      topics,
      members,
      memberId: "dev",
      canAdd: true,
      canVote: () => true,
      canRemove: (id: string) => id === "p2",
      ...h,
    });
    await expect.element(screen.getByRole("heading", { name: /Parking lot/ })).toBeVisible();
    const items = screen.getByRole("listitem");
    await expect.element(items.nth(0)).toHaveTextContent(/Hiring my first manager.*by Ben/);
    await expect.element(items.nth(1)).toHaveTextContent(/A co-founder conflict.*by you/);

    const [first, second] = screen.getByRole("button", { name: /^Vote/ }).elements();
    expect(first?.getAttribute("aria-pressed")).toBe("false");
    expect(second?.getAttribute("aria-pressed")).toBe("true");
    expect(second?.textContent?.replace(/\s+/g, " ").trim()).toBe("Vote 3");
    await expect
      .element(screen.getByRole("button", { name: "Vote 1", pressed: false }))
      .toHaveAccessibleDescription("Hiring my first manager");

    // Only my own topic (or, for the facilitator, any) can be removed.
    expect(screen.getByRole("button", { name: "Remove" }).elements()).toHaveLength(1);
    await screen.getByRole("button", { name: "Remove" }).click();

    const field = screen.getByRole("textbox", { name: "Topic" });
    const add = screen.getByRole("button", { name: "Add to parking lot" });
    await expect.element(add).toBeDisabled();
    await field.fill("  Saying no to a big client  ");
    await add.click();
    await expect.element(field).toHaveValue("");
    await screen.getByRole("button", { name: "Vote 1" }).click();
    expect(h.sent).toEqual([
      ["remove", "p2"],
      ["add", "Saying no to a big client"],
      ["vote", "p1"],
    ]);
  });

  it("puts the most votes first while a presenter is chosen, and marks the round's topic", async () => {
    const screen = await render(ParkingLot, {
      topics,
      members,
      memberId: "ana",
      byVotes: true,
      takenId: "p2",
      canAdd: true,
      canVote: () => true,
      canRemove: () => true,
      ...handlers(),
    });
    await expect
      .element(screen.getByRole("listitem").nth(0))
      .toHaveTextContent(/A co-founder conflict.*taken this round/);
  });

  it("says why a topic cannot be added", async () => {
    const screen = await render(ParkingLot, {
      topics: [],
      members,
      memberId: "dev",
      canAdd: false,
      whyAdd: "The parking lot is part of the forum format.",
      canVote: () => false,
      canRemove: () => false,
      ...handlers(),
    });
    await expect.element(screen.getByText("No topic yet.")).toBeVisible();
    const field = screen.getByRole("textbox", { name: "Topic" });
    await expect.element(field).toBeDisabled();
    await expect
      .element(field)
      .toHaveAccessibleDescription("The parking lot is part of the forum format.");
  });
});

describe("choosing a presenter with a topic", () => {
  const choosing = meeting({
    phase: "choosing",
    format: "forum",
    nextPresenters: ["chloe", "ben"],
    presented: ["chloe"],
    round: 1,
    parking: [
      topic("p1", "ben", "Hiring my first manager", ["ana"]),
      topic("p2", "dev", "A co-founder conflict", ["ben", "chloe"]),
    ],
  });

  it("shows the planned presenter who has not presented yet as suggested", async () => {
    const { conn } = await connectedTo(choosing, "dev");
    const screen = await render(ChoosingStage, { conn });
    await expect.element(screen.getByText("Suggested:")).toHaveTextContent("Suggested: Ben");
    await expect.element(screen.getByRole("heading", { name: /Parking lot/ })).toBeVisible();
  });

  it("suggests nobody when the planned presenters are away or have presented", async () => {
    const away = { ...members, ben: member("ben", "Ben", { connected: false }) };
    const { conn } = await connectedTo({ ...choosing, members: away }, "dev");
    const screen = await render(ChoosingStage, { conn });
    await expect.element(screen.getByText(/Suggested/)).not.toBeInTheDocument();
  });

  it("sends the chosen topic with the presenter", async () => {
    const { conn, room } = await connectedTo(choosing, "ana");
    const screen = await render(ChoosingStage, { conn });
    const select = screen.getByRole("combobox", { name: /Their topic/ });
    // Most votes first.
    expect(
      [...(select.element() as HTMLSelectElement).options].map((o) => o.textContent?.trim()),
    ).toEqual([
      "No topic from the parking lot",
      "A co-founder conflict (2 votes)",
      "Hiring my first manager (1 vote)",
    ]);
    await select.selectOptions("A co-founder conflict (2 votes)");
    await screen.getByRole("button", { name: "Choose Dev to present" }).click();
    expect(room.sent).toEqual([["presenter.choose", { memberId: "dev", topicId: "p2" }]]);
  });

  it("shows no parking lot at a roundtable table", async () => {
    const { conn } = await connectedTo({ ...choosing, format: "roundtable", parking: [] }, "dev");
    const screen = await render(ChoosingStage, { conn });
    await expect
      .element(screen.getByRole("heading", { name: /Parking lot/ }))
      .not.toBeInTheDocument();
  });
});

describe("the issue card", () => {
  afterEach(() => localStorage.clear());

  it("is prepared in this browser only, and shared only when presenting", async () => {
    const shared: unknown[] = [];
    const before = await render(IssueCardForm, {
      tableId: "t1",
      canShare: false,
      onShare: (card: unknown) => shared.push(card),
    });
    await before
      .getByRole("textbox", { name: "Issue", exact: true })
      .fill("Hiring my first manager");
    await before.getByRole("textbox", { name: /Why it matters/ }).fill("The team doubled.");
    await before.getByRole("radio", { name: "Experience shares" }).click();
    await expect
      .element(before.getByText("You share it with the group when you present."))
      .toBeVisible();
    await expect
      .element(before.getByRole("button", { name: "Share issue card" }))
      .not.toBeInTheDocument();
    await expect
      .poll(() => loadDraft("t1"))
      .toEqual({
        title: "Hiring my first manager",
        why: "The team doubled.",
        tried: "",
        ask: "experiences",
      });
    // Another table keeps its own.
    expect(loadDraft("t2").title).toBe("");
    before.unmount();

    const presenting = await render(IssueCardForm, {
      tableId: "t1",
      canShare: true,
      onShare: (card: unknown) => shared.push(card),
    });
    await expect
      .element(presenting.getByRole("textbox", { name: "Issue", exact: true }))
      .toHaveValue("Hiring my first manager");
    await presenting
      .getByRole("textbox", { name: /What I tried/ })
      .fill("  Promoting from within ");
    await presenting.getByRole("button", { name: "Share issue card" }).click();
    expect(shared).toEqual([
      {
        title: "Hiring my first manager",
        why: "The team doubled.",
        tried: "Promoting from within",
        ask: "experiences",
      },
    ]);
  });

  it("cannot be shared without an issue", async () => {
    const screen = await render(IssueCardForm, {
      tableId: "t3",
      canShare: true,
      onShare: () => {},
    });
    await expect.element(screen.getByRole("button", { name: "Share issue card" })).toBeDisabled();
  });

  it("shows everyone the presenter's card", async () => {
    const screen = await render(IssueCard, {
      issue: {
        title: "Hiring my first manager",
        why: "The team doubled.",
        tried: "",
        ask: "both",
      },
      presenter: "Ben",
      mine: false,
    });
    const card = screen.getByRole("region", { name: "Ben's issue card" });
    await expect.element(card).toHaveTextContent("Hiring my first manager");
    await expect.element(card).toHaveTextContent("Why it matters");
    await expect.element(card).not.toHaveTextContent("What I tried");
    await expect.element(card).toHaveTextContent("Wants probing questions and experience shares");
  });
});

describe("passing in experience shares", () => {
  it("offers Pass to someone who has not shared, then says they passed", async () => {
    let passed = 0;
    const screen = await render(SharePass, {
      passed: false,
      shared: false,
      canPass: true,
      onPass: () => passed++,
    });
    await screen.getByRole("button", { name: "Pass" }).click();
    expect(passed).toBe(1);
    await screen.rerender({ passed: true, canPass: false });
    await expect.element(screen.getByText("You passed this round.")).toBeVisible();
    await expect.element(screen.getByRole("button", { name: "Pass" })).not.toBeInTheDocument();
  });

  it("offers no Pass after sharing, or where the machine would refuse it", async () => {
    const screen = await render(SharePass, {
      passed: false,
      shared: true,
      canPass: true,
      onPass: () => {},
    });
    await expect.element(screen.getByRole("button", { name: "Pass" })).not.toBeInTheDocument();
    await screen.rerender({ shared: false, canPass: false });
    await expect.element(screen.getByRole("button", { name: "Pass" })).not.toBeInTheDocument();
  });

  it("shows the facilitator who has shared, passed or not yet", async () => {
    const state = meeting({
      phase: "experiences",
      presenterId: "ben",
      members: {
        ...members,
        ana: member("ana", "Ana", { passedThisRound: true }),
        chloe: member("chloe", "Chloé", { sharedThisRound: true }),
        dev: member("dev", "Dev", { passedThisRound: true, connected: false }),
      },
    });
    const screen = await render(ShareStatus, { meeting: state });
    const rows = screen.container.querySelectorAll("dt");
    const text = [...rows].map(
      (dt) => `${dt.textContent?.trim()}: ${dt.nextElementSibling?.textContent?.trim()}`,
    );
    expect(text.map((t) => t.replace(/\s+/g, " "))).toEqual([
      "Shared 1: Chloé",
      "Passed 2: Ana and Dev (away)",
      "Not yet 0: nobody",
    ]);
  });
});

describe("time the group controls", () => {
  it("adds a minute to the speaker's turn, else to the phase, and says which", () => {
    const at = Date.now();
    expect(extendTarget(meeting({ phase: "experiences", floorId: "dev", turnEndsAt: at }))).toEqual(
      { endsAt: at, label: "Dev's turn", what: "Dev's turn" },
    );
    expect(extendTarget(updates({ turnEndsAt: at }))?.what).toBe("Chloé's update");
    expect(extendTarget(meeting({ phase: "presenting", phaseEndsAt: at }))?.what).toBe("the phase");
    expect(extendTarget(meeting({ phase: "choosing" }))).toBeUndefined();
  });

  it("offers +1 min, saying what it lengthens", async () => {
    let extended = 0;
    // `target` is also a mount option: the props go in their own object.
    const screen = await render(ExtendTime, {
      props: {
        id: "t",
        target: { endsAt: Date.now(), label: "Dev's turn", what: "Dev's turn" },
        canExtend: true,
        onExtend: () => extended++,
      },
    });
    const button = screen.getByRole("button", { name: "+1 min" });
    await expect.element(button).toHaveAccessibleDescription("Adds a minute to Dev's turn");
    await button.click();
    expect(extended).toBe(1);
    await screen.rerender({ target: undefined });
    await expect.element(button).not.toBeInTheDocument();
  });
});

describe("with the meeting's own rules", () => {
  afterEach(() => localStorage.clear());

  it("lets the member whose turn it is finish, pass or rate, and nobody else", async () => {
    const { conn, room } = await connectedTo(updates(), "chloe");
    const screen = await render(UpdatesStage, { conn, now: Date.now() });
    await expect.element(screen.getByRole("heading", { name: "Your update" })).toBeVisible();
    await screen.getByRole("combobox", { name: "Family" }).selectOptions("6");
    await screen.getByRole("button", { name: "Share ratings" }).click();
    await screen.getByRole("button", { name: "Done with my update" }).click();
    await screen.getByRole("button", { name: "Pass", exact: true }).click();
    expect(room.sent).toEqual([
      ["update.rate", { family: 6 }],
      ["turn.done", {}],
      ["turn.pass", {}],
    ]);

    screen.unmount();
    const other = await connectedTo(updates(), "dev");
    const theirs = await render(UpdatesStage, { conn: other.conn, now: Date.now() });
    await expect
      .element(theirs.getByRole("heading", { name: "Chloé gives an update" }))
      .toBeVisible();
    expect(theirs.getByRole("button", { name: "Done with my update" }).elements()).toHaveLength(0);
    expect(theirs.getByRole("button", { name: "Skip Chloé" }).elements()).toHaveLength(0);
  });

  it("lets the facilitator skip, and anyone add to the parking lot", async () => {
    const { conn, room } = await connectedTo(updates(), "ana");
    const screen = await render(UpdatesStage, { conn, now: Date.now() });
    await screen.getByRole("button", { name: "Skip Chloé" }).click();
    await screen.getByRole("textbox", { name: "Topic" }).fill("A co-founder conflict");
    await screen.getByRole("button", { name: "Add to parking lot" }).click();
    expect(room.sent).toEqual([
      ["turn.next", {}],
      ["parking.add", { text: "A co-founder conflict" }],
    ]);
  });

  it("shows the machine's refusal where the parking lot is not offered", async () => {
    const roundtable = meeting({ phase: "choosing" });
    const { conn } = await connectedTo(roundtable, "dev");
    const screen = await render(ForumParking, { conn });
    const field = screen.getByRole("textbox", { name: "Topic" });
    await expect.element(field).toBeDisabled();
    await expect
      .element(field)
      .toHaveAccessibleDescription("The parking lot is part of the forum format.");
  });

  it("gives the timekeeper large timers and +1 min; the console assigns one", async () => {
    const kept = updates({ timekeeperId: "dev", turnId: "chloe" });
    const keeper = await connectedTo(kept, "dev");
    const panel = await render(TimekeeperPanel, { conn: keeper.conn, now: Date.now() });
    await expect
      .element(panel.getByRole("timer", { name: /^Chloé's update: 4 min/ }))
      .toBeVisible();
    await panel.getByRole("button", { name: "+1 min" }).click();
    expect(keeper.room.sent).toEqual([["timer.extend", { seconds: 60 }]]);

    panel.unmount();
    const facilitator = await connectedTo(updates(), "ana");
    const controls = await render(TimeControls, { conn: facilitator.conn, now: Date.now() });
    await expect.element(controls.getByText("No timekeeper.")).toBeVisible();
    await controls.getByRole("combobox", { name: "Timekeeper" }).selectOptions("Dev");
    await controls.getByRole("button", { name: "Assign timekeeper" }).click();
    await controls.getByRole("button", { name: "+1 min" }).click();
    expect(facilitator.room.sent).toEqual([
      ["timekeeper.assign", { memberId: "dev" }],
      ["timer.extend", { seconds: 60 }],
    ]);
    facilitator.room.state(updates({ timekeeperId: "dev" }));
    await expect.element(controls.getByText("Timekeeper: Dev")).toBeVisible();
    await controls.getByRole("button", { name: "Clear timekeeper" }).click();
    expect(facilitator.room.sent.at(-1)).toEqual(["timekeeper.assign", { memberId: "" }]);
  });

  it("offers Pass in experience shares to members, not to the presenter", async () => {
    const shares = meeting({ phase: "experiences", presenterId: "ben", round: 1 });
    const { conn, room } = await connectedTo(shares, "dev");
    const screen = await render(RoundStage, { conn, now: Date.now() });
    await screen.getByRole("button", { name: "Pass", exact: true }).click();
    expect(room.sent).toEqual([["share.pass", {}]]);

    screen.unmount();
    const presenter = await connectedTo(shares, "ben");
    const theirs = await render(RoundStage, { conn: presenter.conn, now: Date.now() });
    await expect.element(theirs.getByText(/You listen in your own round/)).toBeVisible();
    expect(theirs.getByRole("button", { name: "Pass", exact: true }).elements()).toHaveLength(0);
  });

  it("has the presenter share the card prepared earlier, and shows it to everyone", async () => {
    localStorage.setItem(
      "roundtable:issue:t1",
      JSON.stringify({ title: "Hiring my first manager", why: "", tried: "", ask: "questions" }),
    );
    const presenting = meeting({
      phase: "presenting",
      format: "forum",
      presenterId: "ben",
      round: 1,
      topicId: "p1",
      parking: [topic("p1", "ben", "Hiring my first manager")],
    });
    const { conn, room } = await connectedTo(presenting, "ben");
    const screen = await render(Stage, { conn, now: Date.now() });
    await expect
      .element(screen.getByText("Round 1 · you present: Hiring my first manager"))
      .toBeVisible();
    await screen.getByRole("button", { name: "Share issue card" }).click();
    expect(room.sent).toEqual([
      ["issue.set", { title: "Hiring my first manager", why: "", tried: "", ask: "questions" }],
    ]);

    const shared = {
      ...presenting,
      issue: { title: "Hiring my first manager", why: "", tried: "", ask: "questions" as const },
    };
    screen.unmount();
    const member = await connectedTo(shared, "dev");
    const theirs = await render(Stage, { conn: member.conn, now: Date.now() });
    await expect
      .element(theirs.getByRole("region", { name: "Ben's issue card" }))
      .toHaveTextContent("Wants probing questions");
    expect(theirs.getByRole("button", { name: "Share issue card" }).elements()).toHaveLength(0);
  });

  it("stays at hand, folded, for a presenter who did not share it by the questions", async () => {
    const questions = meeting({ phase: "questions", presenterId: "ben", round: 1 });
    const { conn, room } = await connectedTo(questions, "ben");
    const screen = await render(Stage, { conn, now: Date.now() });
    const folded = screen.getByText("Share your issue card");
    await expect.element(folded).toBeVisible();
    // Folded: the floor and the queue come first, no form is open.
    expect(screen.getByRole("region", { name: "Your issue card" }).elements()).toHaveLength(0);
    await folded.click();
    await screen.getByRole("textbox", { name: "Issue", exact: true }).fill("Hiring a manager");
    await screen.getByRole("button", { name: "Share issue card" }).click();
    expect(room.sent).toEqual([
      ["issue.set", { title: "Hiring a manager", why: "", tried: "", ask: "both" }],
    ]);
  });
});
