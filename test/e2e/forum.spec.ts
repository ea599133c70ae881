import { expect, test, type Page } from "@playwright/test";
import {
  expectPhase,
  join,
  laptop,
  person,
  phaseHeading,
  phone,
  scan,
  shoot,
  type Person,
} from "./people.ts";

/** Ana creates the table on the landing page, choosing the forum format and an open door. */
async function createForumTable(
  ana: Person,
  name: string,
): Promise<{ link: string; facilitatorLink: string }> {
  await ana.page.goto("/");
  await ana.page.getByRole("textbox", { name: "Table name" }).fill(name);
  await expect(ana.page.getByRole("radio", { name: /^Roundtable/ })).toBeChecked();
  await ana.page.getByRole("radio", { name: /^Forum/ }).check();
  await ana.page.getByRole("radio", { name: /^Anyone with the link/ }).check();
  await ana.page.getByRole("button", { name: "Create table" }).click();
  await expect(ana.page.getByRole("heading", { name: "Your table is ready" })).toBeVisible();
  return {
    link: await ana.page.getByRole("textbox", { name: "Member link" }).inputValue(),
    facilitatorLink: await ana.page.getByRole("textbox", { name: "Facilitator link" }).inputValue(),
  };
}

/** The seconds a timer's accessible name says are left ("Dev's update: 4 min 12 s left"). */
async function secondsLeft(timer: ReturnType<Page["getByRole"]>): Promise<number> {
  const label = (await timer.getAttribute("aria-label")) ?? "";
  const m = /(?:(\d+) min)?\s*(?:(\d+) s)? left/.exec(label);
  expect(m, `a timer with time left: "${label}"`).not.toBeNull();
  return Number(m?.[1] ?? 0) * 60 + Number(m?.[2] ?? 0);
}

test("a forum meeting: updates, the parking lot, a topic, the issue card, a pass, time control", async ({
  browser,
}) => {
  const ana = await person(browser, "Ana", laptop);
  const table = await createForumTable(ana, "Founders' forum");
  const ben = await person(browser, "Ben", phone);
  const chloe = await person(browser, "Chloé", laptop);
  const dev = await person(browser, "Dev", phone);
  const everyone = [ana, ben, chloe, dev];

  await test.step("everyone joins; Ben prepares his issue card before the meeting", async () => {
    await join(ana, table.facilitatorLink);
    for (const p of [ben, chloe, dev]) await join(p, table.link);
    await expectPhase(everyone, "Lobby");

    await ben.page.getByText("Prepare your issue card").click();
    await ben.page
      .getByRole("textbox", { name: "Issue", exact: true })
      .fill("Hiring my first manager");
    await ben.page
      .getByRole("textbox", { name: /Why it matters/ })
      .fill("The team doubled this year and I am the bottleneck.");
    await ben.page
      .getByRole("textbox", { name: /What I tried/ })
      .fill("Promoting a senior engineer for a trial month.");
    await ben.page.getByRole("radio", { name: "Both" }).check();
    await expect(ben.page.getByText("You share it with the group when you present.")).toBeVisible();
    // Kept in Ben's browser only: nobody else sees any of it.
    await expect(chloe.page.locator("body")).not.toContainText("Hiring my first manager");
  });

  await test.step("check-in, then the updates go-around in join order", async () => {
    await ana.page.getByRole("button", { name: "Start meeting" }).click();
    await expectPhase(everyone, "Check-in");
    await ana.page.getByRole("button", { name: "Finish check-in" }).click();
    await expectPhase(everyone, "Updates");

    const order = ben.page.getByRole("region", { name: "Go-around" }).getByRole("listitem");
    await expect(order).toHaveText([/^Ana/, /^Ben \(you\)/, /^Chloé/, /^Dev/]);
    await expect(ben.page.getByRole("heading", { name: "Ana gives an update" })).toBeVisible();
    await expect(ben.page.getByRole("timer", { name: /Update: \d+ min/ })).toBeVisible();
    await expect(ana.page.getByRole("heading", { name: "Your update" })).toBeVisible();
    await expect(ben.page.getByRole("button", { name: "Done with my update" })).toHaveCount(0);

    // Ana rates her month and finishes; the agreed see her ratings beside her name.
    await ana.page.getByRole("combobox", { name: "Work" }).selectOption("7");
    await ana.page.getByRole("combobox", { name: "Family" }).selectOption("9");
    await ana.page.getByRole("button", { name: "Share ratings" }).click();
    await expect(order.first()).toContainText("Work 7 · Family 9");
    await ana.page.getByRole("button", { name: "Done with my update" }).click();
    await expect(ben.page.getByRole("heading", { name: "Your update" })).toBeVisible();
    await expect(order.first()).toContainText("Done");
  });

  await test.step("the parking lot: topics added, voted for, one removed by its author", async () => {
    await ben.page.getByRole("textbox", { name: "Topic" }).fill("Hiring my first manager");
    await ben.page.getByRole("button", { name: "Add to parking lot" }).click();
    await dev.page.getByRole("textbox", { name: "Topic" }).fill("A co-founder conflict");
    await dev.page.getByRole("button", { name: "Add to parking lot" }).click();
    await chloe.page.getByRole("textbox", { name: "Topic" }).fill("Pricing the new plan");
    await chloe.page.getByRole("button", { name: "Add to parking lot" }).click();

    const lot = (p: typeof ana) => p.page.getByRole("region", { name: /Parking lot/ });
    await expect(lot(ana).getByRole("listitem")).toHaveCount(3);
    await lot(chloe)
      .getByRole("listitem")
      .filter({ hasText: "Pricing the new plan" })
      .getByRole("button", { name: "Remove" })
      .click();
    await expect(lot(ana).getByRole("listitem")).toHaveCount(2);
    // Only the author or the facilitator removes a topic.
    await expect(
      lot(chloe)
        .getByRole("listitem")
        .filter({ hasText: "A co-founder conflict" })
        .getByRole("button", { name: "Remove" }),
    ).toHaveCount(0);

    for (const p of [ana, chloe]) {
      await lot(p)
        .getByRole("listitem")
        .filter({ hasText: "Hiring my first manager" })
        .getByRole("button", { name: /^Vote/ })
        .click();
    }
    const hiring = lot(ana).getByRole("listitem").filter({ hasText: "Hiring my first manager" });
    await expect(hiring.getByRole("button", { name: /^Vote/ })).toHaveAccessibleName("Vote 2");
    await expect(hiring.getByRole("button", { name: /^Vote/ })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    await expect(
      lot(dev)
        .getByRole("listitem")
        .filter({ hasText: "Hiring my first manager" })
        .getByRole("button", { name: /^Vote/ }),
    ).toHaveAttribute("aria-pressed", "false");
    await scan(dev.page, "parking lot (member)");
    await shoot(dev.page, "parking-lot");
  });

  await test.step("Ben passes, Chloé is done; Ana makes Chloé timekeeper and skips Dev", async () => {
    await ben.page.getByRole("button", { name: "Pass", exact: true }).click();
    await expect(chloe.page.getByRole("heading", { name: "Your update" })).toBeVisible();
    await scan(chloe.page, "updates (the member whose turn it is)");
    await scan(ana.page, "updates (facilitator)");
    await shoot(chloe.page, "updates");
    await chloe.page.getByRole("button", { name: "Done with my update" }).click();
    await expect(ben.page.getByRole("heading", { name: "Dev gives an update" })).toBeVisible();
    const order = ben.page.getByRole("region", { name: "Go-around" }).getByRole("listitem");
    await expect(order).toHaveText([/Done/, /Passed/, /Done/, /Giving an update/]);

    const time = ana.page.getByRole("region", { name: "Time", exact: true });
    await time.getByRole("combobox", { name: "Timekeeper" }).selectOption({ label: "Chloé" });
    await time.getByRole("button", { name: "Assign timekeeper" }).click();
    await expect(time).toContainText("Timekeeper: Chloé");
    const keeper = chloe.page.getByRole("region", { name: "You keep time" });
    await expect(keeper).toBeVisible();
    await expect(ben.page.getByRole("region", { name: "You keep time" })).toHaveCount(0);

    // The timekeeper adds a minute to Dev's update; everyone's timer follows.
    const timer = keeper.getByRole("timer", { name: /^Dev's update:/ });
    await expect(timer).toBeVisible();
    const before = await secondsLeft(timer);
    await keeper.getByRole("button", { name: "+1 min" }).click();
    await expect.poll(async () => secondsLeft(timer)).toBeGreaterThan(before + 30);
    await scan(chloe.page, "timekeeper");
    await shoot(chloe.page, "timekeeper");
    // The facilitator has "+1 min" too.
    await expect(time.getByRole("button", { name: "+1 min" })).toBeEnabled();

    await ana.page.getByRole("main").getByRole("button", { name: "Skip Dev" }).click();
    await expect(order.nth(3)).toContainText("Skipped");
    await expect(
      ana.page.getByRole("main").getByRole("heading", { name: "Everyone has had their turn" }),
    ).toBeVisible();
    await ana.page.getByRole("button", { name: "Finish the updates" }).click();
    // A table's first meeting has nothing to follow up.
    await expectPhase(everyone, "Choosing a presenter");
  });

  await test.step("choosing: Ben, with his topic from the parking lot", async () => {
    await ben.page.getByRole("button", { name: "Volunteer to present" }).click();
    const lot = dev.page.getByRole("region", { name: /Parking lot/ });
    // Most votes first while a presenter is chosen.
    await expect(lot.getByRole("listitem").first()).toContainText("Hiring my first manager");
    const chooser = ana.page.getByRole("region", { name: "Choose the presenter" });
    await chooser
      .getByRole("combobox", { name: /Their topic/ })
      .selectOption({ label: "Hiring my first manager (2 votes)" });
    await chooser.getByRole("button", { name: "Choose Ben to present" }).click();
    await expectPhase(everyone, "Presenting");
    await expect(dev.page.getByText("Ben presents: Hiring my first manager")).toBeVisible();
  });

  await test.step("the issue card: Ben shares what he prepared; everyone sees it", async () => {
    const form = ben.page.getByRole("region", { name: "Your issue card" });
    await expect(form.getByRole("textbox", { name: "Issue", exact: true })).toHaveValue(
      "Hiring my first manager",
    );
    await form.getByRole("button", { name: "Share issue card" }).click();
    for (const p of [ana, chloe, dev]) {
      const card = p.page.getByRole("region", { name: "Ben's issue card" });
      await expect(card).toContainText("Hiring my first manager");
      await expect(card).toContainText("The team doubled this year");
      await expect(card).toContainText("Promoting a senior engineer");
    }
    await scan(dev.page, "issue card");
    await shoot(dev.page, "issue-card");
  });

  await test.step("questions: the card stays in view", async () => {
    await ana.page.getByRole("button", { name: "Move to probing questions" }).click();
    await expectPhase(everyone, "Probing questions");
    await expect(dev.page.getByRole("region", { name: "Ben's issue card" })).toBeVisible();
    await dev.page
      .getByRole("textbox", { name: "Your question" })
      .fill("What would a good first manager do in their first month?");
    await dev.page.getByRole("button", { name: "Ask", exact: true }).click();
    await ana.page.getByRole("button", { name: "Give the floor", exact: true }).click();
    await expect(dev.page.getByRole("heading", { name: "You have the floor" })).toBeVisible();
    await dev.page.getByRole("button", { name: "Done", exact: true }).click();
    await expect(ana.page.getByRole("heading", { name: "Nobody has the floor" })).toBeVisible();
  });

  await test.step("experiences: Dev shares, Chloé and Ana pass; everyone has shared or passed", async () => {
    await ana.page.getByRole("button", { name: "Move to experience shares" }).click();
    await expectPhase(everyone, "Experience shares");
    await expect(ben.page.getByRole("button", { name: "Pass", exact: true })).toHaveCount(0);
    const shares = ana.page.getByRole("region", { name: "Shares this round" });
    await expect(shares).toContainText("Not yet 3");

    await dev.page.getByRole("button", { name: "Raise hand" }).click();
    await ana.page.getByRole("button", { name: "Give the floor", exact: true }).click();
    await expect(dev.page.getByRole("heading", { name: "You have the floor" })).toBeVisible();
    await dev.page.getByRole("button", { name: "Done", exact: true }).click();
    await expect(dev.page.getByRole("button", { name: "Pass", exact: true })).toHaveCount(0);

    await chloe.page.getByRole("button", { name: "Pass", exact: true }).click();
    await expect(chloe.page.getByText("You passed this round.")).toBeVisible();
    await expect(shares).toContainText("Passed 1");
    await ana.page.getByRole("button", { name: "Pass", exact: true }).click();
    await expect(shares).toContainText("Shared 1");
    await expect(shares).toContainText("Passed 2");
    await expect(shares).toContainText("Not yet 0");
    await expect(ana.page.getByText("Everyone has shared or passed.")).toBeVisible();
    await scan(ana.page, "experiences with passes (facilitator)");
    await shoot(ana.page, "forum-facilitator");
    await ana.page.getByRole("button", { name: "Move to commitment" }).click();
    await expectPhase(everyone, "Commitment");
  });

  await test.step("commitment, then the card is gone; closing", async () => {
    await ben.page
      .getByRole("textbox", { name: "Commitment" })
      .fill("Write the first manager's role and open it");
    await ben.page.getByRole("button", { name: "Add commitment" }).click();
    await expect(dev.page.getByRole("region", { name: "Commitments this round" })).toContainText(
      "Write the first manager's role",
    );
    await expect(dev.page.getByRole("region", { name: "Ben's issue card" })).toBeVisible();
    await ana.page.getByRole("button", { name: "Finish the round" }).click();
    await expectPhase(everyone, "Choosing a presenter");
    for (const p of everyone) {
      await expect(p.page.getByRole("region", { name: /issue card/ })).toHaveCount(0);
    }
    // The round's topic left the parking lot with the round.
    await expect(
      dev.page.getByRole("region", { name: /Parking lot/ }).getByRole("listitem"),
    ).toHaveText([/A co-founder conflict/]);
    await ana.page.getByRole("button", { name: "Move to closing" }).click();
    await expectPhase(everyone, "Closing");
    await expect(
      ben.page.getByRole("region", { name: "Recap" }).getByRole("region", {
        name: "Commitments made today",
      }),
    ).toContainText("Write the first manager's role");
    await ana.page.getByRole("button", { name: "End meeting", exact: true }).click();
    await ana.page.getByRole("button", { name: "End the meeting for everyone" }).click();
    await expectPhase(everyone, "Meeting ended");
    await expect(phaseHeading(dev.page, "Meeting ended")).toBeVisible();
  });

  for (const p of everyone) await p.context.close();
});
