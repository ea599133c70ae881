import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import Timer from "../../client/components/Timer.svelte";
import { clockText, durationWords } from "../../client/lib/format.ts";

const now = 1_700_000_000_000;

describe("a timebox's timer", () => {
  it("counts down what is left", async () => {
    const screen = await render(Timer, { endsAt: now + 125_000, now, label: "Turn" });
    const timer = screen.getByRole("timer", { name: "Turn: 2 min 5 s left" });
    await expect.element(timer).toHaveTextContent("2:05 left");
    await expect.element(timer).not.toHaveClass("warn");
  });

  it("warns near the end, in words as well as colour", async () => {
    const screen = await render(Timer, {
      endsAt: now + 20_000,
      now,
      label: "Turn",
      warnMs: 30_000,
    });
    const timer = screen.getByRole("timer");
    await expect.element(timer).toHaveTextContent("0:20 left");
    await expect.element(timer).toHaveClass("warn");
  });

  it("shows overtime counting up and never stops at zero", async () => {
    const screen = await render(Timer, { endsAt: now - 70_000, now, label: "Probing questions" });
    await expect
      .element(screen.getByRole("timer", { name: "Probing questions: over time by 1 min 10 s" }))
      .toBeVisible();
    const timer = screen.getByRole("timer");
    await expect.element(timer).toHaveTextContent("1:10 over");
    await expect.element(timer).toHaveTextContent("Over time");
    await screen.rerender({ now: now + 60_000 });
    await expect.element(timer).toHaveTextContent("2:10 over");
  });

  it("ticks with the clock it is given", async () => {
    const screen = await render(Timer, {
      endsAt: now + 61_000,
      now,
      label: "Turn",
      warnMs: 60_000,
    });
    await expect.element(screen.getByRole("timer")).toHaveTextContent("1:01 left");
    await screen.rerender({ now: now + 1_000 });
    await expect.element(screen.getByRole("timer")).toHaveTextContent("1:00 left");
    await expect.element(screen.getByRole("timer")).toHaveClass("warn");
  });

  it("shows nothing when there is no timebox", async () => {
    const screen = await render(Timer, { endsAt: 0, now, label: "Phase" });
    await expect.element(screen.getByRole("timer")).not.toBeInTheDocument();
  });

  it("formats time so a countdown never reads 0:00 early", () => {
    expect(clockText(0)).toBe("0:00");
    expect(clockText(1)).toBe("0:01");
    expect(clockText(59_001)).toBe("1:00");
    expect(clockText(3_725_000)).toBe("1:02:05");
    expect(durationWords(45_000)).toBe("45 s");
    expect(durationWords(120_000)).toBe("2 min");
  });
});
