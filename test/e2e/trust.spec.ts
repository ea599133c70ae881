import { expect, test, type Page } from "@playwright/test";
import {
  agree,
  createTable,
  expectPhase,
  join,
  laptop,
  person,
  phaseHeading,
  phone,
  scan,
  shoot,
} from "./people.ts";

/** Closes the brief messages still on screen, so they cover nothing in a screenshot. */
async function dismissNotices(page: Page): Promise<void> {
  const dismiss = page.getByRole("button", { name: "Dismiss message" });
  // A message may leave on its own between the count and the click: that is fine too.
  while ((await dismiss.count()) > 0)
    await dismiss
      .first()
      .click({ timeout: 1000 })
      .catch(() => {});
}

/** The facilitator's console, where the next step and the quiet "End meeting" live. */
const console_ = (page: Page) => page.getByRole("complementary", { name: "Facilitator" });

test("one click on End meeting ends nothing; next steps follow the work; the recap keeps the follow-up", async ({
  browser,
}) => {
  const table = await createTable("Founders' circle");
  const ana = await person(browser, "Ana", laptop);
  const ben = await person(browser, "Ben", phone);
  const chloe = await person(browser, "Chloé", laptop);
  const everyone = [ana, ben, chloe];
  await join(ana, `${table.link}#key=${table.facilitatorKey}`);
  await join(ben, table.link, { admittedBy: ana });
  await join(chloe, table.link, { admittedBy: ana });

  await test.step("with one volunteer, the next step chooses them", async () => {
    await ana.page.getByRole("button", { name: "Start meeting" }).click();
    await ana.page.getByRole("button", { name: "Finish check-in" }).click();
    await expectPhase(everyone, "Choosing a presenter");
    await expect(
      console_(ana.page).getByRole("button", { name: "Close the meeting without a round" }),
    ).toBeVisible();
    await ben.page.getByRole("button", { name: "Volunteer to present" }).click();
    await console_(ana.page).getByRole("button", { name: "Choose Ben to present" }).click();
    await expectPhase(everyone, "Presenting");
    await ana.page.getByRole("button", { name: "Move to probing questions" }).click();
    await expectPhase(everyone, "Probing questions");
  });

  await test.step("experience shares open with an invitation, not with moving on", async () => {
    await expect(console_(ana.page).getByText("Invite probing questions")).toBeVisible();
    await console_(ana.page).getByRole("button", { name: "Next phase" }).click();
    await expectPhase(everyone, "Experience shares");
    const next = console_(ana.page);
    await expect(next.getByText("Invite experience shares")).toBeVisible();
    await expect(next.getByRole("button", { name: "Move to commitment" })).toHaveCount(0);
    await expect(next.getByRole("button", { name: "Next phase" })).toHaveAccessibleDescription(
      "To commitment: nobody has shared yet",
    );
    await scan(ana.page, "next step in experiences");
    await dismissNotices(ana.page);
    await shoot(ana.page, "console-experiences");
    await chloe.page.getByRole("button", { name: "Raise hand" }).click();
    await expect(next.getByRole("button", { name: "Give the floor", exact: true })).toContainText(
      "Give the floor to Chloé",
    );
    await expect(next.getByText("To commitment: 1 hand still up")).toBeVisible();
  });

  await test.step("one click on End meeting ends nothing; Cancel keeps the meeting", async () => {
    await console_(ana.page).getByRole("button", { name: "End meeting", exact: true }).click();
    const dialog = ana.page.getByRole("dialog", { name: "End the meeting for everyone?" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("What was said, the questions");
    await expect(dialog).toContainText("Only the commitments, the follow-up answers and the pulse");
    await scan(ana.page, "end meeting confirmation");
    await shoot(ana.page, "end-meeting-confirm", ["phone", "laptop"], false);
    // Nobody's meeting ended: the phase is the same on every page.
    await expectPhase([ben, chloe], "Experience shares");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expectPhase(everyone, "Experience shares");
  });

  await test.step("the round runs to its end, then the confirmation ends the meeting", async () => {
    await ana.page.getByRole("button", { name: "Give the floor", exact: true }).click();
    await chloe.page.getByRole("button", { name: "Done", exact: true }).click();
    await ana.page.getByRole("button", { name: "Move to commitment" }).click();
    await expectPhase(everyone, "Commitment");
    await expect(console_(ana.page).getByText("Waiting for Ben's commitment")).toBeVisible();
    await ben.page.getByRole("textbox", { name: "Commitment" }).fill("Offer the raise in writing");
    await ben.page.getByRole("button", { name: "Add commitment" }).click();
    await ana.page.getByRole("button", { name: "Finish the round" }).click();
    await ana.page.getByRole("button", { name: "Move to closing" }).click();
    await expectPhase(everyone, "Closing");
    await console_(ana.page).getByRole("button", { name: "End meeting", exact: true }).click();
    await ana.page.getByRole("button", { name: "End the meeting for everyone" }).click();
    await expectPhase(everyone, "Meeting ended");
    await expect(ben.page.getByRole("region", { name: "Commitments made today" })).toContainText(
      "Ben: Offer the raise in writing",
    );
  });

  await test.step("the next meeting waits for follow-ups, and its recap keeps the answers", async () => {
    for (const p of everyone) {
      await p.page.getByRole("button", { name: "Join the table's next meeting" }).click();
      await agree(p);
    }
    await ana.page.getByRole("button", { name: "Start meeting" }).click();
    await ana.page.getByRole("button", { name: "Finish check-in" }).click();
    await expectPhase(everyone, "Follow-up: how'd it go?");
    const next = console_(ana.page);
    await expect(next.getByText("Waiting for 1 follow-up")).toBeVisible();
    await expect(next.getByRole("button", { name: "Move to choosing a presenter" })).toHaveCount(0);
    await expect(next.getByText("To choosing a presenter: 1 follow-up not reported")).toBeVisible();
    await dismissNotices(ana.page);
    await shoot(ana.page, "console-follow-up");

    const item = ben.page.getByRole("group", { name: "Offer the raise in writing" });
    await ben.page.getByRole("textbox", { name: /How did it go/ }).fill("They said yes");
    await item.getByRole("button", { name: "Done", exact: true }).click();
    await ana.page.getByRole("button", { name: "Move to choosing a presenter" }).click();
    await expectPhase(everyone, "Choosing a presenter");
    await ana.page.getByRole("button", { name: "Close the meeting without a round" }).click();
    await expectPhase(everyone, "Closing");
    await console_(ana.page).getByRole("button", { name: "End meeting", exact: true }).click();
    await ana.page.getByRole("button", { name: "End the meeting for everyone" }).click();
    await expectPhase(everyone, "Meeting ended");
    const recap = ben.page.getByRole("region", { name: "Recap" });
    await expect(recap.getByRole("region", { name: "Commitments made today" })).toContainText(
      "No commitments were made in this meeting.",
    );
    await expect(
      recap.getByRole("region", { name: "Follow-up on earlier commitments" }),
    ).toContainText(/Ben: Offer the raise in writing\s*Done\s*“They said yes”/);
    await scan(ben.page, "ended recap");
    await dismissNotices(ben.page);
    await shoot(ben.page, "recap-ended");
  });

  for (const p of everyone) await p.context.close();
});

test("a drop longer than the reconnection window: the page says the seat is gone, Rejoin brings it back", async ({
  browser,
}) => {
  // Offline, the SDK retries for about a minute (15 tries, backing off to 5 s) before it gives up.
  test.setTimeout(240_000);
  const table = await createTable("Founders' circle");
  const ana = await person(browser, "Ana", phone);
  const ben = await person(browser, "Ben", laptop);
  await join(ana, `${table.link}#key=${table.facilitatorKey}`);
  await join(ben, table.link, { admittedBy: ana });
  await ana.page.getByRole("button", { name: "Start meeting" }).click();
  await expectPhase([ana, ben], "Check-in");
  await expect(ana.page.getByRole("heading", { name: "Facilitator", exact: true })).toBeVisible();

  await ana.context.setOffline(true);
  await expect(ana.page.getByText("Reconnecting… Your seat is kept.")).toBeVisible();
  await expect(
    ana.page.getByText(
      "You were disconnected for too long: your seat was released. Rejoin to continue.",
    ),
  ).toBeVisible({ timeout: 120_000 });
  // No console that looks live, no presence count, no role of hers as if she still held it.
  await expect(ana.page.getByRole("heading", { name: "Facilitator", exact: true })).toHaveCount(0);
  await expect(ana.page.getByRole("heading", { name: /Who's here/ })).toHaveCount(0);
  await expect(ana.page.getByText("Ana · not connected")).toBeVisible();
  await shoot(ana.page, "seat-gone", ["phone"]);

  await ana.context.setOffline(false);
  await ana.page.getByRole("button", { name: "Rejoin" }).click();
  await expect(ana.page.getByRole("heading", { name: "Facilitator", exact: true })).toBeVisible();
  await expect(phaseHeading(ana.page, "Check-in")).toBeVisible();
  await expect(ana.page.getByText("Ana · facilitator")).toBeVisible();

  for (const p of [ana, ben]) await p.context.close();
});
