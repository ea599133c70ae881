// The issue card a member prepares before the meeting: kept in this browser only, per table, and
// sent to nobody until they share it while presenting (`issue.set`).
import type { IssueAsk } from "../../shared/types.ts";

export interface IssueDraft {
  title: string;
  why: string;
  tried: string;
  ask: IssueAsk;
}

export const emptyDraft: IssueDraft = { title: "", why: "", tried: "", ask: "both" };

const draftKey = (tableId: string) => `roundtable:issue:${tableId}`;
const asks: readonly string[] = ["questions", "experiences", "both"];

/** The draft this browser keeps for a table; an empty one when none (or storage is off). */
export function loadDraft(tableId: string): IssueDraft {
  try {
    const raw = JSON.parse(localStorage.getItem(draftKey(tableId)) ?? "{}") as Partial<IssueDraft>;
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return {
      title: text(raw.title),
      why: text(raw.why),
      tried: text(raw.tried),
      ask: asks.includes(raw.ask as string) ? (raw.ask as IssueAsk) : "both",
    };
  } catch {
    return { ...emptyDraft };
  }
}

/** Keeps the draft; an empty draft is forgotten. */
export function saveDraft(tableId: string, draft: IssueDraft): void {
  try {
    if (draft.title.trim() || draft.why.trim() || draft.tried.trim()) {
      localStorage.setItem(draftKey(tableId), JSON.stringify(draft));
    } else {
      localStorage.removeItem(draftKey(tableId));
    }
  } catch {
    // Private browsing without storage: the draft lasts as long as the page.
  }
}
