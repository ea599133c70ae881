import { AxeBuilder } from "@axe-core/playwright";
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join as joinPath } from "node:path";

/** The server global-setup started. */
export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error("E2E_BASE_URL is not set: run through playwright.config.ts");
  return url;
}

export const phone = { width: 390, height: 844 };
export const laptop = { width: 1280, height: 800 };

/** One person at the table: their own browser context (own storage), one page. */
export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
}

export async function person(
  browser: Browser,
  name: string,
  viewport: { width: number; height: number },
): Promise<Person> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl(), colorScheme: "light" });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[${name}] page error:`, error.message));
  return { name, context, page };
}

/**
 * Opens a table link, types the name, joins; agrees to confidentiality unless told not to. At a
 * "Members only" table someone the table does not know yet waits: `admittedBy` lets them in.
 */
export async function join(
  p: Person,
  link: string,
  options: { agree?: boolean; admittedBy?: Person } = {},
): Promise<void> {
  await p.page.goto(link);
  await p.page.getByRole("textbox", { name: "Your name" }).fill(p.name);
  await p.page.getByRole("button", { name: "Join", exact: true }).click();
  if (options.admittedBy) await admit(options.admittedBy, p);
  await expect(p.page.getByRole("button", { name: "I agree" })).toBeVisible();
  if (options.agree !== false) await agree(p);
}

/** Asks to join a "Members only" table: the person sees that they wait to be let in. */
export async function ask(p: Person, link: string): Promise<void> {
  await p.page.goto(link);
  await p.page.getByRole("textbox", { name: "Your name" }).fill(p.name);
  await p.page.getByRole("button", { name: "Join", exact: true }).click();
  await expect(waitingHeading(p.page)).toBeVisible();
}

/** The facilitator lets a waiting person in. */
export async function admit(facilitator: Person, p: Person): Promise<void> {
  await expect(waitingHeading(p.page)).toBeVisible();
  await facilitator.page.getByRole("button", { name: `Admit ${p.name}`, exact: true }).click();
}

export function waitingHeading(page: Page) {
  return page.getByRole("heading", { level: 1, name: "Waiting to be let in" });
}

/** Creates a table through the API (not the landing page), as "Members only" unless told. */
export async function createTable(
  name: string,
  admission?: "members" | "open",
): Promise<{ tableId: string; link: string; facilitatorKey: string }> {
  const res = await fetch(`${baseUrl()}/api/tables`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admission ? { name, admission } : { name }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { tableId: string; link: string; facilitatorKey: string };
}

export async function agree(p: Person): Promise<void> {
  await p.page.getByRole("button", { name: "I agree" }).click();
  await expect(p.page.getByRole("heading", { level: 1 })).not.toHaveText(/Before you enter/);
}

/** The phase heading every person sees at the top of the stage. */
export function phaseHeading(page: Page, phase: string) {
  return page.getByRole("heading", { level: 1, name: phase, exact: true });
}

export async function expectPhase(people: Person[], phase: string): Promise<void> {
  for (const p of people) await expect(phaseHeading(p.page, phase)).toBeVisible();
}

/** An axe-core scan: no serious or critical violation on the page as it is now. */
export async function scan(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  expect(serious, `accessibility violations on ${screen}`).toEqual([]);
}

const shots = joinPath(import.meta.dirname, "..", "..", "docs", "screenshots");

/** Saves the page as it is now at phone and/or laptop size into docs/screenshots/. */
export async function shoot(
  page: Page,
  screen: string,
  sizes: ("phone" | "laptop")[] = ["phone", "laptop"],
  /** The whole page (default), or what the screen shows: a modal covers only the screen. */
  fullPage = true,
): Promise<void> {
  mkdirSync(shots, { recursive: true });
  const original = page.viewportSize();
  for (const size of sizes) {
    await page.setViewportSize(size === "phone" ? phone : laptop);
    await page.evaluate(() => window.scrollTo(0, 0));
    // Let the layout settle before the picture.
    await page.waitForTimeout(150);
    await page.screenshot({
      path: joinPath(shots, `${screen}-${size}.png`),
      fullPage,
      animations: "disabled",
    });
  }
  if (original) await page.setViewportSize(original);
}
