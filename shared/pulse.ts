// The anonymous trust pulse as pure functions over its aggregate: the machine's pulse actions and
// guards are one-liners over these, so the rules of what a pulse may show live in one place.
import type { ProtocolEmitted, Pulse } from "./types.ts";

/** A pulse before the first opens, with the table's threshold (k). */
export function idlePulse(threshold: number): Pulse {
  return {
    status: "idle",
    seq: 0,
    answered: 0,
    answeredBy: [],
    counts: [0, 0, 0, 0, 0],
    threshold,
    mean: 0,
  };
}

/** A fresh pulse, open for answers: nothing of the previous one is carried over but its number. */
export function openedPulse(previous: Pulse, threshold: number): Pulse {
  return { ...idlePulse(threshold), status: "open", seq: previous.seq + 1 };
}

/** The pulse with one more answer: the score goes into its count, the member into the sorted set. */
export function answeredPulse(pulse: Pulse, from: string, score: number): Pulse {
  const counts = [...pulse.counts] as Pulse["counts"];
  counts[score - 1] = (counts[score - 1] ?? 0) + 1;
  return {
    ...pulse,
    counts,
    answered: pulse.answered + 1,
    answeredBy: [...pulse.answeredBy, from].sort(),
  };
}

/** Whether enough members answered for a result to be shown at all. */
export function enoughAnswers(pulse: Pulse): boolean {
  return pulse.answered >= pulse.threshold;
}

/** The pulse as it closes: revealed only when at least `threshold` members answered. */
export function closedPulse(pulse: Pulse): Pulse {
  if (!enoughAnswers(pulse)) return { ...pulse, status: "withheld", mean: 0 };
  const total = pulse.counts.reduce((sum, n, i) => sum + n * (i + 1), 0);
  return { ...pulse, status: "revealed", mean: Math.round((total / pulse.answered) * 100) / 100 };
}

/** What the room is told to keep of a revealed pulse: its aggregate, never who answered. */
export function revealedEvent(pulse: Pulse, at: number): ProtocolEmitted {
  return {
    type: "pulse.revealed",
    at,
    answered: pulse.answered,
    counts: [...pulse.counts],
    mean: pulse.mean,
  };
}
