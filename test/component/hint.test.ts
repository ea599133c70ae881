import { describe, expect, it, vi } from "vitest";
import { userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import HandControls from "../../client/components/HandControls.svelte";
import HintNote from "../../client/components/HintNote.svelte";
import QuestionForm from "../../client/components/QuestionForm.svelte";
import { reviewQuestion } from "../../shared/language.ts";

describe("the language hint", () => {
  it("shows the reason and the suggested rewrite of advice in disguise, with a button to use it", async () => {
    const onUse = vi.fn();
    const review = {
      hint: "advice" as const,
      reason: "This reads as advice in disguise.",
      suggestion: "What have you tried so far?",
    };
    const screen = await render(HintNote, { review, kind: "question", onUse });
    await expect.element(screen.getByText("Advice in disguise?")).toBeVisible();
    await expect.element(screen.getByText("This reads as advice in disguise.")).toBeVisible();
    await expect.element(screen.getByText("“What have you tried so far?”")).toBeVisible();
    await expect.element(screen.getByText(/send it as it is/)).toBeVisible();
    await screen.getByRole("button", { name: "Use suggestion" }).click();
    expect(onUse).toHaveBeenCalledWith("What have you tried so far?");
  });

  it("names a closed question", async () => {
    const screen = await render(HintNote, {
      review: reviewQuestion("Is the team ready for it?"),
      kind: "question",
      onUse: () => {},
    });
    await expect.element(screen.getByText("Closed question.")).toBeVisible();
    await expect.element(screen.getByRole("button", { name: "Use suggestion" })).toBeVisible();
  });

  it("confirms an open question quietly, and says nothing before anything is typed", async () => {
    const screen = await render(HintNote, {
      review: { hint: "open" },
      kind: "question",
      onUse: () => {},
    });
    await expect.element(screen.getByText("Open question.")).toBeVisible();
    await expect.element(screen.getByRole("button")).not.toBeInTheDocument();
    await screen.rerender({ review: undefined });
    await expect.element(screen.getByText("Open question.")).not.toBeInTheDocument();
  });

  it("follows the question as it is typed, and sending anyway is allowed", async () => {
    const onAsk = vi.fn();
    const screen = await render(QuestionForm, { canAsk: true, onAsk });
    const field = screen.getByRole("textbox", { name: "Your question" });
    await userEvent.fill(field, "Have you tried just talking to them?");
    await expect.element(screen.getByText("Advice in disguise?")).toBeVisible();
    await userEvent.fill(field, "Why don't you just talk to them?");
    await expect.element(screen.getByText("Advice in disguise?")).toBeVisible();
    await screen.getByRole("button", { name: "Ask" }).click();
    expect(onAsk).toHaveBeenCalledWith("Why don't you just talk to them?");
    await expect.element(field).toHaveValue("");
  });

  it("puts the suggestion into the field when asked to", async () => {
    const onAsk = vi.fn();
    const screen = await render(QuestionForm, { canAsk: true, onAsk });
    const field = screen.getByRole("textbox", { name: "Your question" });
    await userEvent.fill(field, "Have you tried just talking to them?");
    await screen.getByRole("button", { name: "Use suggestion" }).click();
    await expect.element(field).toHaveValue("What have you tried so far?");
    await expect.element(screen.getByText("Open question.")).toBeVisible();
    await userEvent.keyboard("{Enter}");
    expect(onAsk).toHaveBeenCalledWith("What have you tried so far?");
  });

  it("offers the Gestalt rewrite of a share note that gives advice", async () => {
    const onRaise = vi.fn();
    const screen = await render(HandControls, {
      raised: false,
      withNote: true,
      canRaise: true,
      canLower: false,
      onRaise,
      onLower: () => {},
    });
    const note = screen.getByRole("textbox", { name: /What you'll share/ });
    await userEvent.fill(note, "You should talk to HR first");
    await expect.element(screen.getByText("Sounds like advice.")).toBeVisible();
    await screen.getByRole("button", { name: "Use suggestion" }).click();
    await expect
      .element(note)
      .toHaveValue("When I decided to talk to HR first in a similar situation, I found…");
    await screen.getByRole("button", { name: "Raise hand" }).click();
    expect(onRaise).toHaveBeenCalledWith(expect.stringMatching(/^When I/));
  });
});
