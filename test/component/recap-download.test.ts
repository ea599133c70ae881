// "Download recap": the Markdown holds the commitments made, the follow-up answers and the pulse,
// and nothing else of the meeting (no check-in or closing word, question or share).
import { afterEach, describe, expect, it, vi } from "vitest";
import { render } from "vitest-browser-svelte";
import Recap from "../../client/components/Recap.svelte";
import { recapMarkdown } from "../../client/lib/recap.ts";
import type { SyncedState } from "../../shared/sync.ts";
import { connectedTo } from "./fake-room.ts";
import { meeting, member } from "./fixtures.ts";

type Commitments = SyncedState["commitments"];
const earlier: Commitments = [
  {
    id: "e1",
    ownerId: "ben",
    ownerName: "Ben",
    text: "Write the leveling chart draft",
    status: "open",
    note: "",
    review: true,
    round: 0,
  },
];
const answered: Commitments = [{ ...earlier[0]!, status: "partly", note: "Half of it, *so far*" }];
const today: Commitments = [
  {
    id: "c1",
    ownerId: "chloe",
    ownerName: "Chloé",
    text: "Talk to HR about [bands]",
    status: "open",
    note: "",
    review: false,
    round: 1,
  },
];
const revealed = {
  status: "revealed" as const,
  answered: 5,
  threshold: 3,
  counts: [0, 0, 1, 3, 1],
  mean: 4,
  seq: 1,
  withheldBecause: "" as const,
};
// What the room said, which no recap file may hold.
const secrets = ["Tired", "Hopeful", "How did you decide on bands?", "When I did that, I found"];
const members = {
  ana: member("ana", "Ana", { checkinWord: "Tired", closingWord: "Hopeful" }),
  ben: member("ben", "Ben"),
  chloe: member("chloe", "Chloé", { shareNote: "When I did that, I found" }),
};
const questions: SyncedState["questions"] = [
  {
    id: "q1",
    askerId: "ana",
    text: "How did you decide on bands?",
    status: "answered",
    hint: "open",
  } as SyncedState["questions"][number],
];

afterEach(() => vi.restoreAllMocks());

describe("the recap's Markdown", () => {
  it("holds the commitments, the follow-up answers and the pulse, escaped, and nothing else", () => {
    const text = recapMarkdown({
      tableName: "Founders' circle",
      date: Date.UTC(2026, 10, 29, 12),
      made: today,
      followUps: answered,
      pulse: revealed,
    });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^# Recap: Founders' circle, .*2026/);
    expect(text).toContain(
      [
        "## Commitments made",
        "",
        "- **Chloé**: Talk to HR about \\[bands\\]",
        "",
        "## Follow-up answers",
        "",
        "- **Ben**: Write the leveling chart draft — Partly done (“Half of it, \\*so far\\*”)",
        "",
        "## Trust pulse",
        "",
        "Mean 4.0 out of 5, from 5 answers.",
        "",
        "- 1: 0",
        "- 2: 0",
        "- 3: 1",
        "- 4: 3",
        "- 5: 1",
        "",
      ].join("\n"),
    );
    expect(lines.filter((l) => l.startsWith("#"))).toHaveLength(4);
  });

  it("says plainly when nothing was committed, followed up or pulsed, and keeps withheld counts out", () => {
    const text = recapMarkdown({
      tableName: "T",
      date: 0,
      made: [],
      followUps: [],
      pulse: { ...revealed, status: "idle", answered: 0 },
    });
    expect(text).toContain("No commitments were made in this meeting.");
    expect(text).toContain("No earlier commitment was followed up.");
    expect(text).toContain("No pulse was taken in this meeting.");
    const withheld = recapMarkdown({
      tableName: "T",
      date: 0,
      made: [],
      followUps: [],
      pulse: { ...revealed, status: "withheld", answered: 2, counts: [0, 0, 0, 0, 0], mean: 0 },
    });
    expect(withheld).toContain("Withheld");
    expect(withheld).not.toMatch(/Mean|- \d: /);
  });
});

describe("Download recap", () => {
  it("saves that Markdown from the recap of an ended meeting, without what was said", async () => {
    const { conn, room } = await connectedTo(
      meeting({ phase: "followUp", members, commitments: earlier }),
      "chloe",
    );
    room.state(meeting({ phase: "followUp", members, commitments: answered }));
    room.state(
      meeting({
        phase: "commitment",
        round: 1,
        members,
        presenterId: "chloe",
        questions,
        commitments: today,
      }),
    );
    room.state(
      meeting({
        phase: "ended",
        round: 1,
        members,
        questions,
        commitments: today,
        pulse: revealed,
      }),
    );
    const blobs: Blob[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return "blob:recap";
    });
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const screen = await render(Recap, { conn });
    await screen.getByRole("button", { name: "Download recap" }).click();
    expect(blobs).toHaveLength(1);
    expect(blobs[0]!.type).toBe("text/markdown");
    const text = await blobs[0]!.text();
    expect(text).toContain("- **Chloé**: Talk to HR about \\[bands\\]");
    expect(text).toContain("- **Ben**: Write the leveling chart draft — Partly done");
    expect(text).toContain("Mean 4.0 out of 5, from 5 answers.");
    for (const secret of secrets) expect(text).not.toContain(secret);
    // Shown alone, the recap offers no way to a table page it does not know.
    await expect
      .element(screen.getByRole("button", { name: "Table page" }))
      .not.toBeInTheDocument();
  });
});
