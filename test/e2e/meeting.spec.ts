import { expect, test } from "@playwright/test";
import {
  admit,
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

test("a whole meeting, as each person sees it, then the next meeting's follow-up", async ({
  browser,
}) => {
  const ana = await person(browser, "Ana", laptop);
  const ben = await person(browser, "Ben", phone);
  const chloe = await person(browser, "Chloé", laptop);
  const dev = await person(browser, "Dev", phone);
  const everyone = [ana, ben, chloe, dev];

  let memberLink = "";
  let facilitatorLink = "";

  await test.step("Ana creates a table and gets its two links", async () => {
    await ana.page.goto("/");
    await scan(ana.page, "landing");
    await ana.page
      .getByRole("textbox", { name: "Table name" })
      .fill("Engineering managers' circle");
    // A table lets in only the people its facilitator admits, unless she says otherwise.
    await expect(ana.page.getByRole("radio", { name: /^Members only/ })).toBeChecked();
    await expect(
      ana.page.getByText(
        "People you haven't let in wait until you admit them; nobody reads anything before.",
      ),
    ).toBeVisible();
    await expect(ana.page.getByRole("radio", { name: /^Anyone with the link/ })).not.toBeChecked();
    await shoot(ana.page, "create-table", ["phone"]);
    await ana.page.getByRole("button", { name: "Create table" }).click();
    await expect(ana.page.getByRole("heading", { name: "Your table is ready" })).toBeVisible();
    memberLink = await ana.page.getByRole("textbox", { name: "Member link" }).inputValue();
    facilitatorLink = await ana.page
      .getByRole("textbox", { name: "Facilitator link" })
      .inputValue();
    expect(memberLink).toMatch(/\/t\/[\w-]{16,}$/);
    expect(facilitatorLink).toBe(`${memberLink}#key=${facilitatorLink.split("#key=")[1]}`);
    await expect(ana.page.getByText("Keep the facilitator link private.")).toBeVisible();
    await expect(ana.page.getByRole("button", { name: "Copy member link" })).toBeVisible();
    await scan(ana.page, "created table");
    await shoot(ana.page, "landing");
  });

  await test.step("everyone joins by link, Ana lets each in once; Dev waits at the agreement", async () => {
    const keyRequests: string[] = [];
    ana.page.on("request", (r) => {
      if (!r.url().includes("/matchmake/") && /key=/.test(r.url())) keyRequests.push(r.url());
    });
    await join(ana, facilitatorLink);
    // The key leaves the address bar; it is kept in this browser only.
    expect(ana.page.url()).not.toContain("#key=");
    expect(keyRequests).toEqual([]);
    await expect(ana.page.getByRole("heading", { name: "Facilitator" })).toBeVisible();

    await expect(ana.page.getByRole("button", { name: "Copy invite link" })).toBeVisible();

    await join(ben, memberLink, { admittedBy: ana });
    await join(chloe, memberLink, { admittedBy: ana });
    // Dev joins with the keyboard alone: type, Enter.
    await dev.page.goto(memberLink);
    await dev.page.getByRole("textbox", { name: "Your name" }).fill("Dev");
    await dev.page.keyboard.press("Enter");
    await admit(ana, dev);
    await expect(dev.page.getByRole("button", { name: "I agree" })).toBeVisible();
    await scan(dev.page, "agreement");
    await shoot(dev.page, "agreement");

    await expectPhase([ana, ben, chloe], "Lobby");
    await expect(ana.page.getByRole("region", { name: /Who's here/ })).toContainText("Dev");
    await scan(ana.page, "lobby (facilitator)");
    await scan(ben.page, "lobby (member)");
    // Members see no facilitator controls.
    await expect(ben.page.getByRole("button", { name: "Start meeting" })).toHaveCount(0);
  });

  await test.step("check-in: a word each; Dev, not agreed yet, sees none of it", async () => {
    await ana.page.getByRole("button", { name: "Start meeting" }).click();
    await expectPhase([ana, ben, chloe], "Check-in");
    for (const [p, word] of [
      [ana, "Curious"],
      [ben, "Tired"],
      [chloe, "Hopeful"],
    ] as const) {
      await p.page.getByRole("textbox", { name: "One word" }).fill(word);
      await p.page.getByRole("button", { name: "Send", exact: true }).click();
    }
    await expect(ben.page.getByRole("region", { name: "Check-in words" })).toContainText("Curious");
    await expect(ben.page.getByRole("region", { name: "Check-in words" })).toContainText("Hopeful");
    await scan(ben.page, "check-in");

    // Not agreed: the agreement and nothing else; no word, no phase content.
    await expect(dev.page.getByRole("button", { name: "I agree" })).toBeVisible();
    await expect(dev.page.locator("body")).not.toContainText("Curious");
    await expect(dev.page.getByRole("textbox", { name: "One word" })).toHaveCount(0);

    await agree(dev);
    await expect(phaseHeading(dev.page, "Check-in")).toBeVisible();
    await expect(dev.page.getByRole("region", { name: "Check-in words" })).toContainText("Curious");
    await dev.page.getByRole("textbox", { name: "One word" }).fill("Focused");
    await dev.page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(ana.page.getByRole("region", { name: "Check-in words" })).toContainText("Focused");
    await shoot(dev.page, "check-in", ["phone"]);
  });

  await test.step("choosing: Ben volunteers, Ana chooses him", async () => {
    // Nothing to follow up at a table's first meeting: follow-up is skipped.
    await ana.page.getByRole("button", { name: "Next phase" }).click();
    await expectPhase(everyone, "Choosing a presenter");
    await expect(ana.page.getByRole("button", { name: "Copy invite link" })).toBeVisible();
    await scan(ana.page, "choosing (facilitator)");
    await ben.page.getByRole("button", { name: "Volunteer to present" }).click();
    await expect(ben.page.getByText("You volunteered.")).toBeVisible();
    await expect(ana.page.getByRole("main").getByText("Volunteered: Ben")).toBeVisible();
    // One volunteer: the console's next step chooses him (the chooser lists him too).
    await ana.page
      .getByRole("complementary", { name: "Facilitator" })
      .getByRole("button", { name: "Choose Ben to present" })
      .click();
    await expectPhase(everyone, "Presenting");
    await expect(ben.page.getByText("You're presenting.")).toBeVisible();
    await expect(chloe.page.getByText("Ben is presenting.")).toBeVisible();
    await expect(chloe.page.getByRole("timer", { name: /Presenting: \d+ min/ })).toBeVisible();
    await scan(chloe.page, "presenting");
  });

  await test.step("probing questions: live hints, the queue, the floor", async () => {
    await ana.page.getByRole("button", { name: "Move to probing questions" }).click();
    await expectPhase(everyone, "Probing questions");
    // The presenter asks no questions.
    await expect(ben.page.getByRole("textbox", { name: "Your question" })).toHaveCount(0);

    const chloeQuestion = chloe.page.getByRole("textbox", { name: "Your question" });
    await chloeQuestion.fill("Have you tried just talking to them?");
    await expect(chloe.page.getByText("Advice in disguise?")).toBeVisible();
    await chloe.page.getByRole("button", { name: "Use suggestion" }).click();
    await expect(chloeQuestion).toHaveValue("What have you tried so far?");
    await expect(chloe.page.getByText("Open question.")).toBeVisible();
    await chloe.page.getByRole("button", { name: "Ask", exact: true }).click();
    await expect(chloe.page.getByText("You're 1st")).toBeVisible();

    // Dev sends a closed question anyway: it is allowed, and the facilitator sees the tag.
    await dev.page
      .getByRole("textbox", { name: "Your question" })
      .fill("Is the team ready for it?");
    await expect(dev.page.getByText("Closed question.")).toBeVisible();
    await dev.page.getByRole("button", { name: "Ask", exact: true }).click();
    await expect(dev.page.getByText("You're 2nd")).toBeVisible();
    const questions = ana.page.getByRole("region", { name: /^Questions/ });
    await expect(questions.getByRole("listitem")).toHaveCount(2);
    await expect(questions.getByRole("listitem").nth(1)).toContainText("Closed?");
    await expect(ben.page.getByRole("region", { name: /^Questions/ })).toContainText(
      "Is the team ready for it?",
    );
    await scan(dev.page, "questions (member)");
    await scan(ana.page, "questions (facilitator)");
    await shoot(dev.page, "questions");

    // The presenter gives the floor to the head of the queue; Chloé's hand drops.
    await ben.page.getByRole("button", { name: "Give the floor", exact: true }).click();
    await expect(chloe.page.getByRole("heading", { name: "You have the floor" })).toBeVisible();
    await expect(chloe.page.getByRole("timer", { name: /Turn: .* left/ })).toBeVisible();
    for (const p of [ana, ben, dev]) {
      await expect(p.page.getByRole("heading", { name: "Chloé has the floor" })).toBeVisible();
    }
    await expect(dev.page.getByText("You're 1st")).toBeVisible();
    await expect(
      chloe.page.getByRole("region", { name: /Hands up/ }).getByText("You have the floor."),
    ).toBeVisible();
    await chloe.page.getByRole("button", { name: "Done", exact: true }).click();
    await expect(ana.page.getByRole("heading", { name: "Nobody has the floor" })).toBeVisible();

    // The facilitator's next step names who gets the floor.
    const give = ana.page.getByRole("button", { name: "Give the floor", exact: true });
    await expect(give).toContainText("Give the floor to Dev");
    await give.click();
    await expect(dev.page.getByRole("heading", { name: "You have the floor" })).toBeVisible();
    await dev.page.getByRole("button", { name: "Done", exact: true }).click();
    await expect(
      ana.page.getByRole("region", { name: /^Questions/ }).getByText("Answered", { exact: true }),
    ).toHaveCount(2);
  });

  await test.step("experience shares: a note with a hint, a reload keeps the seat", async () => {
    await ana.page.getByRole("button", { name: "Move to experience shares" }).click();
    await expectPhase(everyone, "Experience shares");
    await expect(ben.page.getByText("You listen in your own round")).toBeVisible();
    await expect(ben.page.getByRole("button", { name: "Raise hand" })).toHaveCount(0);

    await dev.page
      .getByRole("textbox", { name: /What you'll share/ })
      .fill("You should just fire him");
    await expect(dev.page.getByText("Sounds like advice.")).toBeVisible();
    await dev.page.getByRole("button", { name: "Use suggestion" }).click();
    await expect(dev.page.getByRole("textbox", { name: /What you'll share/ })).toHaveValue(
      /^When I/,
    );
    await dev.page.getByRole("button", { name: "Raise hand" }).click();
    await expect(dev.page.getByText("You're 1st")).toBeVisible();
    await chloe.page.getByRole("button", { name: "Raise hand" }).click();
    await expect(chloe.page.getByText("You're 2nd")).toBeVisible();

    // A reload mid-meeting returns Chloé to her seat: no name, no agreement, hand still up.
    await chloe.page.reload();
    await expect(phaseHeading(chloe.page, "Experience shares")).toBeVisible();
    // The meeting is on screen within a second of opening the link (time since navigation start).
    const shownAfter = await chloe.page.evaluate(() => {
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Infinity;
      return { fcp, meeting: performance.now() };
    });
    console.log(
      `reload: first paint ${Math.round(shownAfter.fcp)} ms; meeting shown by ${Math.round(shownAfter.meeting)} ms`,
    );
    expect(shownAfter.fcp).toBeLessThan(1000);
    expect(shownAfter.meeting).toBeLessThan(1000);
    await expect(chloe.page.getByText("You're 2nd")).toBeVisible();
    await expect(chloe.page.getByRole("textbox", { name: "Your name" })).toHaveCount(0);
    await expect(ana.page.getByRole("region", { name: /Who's here/ })).toContainText("4 of 4");

    const queue = ana.page.getByRole("region", { name: /Hands up/ });
    await expect(queue.getByRole("listitem")).toHaveCount(2);
    await expect(queue.getByRole("listitem").first()).toContainText("When I");
    await scan(ana.page, "experiences (facilitator)");
    await scan(dev.page, "experiences (member)");
    await shoot(ana.page, "facilitator");

    await ana.page.getByRole("button", { name: "Give the floor", exact: true }).click();
    await expect(dev.page.getByRole("heading", { name: "You have the floor" })).toBeVisible();
    await expect(ben.page.getByText("Sharing: “When I")).toBeVisible();
    await dev.page.getByRole("button", { name: "Done", exact: true }).click();
    await ana.page.getByRole("button", { name: "Give the floor", exact: true }).click();
    await expect(chloe.page.getByRole("heading", { name: "You have the floor" })).toBeVisible();
    // The facilitator can end someone's turn.
    await ana.page.getByRole("button", { name: "End turn" }).click();
    await expect(chloe.page.getByRole("heading", { name: "Nobody has the floor" })).toBeVisible();
    const airtime = ana.page.getByRole("region", { name: "Airtime" }).getByRole("listitem");
    await expect(airtime.filter({ hasText: "Dev" })).not.toContainText("not heard yet");
    await expect(airtime.filter({ hasText: "Ana" })).toContainText("not heard yet");
  });

  await test.step("commitment: the presenter adds and removes; everyone sees them", async () => {
    await ana.page.getByRole("button", { name: "Move to commitment" }).click();
    await expectPhase(everyone, "Commitment");
    await expect(chloe.page.getByRole("textbox", { name: "Commitment" })).toHaveCount(0);
    for (const text of ["Write the leveling chart draft", "Talk to HR about bands"]) {
      await ben.page.getByRole("textbox", { name: "Commitment" }).fill(text);
      await ben.page.getByRole("button", { name: "Add commitment" }).click();
      await expect(
        chloe.page.getByRole("region", { name: "Commitments this round" }),
      ).toContainText(text);
    }
    await scan(ben.page, "commitment (presenter)");

    // A dropped connection shows "Reconnecting…" and comes back to the same seat.
    await dev.context.setOffline(true);
    await expect(dev.page.getByText("Reconnecting…")).toBeVisible();
    await dev.context.setOffline(false);
    await expect(dev.page.getByText("Reconnecting…")).toBeHidden();
    await expect(phaseHeading(dev.page, "Commitment")).toBeVisible();
    await ben.page
      .getByRole("region", { name: "Commitments this round" })
      .getByRole("listitem")
      .filter({ hasText: "Talk to HR" })
      .getByRole("button", { name: "Remove" })
      .click();
    await expect(
      dev.page.getByRole("region", { name: "Commitments this round" }),
    ).not.toContainText("Talk to HR");
    await ana.page.getByRole("button", { name: "Finish the round" }).click();
    await expectPhase(everyone, "Choosing a presenter");
    await ana.page.getByRole("button", { name: "Move to closing" }).click();
    await expectPhase(everyone, "Closing");
    await expect(ana.page.getByRole("button", { name: "Copy invite link" })).toBeVisible();
  });

  await test.step("closing: a revealed trust pulse, one-word close, recap and trend", async () => {
    await ana.page.getByRole("button", { name: "Open pulse" }).click();
    const scores = { Ana: "4", Ben: "4", Chloé: "5", Dev: "3" } as Record<string, string>;
    for (const p of everyone) {
      const pulse = p.page.getByRole("group", { name: "Trust pulse" });
      await expect(pulse.getByRole("button")).toHaveText(["1", "2", "3", "4", "5"]);
      await expect(p.page.getByText(/Answers are anonymous/).first()).toBeVisible();
      await pulse.getByRole("button", { name: scores[p.name], exact: true }).click();
      await expect(p.page.getByText("your answer is in")).toBeVisible();
    }
    await scan(dev.page, "pulse answered");
    await ana.page.getByRole("button", { name: "Close pulse" }).click();
    for (const p of everyone) {
      await expect(p.page.getByText(/^Mean 4\.0 out of 5/)).toBeVisible();
      // Four answers: the mean alone, no histogram.
      await expect(p.page.getByText("Counts show from 5 answers.")).toBeVisible();
      await expect(p.page.getByRole("list", { name: "Answers by score" })).toHaveCount(0);
    }
    for (const [p, word] of [
      [ana, "Thankful"],
      [ben, "Lighter"],
      [chloe, "Inspired"],
      [dev, "Ready"],
    ] as const) {
      await p.page.getByRole("textbox", { name: "One word" }).fill(word);
      await p.page.getByRole("button", { name: "Send", exact: true }).click();
    }
    await expect(chloe.page.getByRole("region", { name: "Closing words" })).toContainText("Ready");
    const recap = ben.page.getByRole("region", { name: "Recap" });
    await expect(recap.getByRole("region", { name: "Commitments made today" })).toContainText(
      "Ben: Write the leveling chart draft",
    );
    await expect(recap).toContainText("Latest mean 4.0 out of 5 (4 answers");
    await scan(ben.page, "closing");
    await scan(ana.page, "closing (facilitator)");
    await shoot(chloe.page, "recap");
  });

  await test.step("end: everyone sees the meeting ended", async () => {
    await ana.page.getByRole("button", { name: "End meeting", exact: true }).click();
    await ana.page.getByRole("button", { name: "End the meeting for everyone" }).click();
    await expectPhase(everyone, "Meeting ended");
    await scan(dev.page, "ended");
  });

  await test.step("the next meeting follows up Ben's commitment; a small pulse is withheld", async () => {
    for (const p of [ana, ben, chloe]) {
      await p.page.getByRole("button", { name: "Join the table's next meeting" }).click();
      await agree(p);
    }
    await expectPhase([ana, ben, chloe], "Lobby");
    await ana.page.getByRole("button", { name: "Start meeting" }).click();
    await ana.page.getByRole("button", { name: "Next phase" }).click();
    await expectPhase([ana, ben, chloe], "Follow-up: how'd it go?");
    const item = ben.page.getByRole("group", { name: "Write the leveling chart draft" });
    await expect(item.getByRole("button")).toHaveText(["Done", "Partly", "Not done"]);
    await expect(
      chloe.page.getByRole("group", { name: "Write the leveling chart draft" }),
    ).toHaveCount(0);
    await ben.page.getByRole("textbox", { name: /How did it go/ }).fill("Shared it with the team");
    await item.getByRole("button", { name: "Done", exact: true }).click();
    await expect(item.getByRole("button", { name: "Done", exact: true })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    await expect(chloe.page.getByText("Shared it with the team")).toBeVisible();
    await scan(ben.page, "follow-up");
    await shoot(ben.page, "follow-up", ["phone"]);

    await ana.page.getByRole("button", { name: "Open pulse" }).click();
    for (const p of [ben, chloe]) {
      await p.page
        .getByRole("group", { name: "Trust pulse" })
        .getByRole("button", { name: "2", exact: true })
        .click();
    }
    await ana.page.getByRole("button", { name: "Close pulse" }).click();
    for (const p of [ana, ben, chloe]) {
      await expect(p.page.getByText("Not enough answers to show (2 of 3).")).toBeVisible();
    }
    await ana.page.getByRole("button", { name: "End meeting", exact: true }).click();
    await ana.page.getByRole("button", { name: "End the meeting for everyone" }).click();
    await expectPhase([ana, ben, chloe], "Meeting ended");
  });

  for (const p of everyone) await p.context.close();
});

test("facilitation is handed off and taken back; a removed member is told; a second window takes the seat", async ({
  browser,
}) => {
  // Not about admission: anyone with the link comes in, as at a version-1 table.
  const table = await createTable("Founders' forum", "open");
  const ana = await person(browser, "Ana", laptop);
  const ben = await person(browser, "Ben", phone);
  const dev = await person(browser, "Dev", phone);
  await join(ana, `${table.link}#key=${table.facilitatorKey}`);
  await join(ben, table.link);
  await join(dev, table.link);

  await ana.page.getByText("Member controls").click();
  await ana.page.getByRole("button", { name: "Make Ben facilitator" }).click();
  await expect(ben.page.getByRole("heading", { name: "Facilitator", exact: true })).toBeVisible();
  await expect(ana.page.getByRole("heading", { name: "Facilitator", exact: true })).toHaveCount(0);
  await expect(ben.page.getByRole("button", { name: "Start meeting" })).toBeVisible();
  // Ana holds the table's key: she can take the role back at once.
  await ana.page.getByRole("button", { name: "Take back facilitation" }).click();
  await expect(ana.page.getByRole("button", { name: "Start meeting" })).toBeVisible();
  await expect(ben.page.getByRole("button", { name: "Start meeting" })).toHaveCount(0);

  await ana.page.getByText("Member controls").click();
  await ana.page.getByRole("button", { name: "Remove Dev" }).click();
  await ana.page.getByRole("button", { name: "Confirm: remove Dev" }).click();
  await expect(dev.page.getByText("The facilitator removed you from this meeting.")).toBeVisible();
  await expect(ana.page.getByRole("region", { name: /Who's here/ })).not.toContainText("Dev");

  // The same person opening the table in a second window takes the seat there.
  const second = await ben.context.newPage();
  await second.goto(table.link);
  await expect(phaseHeading(second, "Lobby")).toBeVisible();
  await expect(ben.page.getByText("You joined this meeting from another window.")).toBeVisible();
  await expect(ben.page.getByRole("button", { name: "Rejoin" })).toBeVisible();
  await scan(ben.page, "replaced");

  for (const p of [ana, ben, dev]) await p.context.close();
});

test("an unknown table says so plainly", async ({ browser }) => {
  const eve: Person = await person(browser, "Eve", phone);
  await eve.page.goto("/t/no-such-table-here");
  await expect(eve.page.getByRole("heading", { name: "This table does not exist" })).toBeVisible();
  await scan(eve.page, "unknown table");
  await eve.context.close();
});
