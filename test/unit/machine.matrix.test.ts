// Who may do what, when: every message of PROTOCOL.md's table, sent by every kind of person, in
// every phase, checked against a matrix written from the table's "who, when" column.
import { afterEach, describe, expect, it } from "vitest";
import { explainRefusal } from "../../shared/explain.ts";
import { clientMessageTypes, type ClientMessageType } from "../../shared/messages.ts";
import { phases, type Phase, type ProtocolEvent, type TableFormat } from "../../shared/types.ts";
import {
  FAY,
  MO,
  NOOR,
  PRIYA,
  STRANGER,
  UMA,
  earlierOf,
  meetingIn,
  type Meeting,
} from "./machine.fixture.ts";

type Role = "facilitator" | "presenter" | "member" | "notAgreed" | "stranger";

/**
 * The person playing each role. Outside a round (lobby to choosing, closing) nobody presents:
 * Priya, who presents the round, is then an ordinary member.
 */
const person: Record<Role, string> = {
  facilitator: FAY,
  presenter: PRIYA,
  member: MO,
  notAgreed: UMA,
  stranger: STRANGER,
};
const roles = Object.keys(person) as Role[];

const open = (p: Phase) => p !== "ended";
const afterLobby = (p: Phase) => p !== "lobby" && p !== "ended";
const handPhase = (p: Phase) => p === "questions" || p === "experiences";
const agreed = (r: Role) => r === "facilitator" || r === "presenter" || r === "member";
/** The presenter's round: the issue card is shared and rewritten in these. */
const inRound = (p: Phase) =>
  p === "presenting" || p === "questions" || p === "experiences" || p === "commitment";
/** The phases with a timer running to extend (the updates: the turn's). */
const timed = (p: Phase) => p === "checkIn" || p === "updates" || inRound(p);
/** The parking lot is open at a forum table after the lobby and before closing. */
const parkingOpen = (p: Phase, f: TableFormat) =>
  f === "forum" && p !== "lobby" && p !== "closing" && p !== "ended";

/** PROTOCOL.md's "who, when" column, as a predicate per message type. */
const expected: Record<
  ClientMessageType,
  (role: Role, phase: Phase, format: TableFormat) => boolean
> = {
  "confidentiality.agree": (r, p) => r === "notAgreed" && open(p),
  "meeting.start": (r, p) => r === "facilitator" && p === "lobby",
  "phase.next": (r, p) => r === "facilitator" && open(p),
  "checkin.word": (r, p) => agreed(r) && (p === "checkIn" || p === "closing"),
  "followup.report": (r, p) => agreed(r) && p === "followUp",
  "presenter.volunteer": (r, p) => agreed(r) && p === "choosing",
  "presenter.choose": (r, p) => r === "facilitator" && p === "choosing",
  "hand.raise": (r, p) =>
    agreed(r) && (p === "questions" || (p === "experiences" && r !== "presenter")),
  "hand.lower": (r, p) =>
    agreed(r) && (p === "questions" || (p === "experiences" && r !== "presenter")),
  "hand.lowerFor": (r, p) => r === "facilitator" && handPhase(p),
  "floor.give": (r, p) =>
    (r === "facilitator" && handPhase(p)) || (r === "presenter" && p === "questions"),
  // Mo has the floor: the holder or the facilitator ends the turn.
  "floor.yield": (r, p) => (r === "member" || r === "facilitator") && handPhase(p),
  "question.ask": (r, p) => (r === "member" || r === "facilitator") && p === "questions",
  // Each withdraws their own question; the presenter, who asks none, tries Noor's.
  "question.withdraw": (r, p) => (r === "member" || r === "facilitator") && p === "questions",
  "question.answered": (r, p) => (r === "presenter" || r === "facilitator") && p === "questions",
  "question.dismiss": (r, p) => r === "facilitator" && p === "questions",
  "commitment.add": (r, p) => r === "presenter" && p === "commitment",
  "commitment.remove": (r, p) => r === "presenter" && p === "commitment",
  "pulse.open": (r, p) => r === "facilitator" && afterLobby(p),
  "pulse.answer": (r, p) => agreed(r) && afterLobby(p),
  "pulse.close": (r, p) => r === "facilitator" && afterLobby(p),
  "facilitator.handoff": (r, p) => r === "facilitator" && open(p),
  // With the table's key; the facilitator is the facilitator already.
  "facilitator.claim": (r, p) => (r === "presenter" || r === "member") && open(p),
  "member.remove": (r, p) => r === "facilitator" && open(p),
  "member.admit": (r, p) => r === "facilitator" && open(p),
  "member.decline": (r, p) => r === "facilitator" && open(p),
  "meeting.end": (r, p) => r === "facilitator" && open(p),
  // Version 2. The probe makes it the sender's turn first, where the go-around has one for them.
  "turn.done": (r, p) => agreed(r) && p === "updates",
  "turn.pass": (r, p) => agreed(r) && p === "updates",
  "turn.next": (r, p) => r === "facilitator" && p === "updates",
  "update.rate": (r, p) => agreed(r) && p === "updates",
  "parking.add": (r, p, f) => agreed(r) && parkingOpen(p, f),
  // Each takes down their own topic; who has none tries Noor's.
  "parking.remove": (r, p, f) => agreed(r) && parkingOpen(p, f),
  "parking.vote": (r, p, f) => agreed(r) && parkingOpen(p, f),
  "issue.set": (r, p) => r === "presenter" && inRound(p),
  "share.pass": (r, p) => (r === "member" || r === "facilitator") && p === "experiences",
  "timer.extend": (r, p) => r === "facilitator" && timed(p),
  "timekeeper.assign": (r, p) => r === "facilitator" && open(p),
};
const messageTypes = Object.keys(expected) as ClientMessageType[];

const question = "What would a good outcome look like for you?";

/**
 * How each message is tried: what has to be true first for it to make sense (a hand up, a
 * question waiting, a pulse open — each attempted, and refused where the phase does not allow
 * it), and the event itself.
 */
const probes: Record<ClientMessageType, (m: Meeting, who: string) => ProtocolEvent> = {
  "confidentiality.agree": (m, who) => m.event(who, "confidentiality.agree"),
  "meeting.start": (m, who) => m.event(who, "meeting.start"),
  "phase.next": (m, who) => m.event(who, "phase.next"),
  "checkin.word": (m, who) => m.event(who, "checkin.word", { word: "curious" }),
  "followup.report": (m, who) =>
    m.event(who, "followup.report", { commitmentId: earlierOf(who).id, status: "done" }),
  "presenter.volunteer": (m, who) => m.event(who, "presenter.volunteer"),
  "presenter.choose": (m, who) => m.event(who, "presenter.choose", { memberId: NOOR }),
  "hand.raise": (m, who) => m.event(who, "hand.raise"),
  "hand.lower": (m, who) => {
    m.attempt(who, "hand.raise");
    return m.event(who, "hand.lower");
  },
  "hand.lowerFor": (m, who) => {
    m.attempt(NOOR, "hand.raise");
    return m.event(who, "hand.lowerFor", { memberId: NOOR });
  },
  "floor.give": (m, who) => m.event(who, "floor.give", { memberId: NOOR }),
  "floor.yield": (m, who) => {
    m.attempt(FAY, "floor.give", { memberId: MO });
    return m.event(who, "floor.yield");
  },
  "question.ask": (m, who) => m.event(who, "question.ask", { text: question }),
  "question.withdraw": (m, who) => {
    m.attempt(NOOR, "question.ask", { text: question });
    m.attempt(who, "question.ask", { text: question });
    return m.event(who, "question.withdraw", {
      questionId: m.questionOf(who) ?? m.questionOf(NOOR) ?? "q1",
    });
  },
  "question.answered": (m, who) => {
    m.attempt(NOOR, "question.ask", { text: question });
    m.attempt(FAY, "floor.give", { memberId: NOOR }); // Noor asks it: now it can be answered
    return m.event(who, "question.answered", { questionId: m.questionOf(NOOR) ?? "q1" });
  },
  "question.dismiss": (m, who) => {
    m.attempt(NOOR, "question.ask", { text: question });
    return m.event(who, "question.dismiss", { questionId: m.questionOf(NOOR) ?? "q1" });
  },
  "commitment.add": (m, who) =>
    m.event(who, "commitment.add", { text: "I will ask Ana for feedback", commitmentId: "k9" }),
  "commitment.remove": (m, who) => {
    m.attempt(PRIYA, "commitment.add", { text: "I will hire a lead", commitmentId: "k1" });
    return m.event(who, "commitment.remove", { commitmentId: "k1" });
  },
  "pulse.open": (m, who) => m.event(who, "pulse.open"),
  "pulse.answer": (m, who) => {
    m.attempt(FAY, "pulse.open");
    return m.event(who, "pulse.answer", { score: 4 });
  },
  "pulse.close": (m, who) => {
    m.attempt(FAY, "pulse.open");
    return m.event(who, "pulse.close");
  },
  "facilitator.handoff": (m, who) => m.event(who, "facilitator.handoff", { memberId: NOOR }),
  "facilitator.claim": (m, who) => m.event(who, "facilitator.claim", { keyValid: true }),
  "member.remove": (m, who) => m.event(who, "member.remove", { memberId: NOOR }),
  "member.admit": (m, who) => {
    waitingGus(m);
    return m.event(who, "member.admit", { memberId: GUS });
  },
  "member.decline": (m, who) => {
    waitingGus(m);
    return m.event(who, "member.decline", { memberId: GUS });
  },
  "meeting.end": (m, who) => m.event(who, "meeting.end"),
  "turn.done": (m, who) => (turnOf(m, who), m.event(who, "turn.done")),
  "turn.pass": (m, who) => (turnOf(m, who), m.event(who, "turn.pass")),
  "turn.next": (m, who) => m.event(who, "turn.next"),
  "update.rate": (m, who) => (turnOf(m, who), m.event(who, "update.rate", { work: 7 })),
  "parking.add": (m, who) => m.event(who, "parking.add", { text: "Hiring my first lead" }),
  "parking.remove": (m, who) => {
    m.attempt(NOOR, "parking.add", { text: "Pricing" });
    m.attempt(who, "parking.add", { text: "Hiring my first lead" });
    const own = m.context.parking.find((t) => t.authorId === who);
    return m.event(who, "parking.remove", { id: own?.id ?? "p1" });
  },
  "parking.vote": (m, who) => {
    m.attempt(NOOR, "parking.add", { text: "Pricing" });
    return m.event(who, "parking.vote", { id: "p1" });
  },
  "issue.set": (m, who) =>
    m.event(who, "issue.set", { title: "Hiring my first lead", ask: "questions" }),
  "share.pass": (m, who) => m.event(who, "share.pass"),
  "timer.extend": (m, who) => m.event(who, "timer.extend", { seconds: 60 }),
  "timekeeper.assign": (m, who) => m.event(who, "timekeeper.assign", { memberId: NOOR }),
};

/** In the updates, the facilitator moves the go-around on until it is `who`'s turn, if ever. */
function turnOf(m: Meeting, who: string) {
  for (let i = 0; i < 8 && m.context.turnId !== who && m.context.turnId !== ""; i++) {
    m.attempt(FAY, "turn.next");
  }
}

// Everyone who could own an earlier commitment has one, so follow-up has something to review.
// A members-only table whose roster holds everyone who joins; Gus, who is not on it, waits.
const GUS = "gus";
const input = {
  earlier: [FAY, PRIYA, MO, NOOR, UMA, STRANGER].map(earlierOf),
  admission: "members" as const,
  roster: [FAY, PRIYA, MO, NOOR, UMA].map((memberId) => ({ memberId, name: memberId })),
};
const waitingGus = (m: Meeting) => m.attempt(GUS, "member.join", { name: "Gus", keyValid: false });

const meetings: Meeting[] = [];
afterEach(() => {
  for (const m of meetings.splice(0)) m.stop();
});

/** A fresh meeting in `phase`, prepared for `type`, and the event `role` would send. */
function scene(phase: Phase, role: Role, type: ClientMessageType, format: TableFormat) {
  const m = meetingIn(phase, { input: { ...input, format } });
  meetings.push(m);
  const event = probes[type](m, person[role]);
  return { m, event };
}

function allowedFor(phase: Phase, role: Role, format: TableFormat): ClientMessageType[] {
  return messageTypes.filter((type) => expected[type](role, phase, format));
}

/** Both flows; only a forum table has the updates, and a roundtable's flow is as before. */
const cases = (["roundtable", "forum"] as const).flatMap((format) =>
  phases
    .filter((phase) => format === "forum" || phase !== "updates")
    .map((phase) => [phase, format] as const),
);

describe("who may do what, in every phase (PROTOCOL.md's message table)", () => {
  it("covers every message type of the protocol", () => {
    expect([...clientMessageTypes].sort()).toEqual([...messageTypes].sort());
  });

  describe.each(cases)("in %s at a %s table", (phase, format) => {
    it.each(roles)("the %s may do exactly what PROTOCOL.md says", (role) => {
      const allowed = messageTypes.filter((type) => {
        const { m, event } = scene(phase, role, type, format);
        return m.snapshot.can(event);
      });
      expect(allowed).toEqual(allowedFor(phase, role, format));
    });

    it.each(roles)("a refused %s changes nothing and is told why in a sentence", (role) => {
      for (const type of messageTypes) {
        if (expected[type](role, phase, format)) continue;
        const { m, event } = scene(phase, role, type, format);
        const before = m.snapshot;
        const why = explainRefusal(before, event);
        expect(why, `${type} by the ${role} in ${phase}`).toMatch(/^[A-Z].{8,}[.!?]$/);
        m.deliver(event);
        const after = m.snapshot;
        expect(after.value, `${type} by the ${role} in ${phase}`).toEqual(before.value);
        expect(after.context, `${type} by the ${role} in ${phase}`).toEqual(before.context);
      }
    });
  });
});
