// The anonymous trust pulse as pure functions over its aggregate: the machine's pulse actions and
// guards are one-liners over these, so the rules of what a pulse may show live in one place.
import { PULSE_COUNTS_FROM } from "./limits.ts";
import type { ProtocolEmitted, Pulse } from "./types.ts";

const noCounts = (): Pulse["counts"] => [0, 0, 0, 0, 0];

/** A pulse before the first opens, with the table's threshold (k). */
export function idlePulse(threshold: number): Pulse {
  return {
    status: "idle",
    seq: 0,
    answered: 0,
    answeredBy: [],
    counts: noCounts(),
    threshold,
    mean: 0,
    withheldBecause: "",
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

/** The mean score of a pulse's answers, rounded to one decimal. */
export function meanOf(counts: readonly number[], answered: number): number {
  const total = counts.reduce((sum, n, i) => sum + n * (i + 1), 0);
  return answered === 0 ? 0 : Math.round((total * 10) / answered) / 10;
}

/**
 * Whether a result of this many answers may show how many gave each score. Below
 * `PULSE_COUNTS_FROM` a histogram says too much: three equal answers state everyone's score, and
 * two answers the facilitator knows leave the third one standing alone.
 */
export function showsCounts(answered: number): boolean {
  return answered >= PULSE_COUNTS_FROM;
}

/** Whether counts received over the wire hold a histogram to draw (all zero: the mean alone). */
export function hasCounts(counts: readonly number[]): boolean {
  return counts.length === 5 && counts.some((n) => n > 0);
}

/** How many people answered one of two pulses and not the other. */
export function answererDifference(a: readonly string[], b: readonly string[]): number {
  const inA = new Set(a);
  const inB = new Set(b);
  return a.filter((id) => !inB.has(id)).length + b.filter((id) => !inA.has(id)).length;
}

/**
 * Whether this pulse's result, set beside an earlier revealed one, would show the answers of the
 * few who joined or left in between: their answerers differ by at least one and fewer than
 * `threshold` people. The same people answering again compare nobody.
 */
export function wouldCompare(pulse: Pulse, revealedAnswerers: readonly string[][]): boolean {
  return revealedAnswerers.some((earlier) => {
    const d = answererDifference(pulse.answeredBy, earlier);
    return d >= 1 && d < pulse.threshold;
  });
}

/**
 * The pulse as it closes: revealed only when at least `threshold` members answered and it cannot
 * be compared with an earlier revealed pulse (`revealedAnswerers`), with its counts only from
 * `PULSE_COUNTS_FROM` answers. What is not shown is not kept either.
 */
export function closedPulse(pulse: Pulse, revealedAnswerers: readonly string[][]): Pulse {
  const withheldBecause = !enoughAnswers(pulse)
    ? "too_few"
    : wouldCompare(pulse, revealedAnswerers)
      ? "would_compare"
      : "";
  if (withheldBecause !== "") {
    return { ...pulse, status: "withheld", withheldBecause, counts: noCounts(), mean: 0 };
  }
  return {
    ...pulse,
    status: "revealed",
    counts: showsCounts(pulse.answered) ? pulse.counts : noCounts(),
    mean: meanOf(pulse.counts, pulse.answered),
  };
}

/** The answerer sets to compare later pulses with, once `closed` has closed: a revealed one joins. */
export function keptAnswerers(closed: Pulse, revealedAnswerers: string[][]): string[][] {
  if (closed.status !== "revealed") return revealedAnswerers;
  const same = revealedAnswerers.some((set) => answererDifference(set, closed.answeredBy) === 0);
  return same ? revealedAnswerers : [...revealedAnswerers, [...closed.answeredBy]];
}

/**
 * What the room is told to keep of a revealed pulse: its aggregate as shown (counts all zero below
 * `PULSE_COUNTS_FROM`), never who answered.
 */
export function revealedEvent(pulse: Pulse, at: number): ProtocolEmitted {
  return {
    type: "pulse.revealed",
    at,
    answered: pulse.answered,
    counts: [...pulse.counts],
    mean: pulse.mean,
  };
}
