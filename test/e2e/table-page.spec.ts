import { readFileSync } from "node:fs";
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
  type Person,
} from "./people.ts";

/** Closes the brief messages still on screen, so they cover nothing in a screenshot. */
async function dismissNotices(page: Page): Promise<void> {
  const dismiss = page.getByRole("button", { name: "Dismiss message" });
  while ((await dismiss.count()) > 0)
    await dismiss
      .first()
      .click({ timeout: 1000 })
      .catch(() => {});
}

const console_ = (page: Page) => page.getByRole("complementary", { name: "Facilitator" });

/** A week from now at 18:30, local time, as the date and time fields take it. */
function nextWeek(): { date: string; time: string; at: Date } {
  const at = new Date(Date.now() + 7 * 86_400_000);
  at.setHours(18, 30, 0, 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    date: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
    time: "18:30",
    at,
  };
}

test("between meetings: the member sees their commitment and the next date; a stranger sees only the name", async ({
  browser,
}) => {
  const table = await createTable("Founders' circle");
  const ana = await person(browser, "Ana", laptop);
  const ben = await person(browser, "Ben", phone);
  const chloe = await person(browser, "Chloé", laptop);
  await join(ana, `${table.link}#key=${table.facilitatorKey}`);
  await join(ben, table.link, { admittedBy: ana });
  await join(chloe, table.link, { admittedBy: ana });
  const everyone = [ana, ben, chloe];
  const plan = nextWeek();

  /** A round: the presenter volunteers, is chosen, and states one commitment. */
  async function round(presenter: Person, commitment: string): Promise<void> {
    await presenter.page.getByRole("button", { name: "Volunteer to present" }).click();
    await console_(ana.page)
      .getByRole("button", { name: `Choose ${presenter.name} to present` })
      .click();
    await expectPhase(everyone, "Presenting");
    await ana.page.getByRole("button", { name: "Move to probing questions" }).click();
    await expectPhase(everyone, "Probing questions");
    await console_(ana.page).getByRole("button", { name: "Next phase" }).click();
    await expectPhase(everyone, "Experience shares");
    await console_(ana.page).getByRole("button", { name: "Next phase" }).click();
    await expectPhase(everyone, "Commitment");
    await presenter.page.getByRole("textbox", { name: "Commitment" }).fill(commitment);
    await presenter.page.getByRole("button", { name: "Add commitment" }).click();
    await expect(ana.page.getByRole("region", { name: "Commitments this round" })).toContainText(
      commitment,
    );
    await ana.page.getByRole("button", { name: "Finish the round" }).click();
    await expectPhase(everyone, "Choosing a presenter");
  }

  /** Closing: a pulse everyone answers, revealed, then the meeting ends. */
  async function close(scores: string[]): Promise<void> {
    await ana.page.getByRole("button", { name: "Move to closing" }).click();
    await expectPhase(everyone, "Closing");
    await ana.page.getByRole("button", { name: "Open pulse" }).click();
    for (const [i, p] of everyone.entries()) {
      await p.page
        .getByRole("group", { name: "Trust pulse" })
        .getByRole("button", { name: scores[i], exact: true })
        .click();
      await expect(p.page.getByText("your answer is in")).toBeVisible();
    }
    await ana.page.getByRole("button", { name: "Close pulse" }).click();
    await expect(ana.page.getByText(/^Mean \d\.\d out of 5/)).toBeVisible();
    await console_(ana.page).getByRole("button", { name: "End meeting", exact: true }).click();
    await ana.page.getByRole("button", { name: "End the meeting for everyone" }).click();
    await expectPhase(everyone, "Meeting ended");
  }

  await test.step("a first meeting: Ben and Chloé commit to something", async () => {
    await ana.page.getByRole("button", { name: "Start meeting" }).click();
    await ana.page.getByRole("button", { name: "Finish check-in" }).click();
    await expectPhase(everyone, "Choosing a presenter");
    await round(ben, "Offer the raise in writing");
    await round(chloe, "Ask the board for a hiring budget");
    await close(["4", "4", "5"]);
  });

  await test.step("a second meeting follows them up; Ben commits again", async () => {
    for (const p of everyone) {
      await p.page.getByRole("button", { name: "Join the table's next meeting" }).click();
      await agree(p);
    }
    await ana.page.getByRole("button", { name: "Start meeting" }).click();
    await ana.page.getByRole("button", { name: "Finish check-in" }).click();
    await expectPhase(everyone, "Follow-up: how'd it go?");
    await ben.page.getByRole("textbox", { name: /How did it go/ }).fill("They said yes");
    await ben.page
      .getByRole("group", { name: "Offer the raise in writing" })
      .getByRole("button", { name: "Done", exact: true })
      .click();
    await chloe.page
      .getByRole("group", { name: "Ask the board for a hiring budget" })
      .getByRole("button", { name: "Partly", exact: true })
      .click();
    await ana.page.getByRole("button", { name: "Move to choosing a presenter" }).click();
    await expectPhase(everyone, "Choosing a presenter");
    await round(ben, "Write the hiring plan with Chloé");
    await close(["5", "4", "5"]);

    // The recap's Markdown: commitments, follow-up answers, the pulse.
    const downloading = ben.page.waitForEvent("download");
    await ben.page.getByRole("button", { name: "Download recap" }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toMatch(/^founders-circle-recap-\d{4}-\d{2}-\d{2}\.md$/);
    const recap = readFileSync((await file.path())!, "utf8");
    expect(recap).toContain("- **Ben**: Write the hiring plan with Chloé");
    expect(recap).toContain("- **Ben**: Offer the raise in writing — Done (“They said yes”)");
    expect(recap).toContain("- **Chloé**: Ask the board for a hiring budget — Partly done");
    expect(recap).toContain("Mean 4.7 out of 5, from 3 answers.");
  });

  await test.step("the facilitator opens the table's page from the meeting and plans the next", async () => {
    await ana.page.getByRole("banner").getByRole("button", { name: "Table page" }).click();
    await expect(
      ana.page.getByRole("heading", { level: 1, name: "Founders' circle" }),
    ).toBeVisible();
    const planning = ana.page.getByRole("region", { name: "Plan the next meeting" });
    await planning.getByLabel("Date of the next meeting").fill(plan.date);
    await planning.getByLabel("Time").fill(plan.time);
    await planning
      .getByRole("combobox", { name: "Add a presenter" })
      .selectOption({ label: "Ben" });
    await planning.getByRole("button", { name: "Add", exact: true }).click();
    await planning.getByRole("button", { name: "Save plan" }).click();
    await expect(planning.getByRole("status")).toHaveText(/The plan is saved/);
    const next = ana.page.getByRole("region", { name: "Next meeting", exact: true });
    await expect(next).toContainText("In 7 days.");
    await expect(next.getByRole("list", { name: "Presenting next" })).toHaveText("Ben");

    // The settings panel says what the server refuses, on the field, and changes nothing.
    const settings = ana.page.getByRole("region", { name: "Settings" });
    const turn = settings.getByRole("spinbutton", { name: "Each speaker" });
    await turn.fill("300");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(settings.getByRole("alert")).toHaveText(
      "“Each speaker” must be whole minutes from 1 to 120.",
    );
    await expect(turn).toHaveAttribute("aria-invalid", "true");
    await turn.fill("3");
    await settings.getByRole("radio", { name: /Forum/ }).check();
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(settings.getByRole("status")).toHaveText(/Saved/);
    await scan(ana.page, "table page, facilitator");
    await dismissNotices(ana.page);
    await shoot(ana.page, "table-page-facilitator");

    // Back to the meeting: the recap is where she left it.
    await ana.page.getByRole("button", { name: "Back to the meeting" }).click();
    await expect(phaseHeading(ana.page, "Meeting ended")).toBeVisible();
  });

  await test.step("Ben opens the link between meetings: his commitment, the date, the presenters", async () => {
    await ben.page.close();
    const page = await ben.context.newPage();
    await page.goto(table.link);
    const next = page.getByRole("region", { name: "Next meeting", exact: true });
    await expect(next).toBeVisible();
    await expect(next.locator("time")).toHaveAttribute("datetime", plan.at.toISOString());
    await expect(next.getByRole("list", { name: "Presenting next" })).toHaveText("Ben");
    const mine = page.getByRole("region", { name: "My commitments" });
    await expect(mine.getByRole("region", { name: "Open" })).toContainText(
      "Write the hiring plan with Chloé",
    );
    await expect(mine.getByRole("region", { name: "Past" })).toContainText(
      /Offer the raise in writing.*Done.*“They said yes”/,
    );
    await expect(page.getByRole("region", { name: "Members", exact: true })).toContainText(
      /Ana.*Ben \(you\).*Chloé/,
    );
    const history = page.getByRole("region", { name: "The group's history" });
    await expect(
      history.getByRole("img", { name: /^Commitments per meeting/ }),
    ).toHaveAccessibleName(
      /Over 2 meetings: 3 commitments made; follow-up answers 1 done, 1 partly, 0 not done/,
    );
    await expect(history.getByRole("img", { name: /^Trust over time/ })).toHaveAccessibleName(
      /Latest mean 4\.7 out of 5 \(3 answers/,
    );
    // No planning for a member, and no room joined: nobody's lobby opened by reading the page.
    await expect(page.getByRole("region", { name: "Plan the next meeting" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Join the meeting" })).toBeVisible();

    // Add to calendar: an .ics made in the browser.
    const downloading = page.waitForEvent("download");
    await next.getByRole("button", { name: "Add to calendar" }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toBe("founders-circle-next-meeting.ics");
    const ics = readFileSync((await file.path())!, "utf8");
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain(
      `DTSTART:${plan.at.toISOString().replace(/[-:]/g, "").replace(".000", "")}`,
    );

    await scan(page, "table page, member");
    await shoot(page, "table-page");
    ben.page = page;
  });

  await test.step("a stranger with the link sees the name and the way to ask in, nothing else", async () => {
    const eve = await person(browser, "Eve", phone);
    await eve.page.goto(table.link);
    await expect(
      eve.page.getByRole("heading", { level: 1, name: "Join Founders' circle" }),
    ).toBeVisible();
    await expect(eve.page.getByRole("textbox", { name: "Your name" })).toBeVisible();
    await expect(eve.page.getByRole("region", { name: "Next meeting", exact: true })).toHaveCount(
      0,
    );
    await expect(eve.page.getByRole("region", { name: "My commitments" })).toHaveCount(0);
    const text = await eve.page.locator("body").innerText();
    expect(text).not.toContain("Offer the raise");
    expect(text).not.toContain("Ben");
    await scan(eve.page, "table link, stranger");
    await eve.context.close();
  });

  await test.step("Join the meeting from the table's page goes in as before", async () => {
    await ben.page.getByRole("button", { name: "Join the meeting" }).click();
    await expect(ben.page.getByRole("button", { name: "I agree" })).toBeVisible();
  });

  for (const p of everyone) await p.context.close();
});
