// The client asks the same machine as the server: a snapshot rebuilt from the synced state must
// allow and refuse exactly what the server's snapshot does, for the member asking (sync.ts).
import { afterEach, describe, expect, it } from "vitest";
import { explainRefusal } from "../../shared/explain.ts";
import type { ProtocolSnapshot } from "../../shared/machine.ts";
import { phaseOf, snapshotFromSynced, syncedFromSnapshot } from "../../shared/sync.ts";
import { phases, type Phase, type ProtocolEvent, type TableFormat } from "../../shared/types.ts";
import {
  FAY,
  MO,
  Meeting,
  NOOR,
  PRIYA,
  STRANGER,
  UMA,
  earlierOf,
  meetingIn,
} from "./machine.fixture.ts";

const meetings: Meeting[] = [];
afterEach(() => {
  for (const m of meetings.splice(0)) m.stop();
});

const people = [FAY, PRIYA, MO, NOOR, UMA, STRANGER];

/**
 * A meeting in `phase` with something going on: a pulse Mo answered, hands, a speaker, a
 * question, a commitment — so that the answers differ from member to member.
 */
function busyMeetingIn(phase: Phase, format: TableFormat = "roundtable"): Meeting {
  const input = { earlier: [earlierOf(MO), earlierOf(NOOR)], format };
  const m = meetingIn(phase, {
    input: phase === "updates" ? { ...input, format: "forum" } : input,
  });
  meetings.push(m);
  // Forum: a topic on the parking lot with Mo's vote, a timekeeper, an issue card, a pass.
  m.attempt(PRIYA, "parking.add", { text: "Hiring my first lead" });
  m.attempt(MO, "parking.vote", { id: "p1" });
  m.attempt(FAY, "timekeeper.assign", { memberId: NOOR });
  m.attempt(PRIYA, "issue.set", { title: "Hiring", why: "Growth", ask: "both" });
  m.attempt(MO, "update.rate", { work: 6, family: 8 });
  m.attempt(MO, "share.pass");
  m.attempt(FAY, "pulse.open");
  m.attempt(MO, "pulse.answer", { score: 4 });
  m.attempt(NOOR, "question.ask", { text: "What would a good outcome look like?" });
  m.attempt(MO, "hand.raise");
  m.attempt(FAY, "floor.give", { memberId: NOOR });
  m.attempt(PRIYA, "commitment.add", { text: "I will talk to Ana", commitmentId: "k1" });
  m.attempt(NOOR, "followup.report", { commitmentId: earlierOf(NOOR).id, status: "done" });
  m.attempt(MO, "presenter.volunteer");
  return m;
}

/** Every kind of message, from `who`, with payloads that make sense and some that do not. */
function samples(m: Meeting, who: string): ProtocolEvent[] {
  return [
    m.event(who, "confidentiality.agree"),
    m.event(who, "meeting.start"),
    m.event(who, "phase.next"),
    m.event(who, "checkin.word", { word: "curious" }),
    m.event(who, "followup.report", { commitmentId: earlierOf(who).id, status: "partly" }),
    m.event(who, "followup.report", { commitmentId: earlierOf(MO).id, status: "done" }),
    m.event(who, "presenter.volunteer"),
    m.event(who, "presenter.choose", { memberId: NOOR }),
    m.event(who, "presenter.choose", { memberId: UMA }),
    m.event(who, "hand.raise"),
    m.event(who, "hand.lower"),
    m.event(who, "hand.lowerFor", { memberId: MO }),
    m.event(who, "floor.give", {}),
    m.event(who, "floor.give", { memberId: MO }),
    m.event(who, "floor.give", { memberId: NOOR }),
    m.event(who, "floor.give", { memberId: PRIYA }),
    m.event(who, "floor.yield"),
    m.event(who, "question.ask", { text: "How have you handled this before?" }),
    m.event(who, "question.withdraw", { questionId: "q1" }),
    m.event(who, "question.answered", { questionId: "q1" }),
    m.event(who, "question.dismiss", { questionId: "q1" }),
    m.event(who, "commitment.add", { text: "I will hire", commitmentId: "k2" }),
    m.event(who, "commitment.remove", { commitmentId: "k1" }),
    m.event(who, "pulse.open"),
    m.event(who, "pulse.answer", { score: 3 }),
    m.event(who, "pulse.close"),
    m.event(who, "facilitator.handoff", { memberId: NOOR }),
    m.event(who, "facilitator.claim", { keyValid: true }),
    m.event(who, "facilitator.claim", { keyValid: false }),
    m.event(who, "member.remove", { memberId: NOOR }),
    m.event(who, "turn.done"),
    m.event(who, "turn.pass"),
    m.event(who, "turn.next"),
    m.event(who, "update.rate", { work: 7 }),
    m.event(who, "parking.add", { text: "Hiring my first lead" }),
    m.event(who, "parking.remove", { id: "p1" }),
    m.event(who, "parking.remove", { id: "p2" }),
    m.event(who, "parking.vote", { id: "p1" }),
    m.event(who, "parking.vote", { id: "p9" }),
    m.event(who, "presenter.choose", { memberId: NOOR, topicId: "p1" }),
    m.event(who, "presenter.choose", { memberId: NOOR, topicId: "p9" }),
    m.event(who, "issue.set", { title: "Hiring", ask: "both" }),
    m.event(who, "share.pass"),
    m.event(who, "timer.extend", { seconds: 60 }),
    m.event(who, "timekeeper.assign", { memberId: MO }),
    m.event(who, "timekeeper.assign", { memberId: "" }),
    m.event(who, "timekeeper.assign", { memberId: STRANGER }),
    m.event(who, "meeting.end"),
  ];
}

/** What `who`'s client rebuilds from the synced state, after a trip over the wire. */
function clientOf(server: ProtocolSnapshot, who: string): ProtocolSnapshot {
  const synced = JSON.parse(JSON.stringify(syncedFromSnapshot(server)));
  return snapshotFromSynced(synced, {
    memberId: who,
    pulseAnswered: server.context.pulse.answeredBy.includes(who),
  });
}

const formats: TableFormat[] = ["roundtable", "forum"];
const cases = formats.flatMap((format) =>
  phases
    .filter((phase) => format === "forum" || phase !== "updates")
    .map((phase) => [phase, format] as const),
);

describe.each(cases)("a client's snapshot in %s at a %s table", (phase, format) => {
  it("is in the same phase as the server", () => {
    const server = busyMeetingIn(phase, format).snapshot;
    expect(phaseOf(server)).toBe(phase);
    expect(syncedFromSnapshot(server).phase).toBe(phase);
    for (const who of people) {
      const client = clientOf(server, who);
      expect(phaseOf(client)).toBe(phase);
      expect(client.value).toEqual(server.value);
    }
  });

  it("allows and refuses what the server does, with the same reason, for every member", () => {
    const m = busyMeetingIn(phase, format);
    const server = m.snapshot;
    for (const who of people) {
      const client = clientOf(server, who);
      for (const event of samples(m, who)) {
        const what = `${event.type} ${JSON.stringify(event)} in ${phase}`;
        expect(client.can(event), what).toBe(server.can(event));
        expect(explainRefusal(client, event), what).toBe(explainRefusal(server, event));
      }
    }
  });
});

describe("the synced state", () => {
  it("agrees with the server when the facilitator has been away for a minute", () => {
    const m = busyMeetingIn("questions");
    m.send(FAY, "member.drop");
    m.wait(60_000);
    const event = m.event(MO, "facilitator.claim", { keyValid: false });
    expect(m.snapshot.can(event)).toBe(true);
    expect(clientOf(m.snapshot, MO).can(event)).toBe(true);
  });

  it("carries no pulse value and no record of who answered while the pulse is open", () => {
    const m = busyMeetingIn("questions");
    m.send(NOOR, "pulse.answer", { score: 1 }).send(PRIYA, "pulse.answer", { score: 5 });
    const synced = syncedFromSnapshot(m.snapshot);
    expect(synced.pulse).toEqual({
      status: "open",
      answered: 3,
      threshold: 3,
      counts: [],
      mean: 0,
      seq: 1,
      withheldBecause: "",
    });
    expect(JSON.stringify(synced)).not.toMatch(/answeredBy/);
  });

  it("carries the mean alone once a pulse of three is revealed, and still no one's answer", () => {
    const m = busyMeetingIn("questions");
    m.send(NOOR, "pulse.answer", { score: 1 }).send(PRIYA, "pulse.answer", { score: 5 });
    m.send(FAY, "pulse.close");
    const synced = syncedFromSnapshot(m.snapshot);
    expect(synced.pulse).toMatchObject({
      status: "revealed",
      counts: [0, 0, 0, 0, 0],
      mean: 3.3,
      withheldBecause: "",
    });
    expect(JSON.stringify(synced)).not.toMatch(/answeredBy|revealedAnswerers/);
  });

  it("carries why a pulse is withheld, and a client's snapshot keeps the reason", () => {
    const m = busyMeetingIn("questions");
    m.send(NOOR, "pulse.answer", { score: 1 }).send(PRIYA, "pulse.answer", { score: 5 });
    m.send(FAY, "pulse.close").send(FAY, "pulse.open");
    for (const id of [MO, NOOR, PRIYA, FAY]) m.send(id, "pulse.answer", { score: 3 });
    m.send(FAY, "pulse.close");
    const synced = syncedFromSnapshot(m.snapshot);
    expect(synced.pulse).toMatchObject({ status: "withheld", withheldBecause: "would_compare" });
    const client = clientOf(m.snapshot, MO);
    expect(client.context.pulse.withheldBecause).toBe("would_compare");
    expect(client.context.revealedAnswerers).toEqual([]);
    expect(client.value).toEqual(m.snapshot.value);
  });

  it("marks the raised hands on the members", () => {
    const m = busyMeetingIn("questions");
    const synced = syncedFromSnapshot(m.snapshot);
    expect(synced.hands).toEqual([MO]);
    expect(synced.members[MO]?.handUp).toBe(true);
    expect(synced.members[NOOR]?.handUp).toBe(false);
    expect(synced.floorId).toBe(NOOR);
  });
});
