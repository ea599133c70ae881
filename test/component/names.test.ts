import { describe, expect, it, vi } from "vitest";
import { render } from "vitest-browser-svelte";
import { userEvent } from "vitest/browser";
import JoinForm from "../../client/components/JoinForm.svelte";
import Members from "../../client/components/Members.svelte";
import NameList from "../../client/components/NameList.svelte";
import { meeting, member } from "./fixtures.ts";

describe("the join form's name", () => {
  it("says what is wrong with a name as it is typed, and joins only with a good one", async () => {
    const onJoin = vi.fn();
    const screen = await render(JoinForm, { tableName: "Founders' forum", onJoin });
    const field = screen.getByRole("textbox", { name: "Your name" });
    const join = screen.getByRole("button", { name: "Join", exact: true });
    // Nothing is wrong before anything is typed; Join waits for a name.
    await expect.element(field).not.toHaveAttribute("aria-invalid", "true");
    await expect.element(join).toBeDisabled();

    await field.fill("---");
    await expect.element(field).toHaveAccessibleDescription(/at least one letter or digit/);
    await expect.element(join).toBeDisabled();

    await field.fill("Ana\u200B");
    await expect.element(field).toHaveAttribute("aria-invalid", "true");
    await expect
      .element(
        screen.getByText("Your name holds invisible or control characters. Type it plainly."),
      )
      .toBeVisible();

    await field.fill("   ");
    await expect.element(screen.getByText("Type your name.")).toBeVisible();

    await field.fill("  Ana M. ");
    await expect.element(field).toHaveAttribute("aria-invalid", "false");
    await userEvent.keyboard("{Enter}");
    expect(onJoin).toHaveBeenCalledWith("Ana M.");
  });

  it("shows the server's refusal of a name until the name changes", async () => {
    const refusal = "Someone here already uses that name. Add an initial or pick another.";
    const onJoin = vi.fn();
    const screen = await render(JoinForm, {
      tableName: "Founders' forum",
      initialName: "Ana",
      refusal,
      onJoin,
    });
    const field = screen.getByRole("textbox", { name: "Your name" });
    await expect.element(screen.getByText(refusal)).toBeVisible();
    await expect.element(field).toHaveAccessibleDescription(new RegExp(refusal));
    await expect.element(screen.getByRole("button", { name: "Join", exact: true })).toBeDisabled();
    await field.fill("Ana K.");
    await expect.element(screen.getByText(refusal)).not.toBeInTheDocument();
    await screen.getByRole("button", { name: "Join", exact: true }).click();
    expect(onJoin).toHaveBeenCalledWith("Ana K.");
  });
});

describe("names written right to left", () => {
  const maryam = "مريم";

  it("are isolated in the members list, so the words after them stay in place", async () => {
    const screen = await render(Members, {
      meeting: meeting({
        members: { ana: member("ana", "Ana"), maryam: member("maryam", maryam) },
      }),
      memberId: "maryam",
      now: Date.now(),
    });
    const name = screen.getByText(maryam, { exact: true });
    expect(name.element().tagName).toBe("BDI");
    // " (you)" follows the isolated name instead of being drawn into its right-to-left run.
    expect(name.element().nextSibling?.textContent).toBe(" (you)");
    expect(name.element().parentElement?.textContent).toBe(`${maryam} (you)`);
  });

  it("are isolated one by one in a list of names", async () => {
    const screen = await render(NameList, { names: ["Ana", maryam, "Ben"] });
    const isolated = [...screen.container.querySelectorAll("bdi")].map((b) => b.textContent);
    expect(isolated).toEqual(["Ana", maryam, "Ben"]);
    expect(screen.container.textContent).toBe(`Ana, ${maryam} and Ben`);
  });
});
