import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import HandQueue from "../../client/components/HandQueue.svelte";
import RoundStage from "../../client/components/RoundStage.svelte";
import type { Question } from "../../shared/types.ts";
import { connectedTo } from "./fake-room.ts";
import { meeting, members } from "./fixtures.ts";

const questions: Question[] = [
  {
    id: "q1",
    askerId: "chloe",
    text: "What have you tried so far?",
    status: "asking",
    hint: "open",
  },
  {
    id: "q2",
    askerId: "dev",
    text: "What would a good outcome be?",
    status: "queued",
    hint: "open",
  },
  { id: "q3", askerId: "dev", text: "Who else decides?", status: "queued", hint: "open" },
];

/** Probing questions in Ben's round: Chloé asks, Dev waits with two questions, Ana to ask aloud. */
const asking = meeting({
  phase: "questions",
  presenterId: "ben",
  round: 1,
  floorId: "chloe",
  floorSince: Date.now(),
  turnEndsAt: Date.now() + 120_000,
  hands: ["dev", "ana"],
  questions,
});

describe("the presenter's view of the hand queue", () => {
  it("says what the queue is for, not that their hand is down", async () => {
    const screen = await render(HandQueue, {
      hands: ["dev"],
      members,
      memberId: "ben",
      presenterId: "ben",
      phase: "questions",
      questions,
    });
    await expect
      .element(screen.getByText(/You present: these hands wait to ask you their questions/))
      .toBeVisible();
    await expect.element(screen.getByText(/Your hand is not up/)).not.toBeInTheDocument();
    await screen.rerender({ phase: "experiences", questions: [] });
    await expect
      .element(screen.getByText(/these hands wait to share their experience with you/))
      .toBeVisible();
  });

  it("tells whoever holds the floor so, and a member how a hand goes up", async () => {
    const holder = await render(HandQueue, {
      hands: ["dev"],
      members,
      memberId: "chloe",
      floorId: "chloe",
      presenterId: "ben",
      phase: "questions",
    });
    await expect.element(holder.getByText("You have the floor.")).toBeVisible();
    await holder.unmount();
    const member = await render(HandQueue, {
      hands: ["dev"],
      members,
      memberId: "ana",
      presenterId: "ben",
      phase: "questions",
    });
    await expect
      .element(member.getByText("Your hand is not up. Asking a question puts it up."))
      .toBeVisible();
  });
});

describe("one model of hands and questions, shown the same to everyone", () => {
  /** The hand queue's rows and the question list's statuses, as one person's page shows them. */
  async function seenBy(memberId: string) {
    const { conn } = await connectedTo(asking, memberId);
    const screen = await render(RoundStage, { conn, now: Date.now() });
    const queue = screen.getByRole("region", { name: /^Hands up/ });
    const list = screen.getByRole("region", { name: /^Questions/ });
    await expect.element(queue.getByRole("listitem").first()).toBeVisible();
    const rows = queue
      .getByRole("listitem")
      .elements()
      .map((li) => (li.querySelector(".who")?.textContent ?? "").replace(" (you)", "").trim());
    const statuses = list
      .getByRole("listitem")
      .elements()
      .map((li) => li.querySelector(".status")?.textContent?.trim());
    const answerable = list
      .getByRole("button", { name: "Mark answered" })
      .elements()
      .map((b) => b.getAttribute("aria-describedby"));
    await screen.unmount();
    return { rows, statuses, answerable };
  }

  it("each hand says what it waits to ask; each waiting question where its hand stands", async () => {
    const presenter = await seenBy("ben");
    expect(presenter.rows).toEqual([
      expect.stringMatching(/^Dev\s*2 questions waiting$/),
      expect.stringMatching(/^Ana\s*to ask aloud$/),
    ]);
    expect(presenter.statuses).toEqual([
      "Being asked",
      "Waiting · hand up, 1st",
      "Waiting · hand up, 1st",
    ]);
    // Only the question being asked can be marked answered (a waiting one has not been voiced).
    expect(presenter.answerable).toEqual(["q-q1"]);

    const facilitator = await seenBy("ana");
    expect(facilitator.rows).toEqual(presenter.rows);
    expect(facilitator.statuses).toEqual(presenter.statuses);
    expect(facilitator.answerable).toEqual(["q-q1"]);

    const member = await seenBy("dev");
    expect(member.rows).toEqual(presenter.rows);
    expect(member.statuses).toEqual(presenter.statuses);
    expect(member.answerable).toEqual([]);
  });

  it("shows the floor holder asking aloud when they wrote no question", async () => {
    const { conn } = await connectedTo(
      { ...asking, floorId: "ana", questions: questions.slice(1) },
      "ben",
    );
    const screen = await render(RoundStage, { conn, now: Date.now() });
    await expect.element(screen.getByRole("heading", { name: "Ana has the floor" })).toBeVisible();
    await expect.element(screen.getByText("Asking aloud.")).toBeVisible();
  });

  it("does not call a holder whose written question was answered as they speak 'asking aloud'", async () => {
    const { conn } = await connectedTo(
      { ...asking, questions: [{ ...questions[0]!, status: "answered" }, ...questions.slice(1)] },
      "ben",
    );
    const screen = await render(RoundStage, { conn, now: Date.now() });
    await expect
      .element(screen.getByRole("heading", { name: "Chloé has the floor" }))
      .toBeVisible();
    await expect.element(screen.getByText("Asking aloud.")).not.toBeInTheDocument();
  });

  it("a member whose last waiting question went is shown with the hand down, as the server keeps it", async () => {
    const { conn } = await connectedTo(
      {
        ...asking,
        hands: ["ana"],
        questions: [
          questions[0]!,
          { ...questions[1]!, status: "dismissed" },
          { ...questions[2]!, status: "dismissed" },
        ],
      },
      "dev",
    );
    const screen = await render(RoundStage, { conn, now: Date.now() });
    await expect
      .element(screen.getByText("Your hand is not up. Asking a question puts it up."))
      .toBeVisible();
    await expect.element(screen.getByRole("button", { name: "Raise hand" })).toBeVisible();
    await expect
      .element(screen.getByRole("button", { name: "Lower hand" }))
      .not.toBeInTheDocument();
  });
});
