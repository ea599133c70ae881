import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import PulseResult from "../../client/components/PulseResult.svelte";
import TrustTrend from "../../client/components/TrustTrend.svelte";
import { withLivePulse } from "../../client/lib/trust.ts";

describe("a trust pulse's result", () => {
  it("shows the mean and a bar for each score once revealed from five answers", async () => {
    const screen = await render(PulseResult, {
      status: "revealed",
      answered: 5,
      threshold: 3,
      counts: [0, 0, 1, 2, 2],
      mean: 4.2,
    });
    await expect.element(screen.getByText(/^Mean 4\.2 out of 5, from 5 answers/)).toBeVisible();
    const scores = screen.getByRole("list", { name: "Answers by score" }).getByRole("listitem");
    expect(scores.elements().map((li) => li.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "1 0 answers",
      "2 0 answers",
      "3 1 answer",
      "4 2 answers",
      "5 2 answers",
    ]);
    await expect.element(screen.getByText("Counts show from 5 answers.")).not.toBeInTheDocument();
    await expect.element(screen.getByText(/Answers are anonymous/)).toBeVisible();
  });

  it("shows the mean alone, to one decimal, when three or four answered", async () => {
    const screen = await render(PulseResult, {
      status: "revealed",
      answered: 3,
      threshold: 3,
      counts: [0, 0, 0, 0, 0],
      mean: 4,
      withheldBecause: "",
    });
    await expect.element(screen.getByText(/^Mean 4\.0 out of 5, from 3 answers/)).toBeVisible();
    await expect.element(screen.getByText("Counts show from 5 answers.")).toBeVisible();
    await expect
      .element(screen.getByRole("list", { name: "Answers by score" }))
      .not.toBeInTheDocument();
  });

  it("says why a pulse that would compare with an earlier one is withheld", async () => {
    const screen = await render(PulseResult, {
      status: "withheld",
      answered: 4,
      threshold: 3,
      counts: [],
      mean: 0,
      withheldBecause: "would_compare",
    });
    await expect
      .element(
        screen.getByText(
          "Withheld: compared with an earlier pulse it would show the answer of the few who joined or left in between.",
        ),
      )
      .toBeVisible();
    await expect.element(screen.getByText(/at least 3\s+people differ/)).toBeVisible();
    await expect.element(screen.getByText(/Not enough answers/)).not.toBeInTheDocument();
    await expect.element(screen.getByText(/^Mean/)).not.toBeInTheDocument();
    await expect
      .element(screen.getByRole("list", { name: "Answers by score" }))
      .not.toBeInTheDocument();
  });

  it("says how many answered and how many are needed when withheld", async () => {
    const screen = await render(PulseResult, {
      status: "withheld",
      answered: 2,
      threshold: 3,
      counts: [],
      mean: 0,
      withheldBecause: "too_few",
    });
    await expect.element(screen.getByText("Not enough answers to show (2 of 3).")).toBeVisible();
    await expect.element(screen.getByText(/at least 3 people answer/)).toBeVisible();
    await expect
      .element(screen.getByRole("list", { name: "Answers by score" }))
      .not.toBeInTheDocument();
    await expect.element(screen.getByText(/Answers are anonymous/)).toBeVisible();
  });

  it("draws the table's trend and says it in words", async () => {
    const day = 86_400_000;
    const screen = await render(TrustTrend, {
      points: [
        { endedAt: Date.UTC(2025, 0, 7), answered: 5, mean: 3.2 },
        { endedAt: Date.UTC(2025, 1, 4), answered: 6, mean: 3.8 },
        { endedAt: Date.UTC(2025, 2, 4) + day, answered: 6, mean: 4.33 },
      ],
    });
    await expect.element(screen.getByRole("img", { name: /Trust over time/ })).toBeVisible();
    await expect.element(screen.getByText(/^Latest mean 4\.3 out of 5 \(6 answers/)).toBeVisible();
    await expect.element(screen.getByText(/It was 3\.2 on/)).toBeVisible();
  });

  it("says so when no pulse has been revealed yet", async () => {
    const screen = await render(TrustTrend, { points: [] });
    await expect
      .element(screen.getByText("No trust pulse has been revealed at this table yet."))
      .toBeVisible();
  });

  it("adds this meeting's revealed pulse when the stored trend does not hold it yet", () => {
    const pulse = {
      status: "revealed" as const,
      answered: 4,
      threshold: 3,
      counts: [0, 0, 1, 2, 1],
      mean: 4,
      seq: 1,
      withheldBecause: "" as const,
    };
    const now = 1_700_000_000_000;
    const earlier = { endedAt: now - 30 * 86_400_000, answered: 5, mean: 3.5 };
    expect(withLivePulse([earlier], pulse, now)).toEqual([
      earlier,
      { endedAt: now, answered: 4, mean: 4 },
    ]);
    const stored = { endedAt: now - 1000, answered: 4, mean: 4 };
    expect(withLivePulse([earlier, stored], pulse, now)).toEqual([earlier, stored]);
    expect(withLivePulse([earlier], { ...pulse, status: "withheld", mean: 0 }, now)).toEqual([
      earlier,
    ]);
  });
});
