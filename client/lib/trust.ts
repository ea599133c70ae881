import type { SyncedState } from "../../shared/sync.ts";
import type { TrustPoint } from "./api.ts";

/** How recent a stored point must be to count as this meeting's revealed pulse, in milliseconds. */
const SAME_PULSE_MS = 15 * 60_000;

/**
 * The table's trust trend with this meeting's revealed pulse at the end: the room stores a revealed
 * pulse a moment after everyone sees it, so a trend fetched right then may not hold it yet.
 */
export function withLivePulse(
  stored: TrustPoint[],
  pulse: SyncedState["pulse"],
  now: number,
): TrustPoint[] {
  if (pulse.status !== "revealed") return stored;
  const last = stored.at(-1);
  const kept =
    last !== undefined &&
    last.answered === pulse.answered &&
    Math.abs(last.mean - pulse.mean) < 0.005 &&
    now - last.endedAt < SAME_PULSE_MS;
  return kept ? stored : [...stored, { endedAt: now, answered: pulse.answered, mean: pulse.mean }];
}
