// The anonymous trust pulse: aggregates only, shown once at least k members answered, never a
// value tied to a person (BRIEF.md "Trust and confidentiality by design").
import { describe, expect, it } from "vitest";
import { PULSE_COUNTS_FROM } from "../../shared/limits.ts";
import { syncedFromSnapshot } from "../../shared/sync.ts";
import type { ProtocolEmitted, PulseStatus } from "../../shared/types.ts";
import { stopAfterEach, FAY, MO, Meeting, NOOR, PRIYA, UMA, meetingIn } from "./machine.fixture.ts";

const track = stopAfterEach();

/** Two more members, so that a pulse can reach five answers. */
const LEA = "lea";
const OMAR = "omar";

/** Seats more people in the meeting: they join and agree. */
function seatMore(m: Meeting, ...ids: string[]): Meeting {
  for (const id of ids) m.send(id, "member.join", { name: id, keyValid: false });
  for (const id of ids) m.send(id, "confidentiality.agree");
  return m;
}

/** Every member answers the open pulse, each with their score; then the facilitator closes it. */
function answerAndClose(m: Meeting, answers: readonly (readonly [string, number])[]): Meeting {
  for (const [id, score] of answers) m.send(id, "pulse.answer", { score });
  return m.send(FAY, "pulse.close");
}

const pulseIs = (m: Meeting, status: PulseStatus) =>
  m.snapshot.matches({ meeting: { pulse: status } });

/** A meeting in check-in with a pulse open. */
function withOpenPulse(threshold?: number) {
  const input = threshold === undefined ? {} : { config: { pulseThreshold: threshold } };
  const m = track(meetingIn("checkIn", { input }));
  m.send(FAY, "pulse.open");
  return m;
}

describe("the trust pulse", () => {
  it("is idle until the facilitator opens it", () => {
    const m = track(meetingIn("checkIn"));
    expect(pulseIs(m, "idle")).toBe(true);
    expect(m.context.pulse).toMatchObject({ status: "idle", answered: 0, threshold: 3 });
    expect(m.why(MO, "pulse.open")).toBe("Only the facilitator can do that.");
    m.send(FAY, "pulse.open");
    expect(pulseIs(m, "open")).toBe(true);
    expect(m.context.pulse).toMatchObject({ status: "open", seq: 1, answered: 0 });
  });

  it("does not open in the lobby", () => {
    const m = track(meetingIn("lobby"));
    expect(m.why(FAY, "pulse.open")).toBe(
      "A pulse opens after the meeting has started, once the previous one is closed.",
    );
  });

  it("does not open again while open", () => {
    const m = withOpenPulse();
    expect(m.can(FAY, "pulse.open")).toBe(false);
  });

  it("takes one answer per agreed member", () => {
    const m = withOpenPulse();
    m.send(MO, "pulse.answer", { score: 4 });
    expect(m.why(MO, "pulse.answer", { score: 2 })).toBe("You have already answered this pulse.");
    expect(m.why(UMA, "pulse.answer", { score: 2 })).toBe(
      "Agree to confidentiality before taking part.",
    );
    expect(m.context.pulse.answered).toBe(1);
  });

  it("is revealed as a mean alone when three answered", () => {
    const m = withOpenPulse();
    m.send(MO, "pulse.answer", { score: 4 });
    m.send(NOOR, "pulse.answer", { score: 5 });
    m.send(PRIYA, "pulse.answer", { score: 2 });
    expect(m.why(MO, "pulse.close")).toBe("Only the facilitator can do that.");
    m.send(FAY, "pulse.close");
    expect(pulseIs(m, "revealed")).toBe(true);
    expect(m.context.pulse).toMatchObject({
      status: "revealed",
      answered: 3,
      counts: [0, 0, 0, 0, 0],
      mean: 3.7,
    });
    expect(syncedFromSnapshot(m.snapshot).pulse).toMatchObject({
      status: "revealed",
      answered: 3,
      counts: [0, 0, 0, 0, 0],
      mean: 3.7,
    });
  });

  it("is revealed as a mean alone when four answered", () => {
    const m = answerAndClose(withOpenPulse(), [
      [FAY, 1],
      [PRIYA, 2],
      [MO, 4],
      [NOOR, 4],
    ]);
    expect(m.context.pulse).toMatchObject({
      status: "revealed",
      answered: 4,
      counts: [0, 0, 0, 0, 0],
      mean: 2.8,
    });
  });

  it(`shows counts and a mean from ${PULSE_COUNTS_FROM} answers`, () => {
    const m = seatMore(withOpenPulse(), LEA);
    answerAndClose(m, [
      [FAY, 1],
      [PRIYA, 2],
      [MO, 4],
      [NOOR, 4],
      [LEA, 5],
    ]);
    expect(m.context.pulse).toMatchObject({
      status: "revealed",
      answered: 5,
      counts: [1, 1, 0, 2, 1],
      mean: 3.2,
    });
    expect(syncedFromSnapshot(m.snapshot).pulse.counts).toEqual([1, 1, 0, 2, 1]);
  });

  it("does not state everyone's score when three answered the same", () => {
    const m = answerAndClose(withOpenPulse(), [
      [MO, 4],
      [NOOR, 4],
      [PRIYA, 4],
    ]);
    expect(m.context.pulse).toMatchObject({ status: "revealed", counts: [0, 0, 0, 0, 0], mean: 4 });
    expect(syncedFromSnapshot(m.snapshot).pulse.counts).toEqual([0, 0, 0, 0, 0]);
    expect(m.emitted.filter((e) => e.type === "pulse.revealed")).toEqual([
      { type: "pulse.revealed", at: m.now, answered: 3, counts: [0, 0, 0, 0, 0], mean: 4 },
    ]);
  });

  it.each([
    [[1, 1, 2], 1.3],
    [[2, 2, 3], 2.3],
    [[4, 5, 5], 4.7],
    [[3, 4, 5, 5], 4.3],
    [[4, 5, 5, 5], 4.8],
    [[1, 2, 2, 2, 2], 1.8],
  ])("rounds the mean of %j to one decimal: %d", (scores, mean) => {
    const m = seatMore(withOpenPulse(), LEA);
    answerAndClose(
      m,
      scores.map((score, i) => [[FAY, PRIYA, MO, NOOR, LEA][i]!, score] as const),
    );
    expect(m.context.pulse.mean).toBe(mean);
    expect(syncedFromSnapshot(m.snapshot).pulse.mean).toBe(mean);
    expect(m.emitted.findLast((e) => e.type === "pulse.revealed")).toMatchObject({ mean });
  });

  it("is withheld when fewer than three answered", () => {
    const m = withOpenPulse();
    m.send(MO, "pulse.answer", { score: 4 }).send(NOOR, "pulse.answer", { score: 5 });
    m.send(FAY, "pulse.close");
    expect(pulseIs(m, "withheld")).toBe(true);
    expect(m.context.pulse).toMatchObject({
      status: "withheld",
      withheldBecause: "too_few",
      answered: 2,
      counts: [0, 0, 0, 0, 0],
      mean: 0,
    });
    expect(syncedFromSnapshot(m.snapshot).pulse.withheldBecause).toBe("too_few");
    expect(m.emitted.filter((e) => e.type === "pulse.revealed")).toEqual([]);
  });

  it("uses the table's own threshold", () => {
    const m = withOpenPulse(2);
    m.send(MO, "pulse.answer", { score: 4 }).send(NOOR, "pulse.answer", { score: 5 });
    m.send(FAY, "pulse.close");
    expect(pulseIs(m, "revealed")).toBe(true);
    expect(m.context.pulse).toMatchObject({ threshold: 2, mean: 4.5, counts: [0, 0, 0, 0, 0] });
  });

  it("takes no answers once closed", () => {
    const m = withOpenPulse();
    m.send(FAY, "pulse.close");
    expect(m.why(MO, "pulse.answer", { score: 3 })).toBe("Pulses are answered while one is open.");
    expect(m.why(FAY, "pulse.close")).toBe("Only an open pulse can be closed.");
  });

  it("starts afresh each time it opens", () => {
    const m = withOpenPulse();
    for (const id of [MO, NOOR, PRIYA]) m.send(id, "pulse.answer", { score: 5 });
    m.send(FAY, "pulse.close").send(FAY, "pulse.open");
    expect(pulseIs(m, "open")).toBe(true);
    expect(m.context.pulse).toEqual({
      status: "open",
      seq: 2,
      answered: 0,
      answeredBy: [],
      counts: [0, 0, 0, 0, 0],
      threshold: 3,
      mean: 0,
      withheldBecause: "",
    });
    m.send(MO, "pulse.answer", { score: 1 });
    expect(m.context.pulse.answered).toBe(1);
  });

  it("runs in any phase after the lobby, across phases", () => {
    const m = track(meetingIn("questions"));
    m.send(FAY, "pulse.open");
    m.send(MO, "pulse.answer", { score: 3 });
    m.send(FAY, "phase.next");
    expect(pulseIs(m, "open")).toBe(true);
    m.send(NOOR, "pulse.answer", { score: 3 });
    expect(m.context.pulse.answered).toBe(2);
  });

  it("keeps only aggregates: no score is tied to a member", () => {
    const m = withOpenPulse();
    for (const [id, score] of [
      [NOOR, 5],
      [FAY, 1],
      [MO, 3],
    ] as const) {
      m.send(id, "pulse.answer", { score });
    }
    expect(Object.keys(m.context.pulse).sort()).toEqual([
      "answered",
      "answeredBy",
      "counts",
      "mean",
      "seq",
      "status",
      "threshold",
      "withheldBecause",
    ]);
    expect(m.context.pulse.answeredBy).toEqual([FAY, MO, NOOR]);
    expect(m.context.pulse.counts).toEqual([1, 0, 1, 0, 1]);
    for (const member of Object.values(m.context.members)) {
      expect(JSON.stringify(member)).not.toMatch(/score|pulse/i);
    }
  });

  it("keeps the same record whoever gave which score, in whatever order", () => {
    const answer = (answers: [string, number][]) => {
      const m = withOpenPulse();
      for (const [id, score] of answers) m.send(id, "pulse.answer", { score });
      return JSON.stringify(m.context);
    };
    const a = answer([
      [FAY, 1],
      [MO, 5],
      [NOOR, 3],
    ]);
    const b = answer([
      [NOOR, 1],
      [FAY, 5],
      [MO, 3],
    ]);
    const c = answer([
      [MO, 3],
      [NOOR, 5],
      [FAY, 1],
    ]);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it("tells the room the result as aggregates only", () => {
    const m = seatMore(withOpenPulse(), LEA, OMAR);
    const revealed: ProtocolEmitted[] = [];
    m.actor.on("pulse.revealed", (e) => revealed.push(e));
    for (const [id, score] of [
      [MO, 2],
      [NOOR, 4],
      [PRIYA, 4],
      [FAY, 5],
      [LEA, 3],
      [OMAR, 4],
    ] as const) {
      m.send(id, "pulse.answer", { score });
    }
    m.send(FAY, "pulse.close");
    expect(revealed).toEqual([
      { type: "pulse.revealed", at: m.now, answered: 6, counts: [0, 1, 1, 3, 1], mean: 3.7 },
    ]);
    const text = JSON.stringify(revealed);
    for (const id of [FAY, PRIYA, MO, NOOR, LEA, OMAR]) expect(text).not.toContain(id);
  });

  it("tells the room a mean alone when fewer than five answered", () => {
    const m = answerAndClose(withOpenPulse(), [
      [MO, 2],
      [NOOR, 4],
      [PRIYA, 4],
      [FAY, 5],
    ]);
    expect(m.emitted.filter((e) => e.type === "pulse.revealed")).toEqual([
      { type: "pulse.revealed", at: m.now, answered: 4, counts: [0, 0, 0, 0, 0], mean: 3.8 },
    ]);
  });

  it("is closed, and its result told, when the meeting ends while it is open", () => {
    const m = withOpenPulse();
    const revealed: ProtocolEmitted[] = [];
    m.actor.on("pulse.revealed", (e) => revealed.push(e));
    for (const id of [MO, NOOR, PRIYA]) m.send(id, "pulse.answer", { score: 4 });
    m.send(FAY, "meeting.end");
    expect(m.phase).toBe("ended");
    expect(m.context.pulse).toMatchObject({ status: "revealed", answered: 3, mean: 4 });
    expect(revealed).toEqual([
      { type: "pulse.revealed", at: m.now, answered: 3, counts: [0, 0, 0, 0, 0], mean: 4 },
    ]);
  });

  it("is withheld, and nothing told, when the meeting ends with too few answers", () => {
    const m = withOpenPulse();
    m.send(MO, "pulse.answer", { score: 4 });
    m.send(FAY, "meeting.end");
    expect(m.context.pulse.status).toBe("withheld");
    expect(m.emitted.filter((e) => e.type === "pulse.revealed")).toEqual([]);
  });

  it("is closed when closing ends the meeting", () => {
    const m = track(meetingIn("closing"));
    m.send(FAY, "pulse.open");
    for (const id of [MO, NOOR, FAY]) m.send(id, "pulse.answer", { score: 3 });
    m.send(FAY, "phase.next");
    expect(m.context.pulse.status).toBe("revealed");
    expect(m.emitted.map((e) => e.type)).toEqual([
      "meeting.started",
      "pulse.revealed",
      "meeting.ended",
    ]);
  });
});

describe("no differencing within a meeting", () => {
  /** Opens a pulse, has these members answer it (all with 4) and closes it. */
  function pulseOf(m: Meeting, ids: readonly string[]): Meeting {
    m.send(FAY, "pulse.open");
    return answerAndClose(
      m,
      ids.map((id) => [id, 4] as const),
    );
  }
  const revealedCount = (m: Meeting) => m.emitted.filter((e) => e.type === "pulse.revealed").length;

  it("withholds a later pulse with one more answerer: it would show the newcomer's score", () => {
    const m = track(meetingIn("checkIn"));
    pulseOf(m, [FAY, PRIYA, MO]);
    expect(m.context.pulse.status).toBe("revealed");
    seatMore(m, LEA);
    pulseOf(m, [FAY, PRIYA, MO, LEA]);
    expect(pulseIs(m, "withheld")).toBe(true);
    expect(m.context.pulse).toMatchObject({
      status: "withheld",
      withheldBecause: "would_compare",
      answered: 4,
      counts: [0, 0, 0, 0, 0],
      mean: 0,
    });
    expect(syncedFromSnapshot(m.snapshot).pulse).toMatchObject({
      status: "withheld",
      withheldBecause: "would_compare",
      answered: 4,
      counts: [],
      mean: 0,
    });
    expect(revealedCount(m)).toBe(1);
  });

  it("withholds a later pulse with one answerer fewer, whatever its size", () => {
    const m = track(seatMore(meetingIn("checkIn"), LEA, OMAR));
    pulseOf(m, [FAY, PRIYA, MO, NOOR, LEA, OMAR]);
    pulseOf(m, [FAY, PRIYA, MO, NOOR, LEA]);
    expect(m.context.pulse).toMatchObject({ status: "withheld", withheldBecause: "would_compare" });
    expect(revealedCount(m)).toBe(1);
  });

  it("withholds a later pulse where one answerer was swapped for another", () => {
    const m = track(meetingIn("checkIn"));
    pulseOf(m, [FAY, PRIYA, MO]);
    pulseOf(m, [FAY, PRIYA, NOOR]);
    expect(m.context.pulse).toMatchObject({ status: "withheld", withheldBecause: "would_compare" });
  });

  it("reveals a pulse the same people answered again", () => {
    const m = track(meetingIn("checkIn"));
    pulseOf(m, [FAY, PRIYA, MO]);
    pulseOf(m, [MO, FAY, PRIYA]);
    pulseOf(m, [PRIYA, MO, FAY]);
    expect(m.context.pulse).toMatchObject({ status: "revealed", withheldBecause: "", mean: 4 });
    expect(revealedCount(m)).toBe(3);
    expect(m.context.revealedAnswerers).toEqual([[FAY, MO, PRIYA]]);
  });

  it("reveals a pulse whose answerers differ by at least the threshold", () => {
    const m = track(seatMore(meetingIn("checkIn"), LEA, OMAR));
    pulseOf(m, [FAY, PRIYA, MO]);
    pulseOf(m, [FAY, PRIYA, MO, NOOR, LEA, OMAR]);
    expect(m.context.pulse).toMatchObject({ status: "revealed", counts: [0, 0, 0, 6, 0] });
    expect(m.context.revealedAnswerers).toEqual([
      [FAY, MO, PRIYA],
      [FAY, LEA, MO, NOOR, OMAR, PRIYA],
    ]);
  });

  it("measures the difference against the table's own threshold", () => {
    const m = track(meetingIn("checkIn", { input: { config: { pulseThreshold: 2 } } }));
    pulseOf(m, [FAY, PRIYA]);
    pulseOf(m, [FAY, PRIYA, MO]);
    expect(m.context.pulse).toMatchObject({ status: "withheld", withheldBecause: "would_compare" });
    pulseOf(m, [FAY, PRIYA, MO, NOOR]);
    expect(m.context.pulse).toMatchObject({ status: "revealed", mean: 4 });
  });

  it("compares only with revealed pulses, not withheld ones", () => {
    const m = track(seatMore(meetingIn("checkIn"), LEA, OMAR));
    pulseOf(m, [FAY, PRIYA]);
    expect(m.context.pulse.withheldBecause).toBe("too_few");
    pulseOf(m, [FAY, PRIYA, MO]);
    expect(m.context.pulse.status).toBe("revealed");
    pulseOf(m, [FAY, PRIYA, MO, NOOR, LEA]);
    expect(m.context.pulse.withheldBecause).toBe("would_compare");
    // Three apart from the revealed one; one apart from the withheld one, which showed nothing.
    pulseOf(m, [FAY, PRIYA, MO, NOOR, LEA, OMAR]);
    expect(m.context.pulse.status).toBe("revealed");
    expect(m.context.revealedAnswerers).toEqual([
      [FAY, MO, PRIYA],
      [FAY, LEA, MO, NOOR, OMAR, PRIYA],
    ]);
  });

  it("holds to the rule when the meeting ends with a pulse open", () => {
    const m = track(meetingIn("checkIn"));
    pulseOf(m, [FAY, PRIYA, MO]);
    m.send(FAY, "pulse.open");
    for (const id of [FAY, PRIYA, MO, NOOR]) m.send(id, "pulse.answer", { score: 2 });
    m.send(FAY, "meeting.end");
    expect(m.context.pulse).toMatchObject({ status: "withheld", withheldBecause: "would_compare" });
    expect(revealedCount(m)).toBe(1);
  });

  it("keeps who answered revealed pulses out of the synced state and what the room is told", () => {
    const m = track(seatMore(meetingIn("checkIn"), LEA, OMAR));
    pulseOf(m, [FAY, PRIYA, MO]);
    pulseOf(m, [FAY, PRIYA, MO, NOOR, LEA, OMAR]);
    expect(m.context.revealedAnswerers).toHaveLength(2);
    const synced = syncedFromSnapshot(m.snapshot);
    expect(Object.keys(synced.pulse).sort()).toEqual([
      "answered",
      "counts",
      "mean",
      "seq",
      "status",
      "threshold",
      "withheldBecause",
    ]);
    const wire = JSON.stringify({ ...synced, members: {} });
    expect(wire).not.toMatch(/answeredBy|revealedAnswerers/);
    for (const id of [FAY, PRIYA, MO, NOOR, LEA, OMAR]) {
      expect(JSON.stringify(synced.pulse)).not.toContain(id);
      expect(JSON.stringify(m.emitted)).not.toContain(id);
    }
  });
});
