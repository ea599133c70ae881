// The table's page between meetings: what a member reads, what the facilitator plans and sets,
// and who sees nothing but the name. fetch is a fake that records every request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { render } from "vitest-browser-svelte";
import BetweenMeetings from "../../client/components/between/BetweenMeetings.svelte";
import TablePage from "../../client/components/TablePage.svelte";
import type { MyCommitment, TableInfo, Timeboxes } from "../../client/lib/api.ts";
import TablePageHarness from "./TablePageHarness.svelte";
import { meeting } from "./fixtures.ts";

const memberKey = "m".repeat(43);
const facilitatorKey = "F".repeat(32);
const day = 86_400_000;
const next = Date.now() + 7 * day;

const table = (extra: Partial<TableInfo> = {}): TableInfo => ({
  tableId: "t1",
  name: "Founders' circle",
  openCommitments: 1,
  meetings: 2,
  trust: [
    { endedAt: Date.now() - 30 * day, answered: 4, mean: 3.8 },
    { endedAt: Date.now() - 2 * day, answered: 5, mean: 4.2 },
  ],
  format: "roundtable",
  admission: "members",
  timeboxes: {
    presentingMin: 10,
    questionsMin: 10,
    experiencesMin: 20,
    turnMin: 2,
    commitmentMin: 5,
    updateMin: 5,
  },
  nextMeetingAt: next,
  nextPresenters: ["chloe", "ben"],
  roster: [
    { memberId: "ana", name: "Ana" },
    { memberId: "ben", name: "Ben" },
    { memberId: "chloe", name: "Chloé" },
  ],
  history: [
    {
      startedAt: Date.now() - 30 * day,
      endedAt: Date.now() - 30 * day + 7_200_000,
      members: 3,
      rounds: 1,
      made: 2,
      done: 0,
      partly: 0,
      notDone: 0,
    },
    {
      startedAt: Date.now() - 2 * day,
      endedAt: Date.now() - 2 * day + 7_200_000,
      members: 4,
      rounds: 2,
      made: 1,
      done: 1,
      partly: 1,
      notDone: 0,
    },
  ],
  meetingNow: false,
  you: { memberId: "ben", facilitator: false },
  ...extra,
});

const mine: MyCommitment[] = [
  {
    id: "c2",
    text: "Offer the raise in writing",
    status: "open",
    createdAt: Date.now() - 2 * day,
    followUps: [],
  },
  {
    id: "c1",
    text: "Write the leveling chart",
    status: "done",
    createdAt: Date.now() - 30 * day,
    followUps: [
      { status: "done", note: "Shared it with the team", reportedAt: Date.now() - 2 * day },
    ],
  },
];

interface Call {
  url: string;
  method: string;
  auth: string | null;
  body: unknown;
}

/** A fake fetch: each answer is chosen by the request; every request is kept. */
function fakeFetch(answer: (call: Call) => { status: number; body: unknown }): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const call: Call = {
      url: String(input),
      method: init.method ?? "GET",
      auth: headers.get("authorization"),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const { status, body } = answer(call);
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("the table's page for a member", () => {
  it("shows the next meeting, the presenters in order, my commitments, the group and its history", async () => {
    const calls = fakeFetch(() => ({ status: 200, body: mine }));
    const onEnter = vi.fn();
    const screen = await render(BetweenMeetings, {
      tableId: "t1",
      info: table(),
      memberKey,
      onEnter,
      onChanged: () => {},
    });

    await expect
      .element(screen.getByRole("heading", { level: 1 }))
      .toHaveTextContent("Founders' circle");
    const nextMeeting = screen.getByRole("region", { name: "Next meeting", exact: true });
    await expect.element(nextMeeting).toHaveTextContent("In 7 days.");
    await expect
      .element(nextMeeting.getByRole("button", { name: "Add to calendar" }))
      .toBeVisible();
    const presenters = nextMeeting
      .getByRole("list", { name: "Presenting next" })
      .getByRole("listitem");
    await expect.element(presenters.nth(0)).toHaveTextContent("Chloé");
    await expect.element(presenters.nth(1)).toHaveTextContent("Ben");

    // My commitments: read with my member key in the header, never in the address.
    const own = screen.getByRole("region", { name: "My commitments" });
    await expect
      .element(own.getByRole("region", { name: "Open" }))
      .toHaveTextContent("Offer the raise in writing");
    await expect
      .element(own.getByRole("region", { name: "Past" }))
      .toHaveTextContent(/Write the leveling chart.*Done.*Shared it with the team/);
    expect(calls).toEqual([
      {
        url: "/api/tables/t1/commitments",
        method: "GET",
        auth: `Bearer ${memberKey}`,
        body: undefined,
      },
    ]);

    await expect
      .element(screen.getByRole("region", { name: "Members", exact: true }))
      .toHaveTextContent(/Ana\s*Ben\s*\(you\)\s*Chloé/);

    // Each chart is a picture with words, and a table of its numbers.
    const history = screen.getByRole("region", { name: "The group's history" });
    await expect
      .element(history.getByRole("img", { name: /^Commitments per meeting/ }))
      .toHaveAccessibleName(/3 commitments made; follow-up answers 1 done, 1 partly, 0 not done/);
    await expect
      .element(history.getByRole("img", { name: /^Members at each meeting/ }))
      .toHaveAccessibleName(/Last meeting 4 members/);
    await expect
      .element(history.getByRole("img", { name: /^Trust over time/ }))
      .toBeInTheDocument();
    await history.getByText("Commitments as a table").click();
    const rows = history.getByRole("table", { name: /Commitments made/ }).getByRole("row");
    await expect.element(rows.nth(2)).toHaveTextContent(/1\s*1\s*1\s*0$/);

    // No planning for a member.
    await expect
      .element(screen.getByRole("region", { name: "Plan the next meeting" }))
      .not.toBeInTheDocument();
    await screen.getByRole("button", { name: "Join the meeting" }).click();
    expect(onEnter).toHaveBeenCalledOnce();
  });

  it("says plainly what is not planned yet and when nothing was committed", async () => {
    fakeFetch(() => ({ status: 200, body: [] }));
    const screen = await render(BetweenMeetings, {
      tableId: "t1",
      info: table({ nextMeetingAt: null, nextPresenters: [], history: [], trust: [] }),
      memberKey,
      onEnter: () => {},
      onChanged: () => {},
    });
    const nextMeeting = screen.getByRole("region", { name: "Next meeting", exact: true });
    await expect
      .element(nextMeeting)
      .toHaveTextContent("Not planned yet. The facilitator plans it.");
    await expect
      .element(nextMeeting.getByRole("button", { name: "Add to calendar" }))
      .not.toBeInTheDocument();
    await expect
      .element(screen.getByRole("region", { name: "My commitments" }))
      .toHaveTextContent("You have made no commitment at this table yet.");
    await expect
      .element(screen.getByRole("region", { name: "The group's history" }))
      .toHaveTextContent("No meeting has ended at this table yet");
  });
});

describe("the table's page over a running meeting", () => {
  it("takes the focus to its heading and goes back to the meeting", async () => {
    fakeFetch(() => ({ status: 200, body: mine }));
    const onEnter = vi.fn();
    const screen = await render(BetweenMeetings, {
      tableId: "t1",
      info: table({ meetingNow: true }),
      memberKey,
      inMeeting: true,
      onEnter,
      onChanged: () => {},
    });
    await expect.element(screen.getByRole("heading", { level: 1 })).toHaveFocus();
    await expect.element(screen.getByText("Your seat in the meeting is kept")).toBeVisible();
    await screen.getByRole("button", { name: "Back to the meeting" }).click();
    expect(onEnter).toHaveBeenCalledOnce();
  });
});

describe("the way to the table's page from the meeting", () => {
  it("is a Table page button in the header, for a member the table knows", async () => {
    const onOpen = vi.fn();
    const screen = await render(TablePageHarness, {
      meeting: meeting({ phase: "checkIn" }),
      available: true,
      onOpen,
    });
    await screen.getByRole("button", { name: "Table page" }).click();
    expect(onOpen).toHaveBeenCalledOnce();
  });

  it("is not there for someone the table does not know", async () => {
    const screen = await render(TablePageHarness, {
      meeting: meeting({ phase: "checkIn" }),
      available: false,
      onOpen: () => {},
    });
    await expect.element(screen.getByText("Engineering managers' circle")).toBeVisible();
    await expect
      .element(screen.getByRole("button", { name: "Table page" }))
      .not.toBeInTheDocument();
  });
});

describe("the facilitator's planning and settings", () => {
  it("plans the date and the presenters in order, and saves them with the facilitator key", async () => {
    let saved = table({ you: { memberId: "ana", facilitator: true } });
    const calls = fakeFetch((call) => {
      if (call.method === "PATCH") {
        saved = { ...saved, ...(call.body as Partial<TableInfo>) };
        return { status: 200, body: saved };
      }
      return { status: 200, body: [] };
    });
    const onChanged = vi.fn();
    const screen = await render(BetweenMeetings, {
      tableId: "t1",
      info: table({
        nextMeetingAt: null,
        nextPresenters: ["chloe"],
        you: { memberId: "ana", facilitator: true },
      }),
      memberKey,
      facilitatorKey,
      onEnter: () => {},
      onChanged,
    });
    await expect.element(screen.getByRole("button", { name: "Start the meeting" })).toBeVisible();
    const plan = screen.getByRole("region", { name: "Plan the next meeting" });
    await plan.getByLabelText("Date of the next meeting").fill("2031-03-14");
    await plan.getByLabelText("Time").fill("18:30");
    await plan.getByRole("combobox", { name: "Add a presenter" }).selectOptions("Ben");
    await plan.getByRole("button", { name: "Add", exact: true }).click();
    await plan.getByRole("combobox", { name: "Add a presenter" }).selectOptions("Ana");
    await plan.getByRole("button", { name: "Add", exact: true }).click();
    await plan.getByRole("button", { name: "Move Ana up" }).click();
    await plan.getByRole("button", { name: "Remove Chloé from the presenters" }).click();
    const order = plan.getByRole("group", { name: "Presenters, in order" }).getByRole("listitem");
    await expect.element(order.nth(0)).toHaveTextContent("Ana");
    await expect.element(order.nth(1)).toHaveTextContent("Ben");
    await expect.element(plan.getByRole("button", { name: "Move Ana up" })).toBeDisabled();

    await plan.getByRole("button", { name: "Save plan" }).click();
    await expect.element(plan.getByRole("status")).toHaveTextContent("The plan is saved");
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch).toEqual({
      url: "/api/tables/t1",
      method: "PATCH",
      auth: `Bearer ${facilitatorKey}`,
      body: {
        nextMeetingAt: new Date(2031, 2, 14, 18, 30).getTime(),
        nextPresenters: ["ana", "ben"],
      },
    });
    expect(onChanged).toHaveBeenCalledOnce();
  });

  it("says the server's refusal of a date in the form's words, and clears a date", async () => {
    const calls = fakeFetch((call) =>
      call.method === "PATCH" && (call.body as TableInfo).nextMeetingAt !== null
        ? {
            status: 400,
            body: {
              error: {
                code: "invalid",
                message: "nextMeetingAt must lie between a day ago and two years from now.",
              },
            },
          }
        : { status: 200, body: call.method === "PATCH" ? table() : [] },
    );
    const screen = await render(BetweenMeetings, {
      tableId: "t1",
      info: table({ you: { memberId: "ana", facilitator: true } }),
      memberKey,
      facilitatorKey,
      onEnter: () => {},
      onChanged: () => {},
    });
    const plan = screen.getByRole("region", { name: "Plan the next meeting" });
    await plan.getByLabelText("Date of the next meeting").fill("2020-01-01");
    await plan.getByRole("button", { name: "Save plan" }).click();
    await expect
      .element(plan.getByRole("alert"))
      .toHaveTextContent("The date must lie between a day ago and two years from now.");
    await plan.getByRole("button", { name: "Clear the date" }).click();
    await plan.getByRole("button", { name: "Save plan" }).click();
    await expect.element(plan.getByRole("status")).toHaveTextContent("The plan is saved");
    expect(calls.at(-1)?.body).toEqual({ nextMeetingAt: null, nextPresenters: ["chloe", "ben"] });
  });

  it("shows the server's refusal of a timebox on the field, and saves the format", async () => {
    const calls = fakeFetch((call) => {
      if (call.method !== "PATCH") return { status: 200, body: [] };
      const body = call.body as { timeboxes: Timeboxes };
      if (body.timeboxes.turnMin > 120) {
        return {
          status: 400,
          body: {
            error: {
              code: "invalid",
              message: "timeboxes.turnMin must be whole minutes from 1 to 120.",
            },
          },
        };
      }
      return { status: 200, body: table({ ...body, you: { memberId: "ana", facilitator: true } }) };
    });
    const screen = await render(BetweenMeetings, {
      tableId: "t1",
      info: table({ you: { memberId: "ana", facilitator: true } }),
      memberKey,
      facilitatorKey,
      onEnter: () => {},
      onChanged: () => {},
    });
    const settings = screen.getByRole("region", { name: "Settings" });
    const turn = settings.getByRole("spinbutton", { name: "Each speaker" });
    await expect.element(turn).toHaveValue(2);
    await turn.fill("300");
    await settings.getByRole("radio", { name: /Forum/ }).click();
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect
      .element(settings.getByRole("alert"))
      .toHaveTextContent("“Each speaker” must be whole minutes from 1 to 120.");
    await expect.element(turn).toHaveAttribute("aria-invalid", "true");
    await expect.element(turn).toHaveAccessibleDescription(/must be whole minutes/);

    await turn.fill("3");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect.element(settings.getByRole("status")).toHaveTextContent("Saved");
    await expect.element(turn).toHaveAttribute("aria-invalid", "false");
    expect(calls.filter((c) => c.method === "PATCH").at(-1)).toMatchObject({
      auth: `Bearer ${facilitatorKey}`,
      body: {
        format: "forum",
        timeboxes: {
          presentingMin: 10,
          questionsMin: 10,
          experiencesMin: 20,
          turnMin: 3,
          commitmentMin: 5,
          updateMin: 5,
        },
      },
    });
  });
});

describe("opening the table's link", () => {
  it("a stranger sees only the name and the way to ask in, and sends no key", async () => {
    const calls = fakeFetch(() => ({
      status: 200,
      body: { tableId: "t1", name: "Founders' circle" },
    }));
    const screen = await render(TablePage, { tableId: "t1" });
    await expect
      .element(screen.getByRole("heading", { level: 1, name: "Join Founders' circle" }))
      .toBeVisible();
    await expect.element(screen.getByRole("textbox", { name: "Your name" })).toBeVisible();
    await expect
      .element(screen.getByRole("region", { name: "Next meeting", exact: true }))
      .not.toBeInTheDocument();
    expect(calls.map((c) => [c.url, c.auth])).toEqual([["/api/tables/t1", null]]);
  });

  it("a member the table knows, between meetings, sees the table's page", async () => {
    localStorage.setItem("roundtable:seat:t2", JSON.stringify({ name: "Ben", memberKey }));
    const calls = fakeFetch((call) =>
      call.url.endsWith("/commitments")
        ? { status: 200, body: mine }
        : { status: 200, body: table({ tableId: "t2" }) },
    );
    const screen = await render(TablePage, { tableId: "t2" });
    await expect
      .element(screen.getByRole("region", { name: "Next meeting", exact: true }))
      .toBeVisible();
    await expect
      .element(screen.getByRole("region", { name: "My commitments" }))
      .toHaveTextContent("Offer the raise in writing");
    await expect.element(screen.getByRole("button", { name: "Join the meeting" })).toBeVisible();
    expect(calls.every((c) => c.auth === `Bearer ${memberKey}` && !c.url.includes(memberKey))).toBe(
      true,
    );
  });
});
