import type { SyncedState } from "../../shared/sync.ts";

/** What "+1 min" (`timer.extend`) lengthens now, as the machine decides it. */
export interface ExtendTarget {
  /** Epoch milliseconds the extended timebox ends. */
  endsAt: number;
  /** The timer's name for screen readers ("Dev's turn", "Checking in"). */
  label: string;
  /** What a minute is added to, after "Adds a minute to": "Dev's turn", "the phase". */
  what: string;
}

/**
 * The speaker's turn while someone holds the floor or has the turn in the updates; otherwise the
 * phase, when it has a timebox; undefined when there is no timer to extend.
 */
export function extendTarget(state: SyncedState): ExtendTarget | undefined {
  const speaker = state.floorId || state.turnId;
  if (speaker) {
    const name = state.members[speaker]?.name ?? "the speaker";
    const what = state.floorId ? `${name}'s turn` : `${name}'s update`;
    return { endsAt: state.turnEndsAt, label: what, what };
  }
  if (state.phaseEndsAt > 0)
    return { endsAt: state.phaseEndsAt, label: "Phase", what: "the phase" };
  return undefined;
}

/** The extension "+1 min" sends. */
export const ONE_MINUTE = { seconds: 60 } as const;
