import { expect, test } from "@playwright/test";
import {
  agree,
  ask,
  createTable,
  join,
  laptop,
  person,
  phaseHeading,
  phone,
  scan,
  shoot,
  waitingHeading,
} from "./people.ts";

test("a stranger waits until the facilitator admits them; another is declined", async ({
  browser,
}) => {
  const table = await createTable("Engineering managers' circle");
  const ana = await person(browser, "Ana", laptop);
  const eve = await person(browser, "Eve", phone);
  const mallory = await person(browser, "Mallory", phone);
  await join(ana, `${table.link}#key=${table.facilitatorKey}`);
  await expect(phaseHeading(ana.page, "Lobby")).toBeVisible();

  await test.step("Eve opens the link and waits, seeing nothing of the meeting", async () => {
    await ask(eve, table.link);
    await expect(eve.page.getByText("Engineering managers' circle").first()).toBeVisible();
    await expect(eve.page.getByText(/Nothing of the meeting is shown/)).toBeVisible();
    // No member's name, no agreement, no meeting.
    await expect(eve.page.locator("body")).not.toContainText("Ana");
    await expect(eve.page.getByRole("button", { name: "I agree" })).toHaveCount(0);
    await scan(eve.page, "waiting");
    await shoot(eve.page, "waiting");
  });

  await test.step("the facilitator sees who waits, since when and why, and is told", async () => {
    await ask(mallory, table.link);
    const prompt = ana.page.getByRole("region", { name: /to be let in/ });
    await expect(prompt).toBeVisible();
    await expect(prompt).toContainText("Eve");
    await expect(prompt).toContainText("never admitted");
    await expect(prompt).toContainText(/waiting less than a minute/);
    await expect(ana.page.getByRole("alert")).toContainText(
      /Mallory\u2069? is waiting to be let in\./,
    );
    await expect(prompt.getByRole("button", { name: "Admit Eve", exact: true })).toBeVisible();
    await expect(
      prompt.getByRole("button", { name: "Decline Mallory", exact: true }),
    ).toBeVisible();
    await scan(ana.page, "admission prompt");
    await shoot(ana.page, "admission");
  });

  await test.step("Ana admits Eve: Eve agrees and sees the meeting", async () => {
    await ana.page.getByRole("button", { name: "Admit Eve", exact: true }).click();
    await expect(eve.page.getByRole("button", { name: "I agree" })).toBeVisible();
    await agree(eve);
    await expect(phaseHeading(eve.page, "Lobby")).toBeVisible();
    await expect(eve.page.getByRole("region", { name: /Who's here/ })).toContainText("Ana");
    await expect(ana.page.getByRole("region", { name: /Who's here/ })).toContainText("Eve");
  });

  await test.step("Ana declines Mallory: Mallory is told, and sees nothing", async () => {
    await ana.page.getByRole("button", { name: "Decline Mallory", exact: true }).click();
    await expect(mallory.page.getByText("The facilitator did not let you in.")).toBeVisible();
    await expect(mallory.page.locator("body")).not.toContainText("Eve");
    await expect(ana.page.getByRole("region", { name: /to be let in/ })).toHaveCount(0);
    await scan(mallory.page, "declined");
  });

  await test.step("Eve makes her laptop the same member with her personal link", async () => {
    await eve.page.getByRole("button", { name: "Use on another device" }).click();
    const panel = eve.page.getByRole("dialog", { name: "Use on another device" });
    await expect(panel.getByRole("img", { name: "QR code of your personal link" })).toBeVisible();
    await expect(
      panel.getByText("Anyone with this link is you at this table. Don't share it."),
    ).toBeVisible();
    const personal = await panel.getByRole("textbox", { name: "Your personal link" }).inputValue();
    expect(personal).toMatch(new RegExp(`/t/${table.tableId}#member=[\\w-]{43}$`));
    await scan(eve.page, "another device");
    await shoot(eve.page, "another-device", ["phone"]);
    await panel.getByRole("button", { name: "Close" }).click();

    const laptopEve = await person(browser, "Eve", laptop);
    const requests: string[] = [];
    laptopEve.page.on("request", (r) => requests.push(r.url()));
    await laptopEve.page.goto(personal);
    // The key leaves the address bar at once, and never travels in a URL.
    await expect(laptopEve.page.getByRole("textbox", { name: "Your name" })).toBeVisible();
    expect(laptopEve.page.url()).not.toContain("#member=");
    expect(requests.filter((u) => u.includes(personal.split("#member=")[1]!))).toEqual([]);
    await laptopEve.page.getByRole("textbox", { name: "Your name" }).fill("Eve");
    await laptopEve.page.getByRole("button", { name: "Join", exact: true }).click();
    // Eve is on the roster, and agreed on her phone: the meeting shows at once.
    await expect(phaseHeading(laptopEve.page, "Lobby")).toBeVisible();
    await expect(waitingHeading(laptopEve.page)).toHaveCount(0);
    // The newer connection takes the seat; the phone says so.
    await expect(eve.page.getByText("You joined this meeting from another window.")).toBeVisible();
    await laptopEve.context.close();
    await eve.page.getByRole("button", { name: "Rejoin" }).click();
    await expect(phaseHeading(eve.page, "Lobby")).toBeVisible();
  });

  await test.step("a removed member is told they would wait to be let in again", async () => {
    await ana.page.getByText("Member controls").click();
    await ana.page.getByRole("button", { name: "Remove Eve" }).click();
    await ana.page.getByRole("button", { name: "Confirm: remove Eve" }).click();
    await expect(
      eve.page.getByText(/you will wait for the facilitator to let you in/),
    ).toBeVisible();
  });

  for (const p of [ana, eve, mallory]) await p.context.close();
});
