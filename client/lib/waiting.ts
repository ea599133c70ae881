// People waiting to be let in at a "members" table, as the facilitator's client receives them
// (the synced `waiting` map: only the facilitator is sent it; design-v2.md).

import type { Admission, Waiting, WaitingReason } from "../../shared/types.ts";

export type { Admission, WaitingReason };

/** Someone waiting to be let in (the synced `waiting` map's value). */
export type WaitingPerson = Waiting;

/** The reason as the facilitator reads it beside the name. */
export const reasonLabel: Record<WaitingReason, string> = {
  never_admitted: "never admitted",
  new_device: "new device — or someone using this name",
  removed_earlier: "removed earlier",
};

const reasons = new Set<string>(Object.keys(reasonLabel));

/** The people waiting, longest-waiting first, from the decoded state (absent: nobody). */
export function waitingFrom(json: unknown): WaitingPerson[] {
  const raw = (json as { waiting?: unknown } | null)?.waiting;
  if (!raw || typeof raw !== "object") return [];
  return Object.entries(raw as Record<string, Partial<WaitingPerson>>)
    .map(([id, w]) => ({
      id,
      name: String(w.name ?? ""),
      since: Number(w.since ?? 0),
      reason: (reasons.has(String(w.reason)) ? w.reason : "never_admitted") as WaitingReason,
    }))
    .sort((a, b) => a.since - b.since || a.id.localeCompare(b.id));
}

/** The table's admission from the decoded state; undefined when it is not sent (waiting people). */
export function admissionFrom(json: unknown): Admission | undefined {
  const raw = (json as { admission?: unknown } | null)?.admission;
  return raw === "members" || raw === "open" ? raw : undefined;
}
