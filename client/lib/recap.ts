// The recap of a meeting as Markdown, for "Download recap": the commitments made, the follow-up
// answers given and the trust pulse — what the table stores anyway, and nothing else. No check-in
// or closing word, question or share ever goes into the file.
import type { SyncedState } from "../../shared/sync.ts";
import { hasCounts } from "../../shared/pulse.ts";
import type { CommitmentStatus } from "../../shared/types.ts";

type Commitment = SyncedState["commitments"][number];
type Pulse = Pick<SyncedState["pulse"], "status" | "answered" | "threshold" | "counts" | "mean">;

export const statusWords: Record<CommitmentStatus, string> = {
  open: "Not reported",
  done: "Done",
  partly: "Partly done",
  not_done: "Not done",
};

export interface RecapContent {
  tableName: string;
  /** When the recap is made, epoch ms (the meeting's day). */
  date: number;
  made: readonly Commitment[];
  followUps: readonly Commitment[];
  pulse: Pulse;
}

/** Text in Markdown that stays text: its markup characters escaped, on one line. */
export function mdText(value: string): string {
  return value
    .replace(/\s+/g, " ")
    .trim()
    .replace(/([\\`*_[\]<>|~])/g, "\\$1");
}

function pulseLines(pulse: Pulse): string[] {
  if (pulse.status === "revealed") {
    const lines = [
      `Mean ${pulse.mean.toFixed(1)} out of 5, from ${pulse.answered} ${pulse.answered === 1 ? "answer" : "answers"}.`,
    ];
    if (hasCounts(pulse.counts)) {
      lines.push("");
      for (let score = 1; score <= 5; score++) {
        lines.push(`- ${score}: ${pulse.counts[score - 1] ?? 0}`);
      }
    }
    return lines;
  }
  if (pulse.status === "withheld")
    return ["Withheld: not shown, so no one's answer can be worked out."];
  if (pulse.status === "open") return ["The pulse was still open."];
  return ["No pulse was taken in this meeting."];
}

/** The recap's Markdown: a title with the table and the day, then three sections. */
export function recapMarkdown(recap: RecapContent): string {
  const day = new Date(recap.date).toLocaleDateString(undefined, {
    year: "numeric",
    month: "long",
    day: "numeric",
  });
  const lines = [
    `# Recap: ${mdText(recap.tableName)}, ${mdText(day)}`,
    "",
    "## Commitments made",
    "",
  ];
  if (recap.made.length === 0) lines.push("No commitments were made in this meeting.");
  for (const c of recap.made) lines.push(`- **${mdText(c.ownerName)}**: ${mdText(c.text)}`);
  lines.push("", "## Follow-up answers", "");
  if (recap.followUps.length === 0) lines.push("No earlier commitment was followed up.");
  for (const c of recap.followUps) {
    const note = c.note.trim() ? ` (“${mdText(c.note)}”)` : "";
    lines.push(`- **${mdText(c.ownerName)}**: ${mdText(c.text)} — ${statusWords[c.status]}${note}`);
  }
  lines.push("", "## Trust pulse", "", ...pulseLines(recap.pulse));
  return lines.join("\n") + "\n";
}
