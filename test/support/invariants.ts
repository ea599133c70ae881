// The protocol's invariants on a synced state, whoever holds it: a client that decoded it (the
// socket fuzzer, test/integration/fuzz.test.ts) or the host's own view of its meeting (the
// in-process fuzzer, test/unit/host.fuzz.test.ts).
import {
  ISSUE_TEXT_MAX,
  ISSUE_TITLE_MAX,
  PARKING_MAX,
  PULSE_COUNTS_FROM,
  TOPIC_MAX,
} from "../../shared/limits.ts";
import { sameName } from "../../shared/names.ts";
import { phases, type Phase } from "../../shared/types.ts";

type Plain = Record<string, any>;

const handPhases: readonly Phase[] = ["questions", "experiences"];
const roundPhases: readonly Phase[] = ["presenting", "questions", "experiences", "commitment"];
const timedPhases: readonly Phase[] = ["checkIn", ...roundPhases];

/** JSON for a failure message, short, and never throwing. */
export function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v) =>
      typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
    );
    return text === undefined ? String(value) : text.length > 160 ? `${text.slice(0, 160)}…` : text;
  } catch {
    return String(value);
  }
}

/** Fails with what was expected and what the client decoded; cheap while it holds. */
export function claim(holds: boolean, what: string, seen?: unknown): void {
  if (!holds) throw new Error(`${what}${seen === undefined ? "" : `; seen: ${safeJson(seen)}`}`);
}

export const unique = (values: unknown[]) => new Set(values).size === values.length;

/** Invariants of any decoded state, whoever decodes it. */
export function checkInvariants(s: Plain, who: string, seesContent: boolean): void {
  const at = (what: string) => `${who}'s state: ${what}`;
  const members = s.members as Record<string, Plain>;
  const hands = s.hands as string[];
  const phase = s.phase as Phase;
  claim(phases.includes(phase), at("the phase is one of PROTOCOL.md's"), phase);
  // Seats (16, taken by agreeing; the key holders always have one) are checked where the key
  // holders are known: the host fuzzer. Members who have not agreed, or left, hold none.

  // One floor holder at most, a member, not also waiting in the queue; nobody outside hand phases.
  if (s.floorId !== "") {
    claim(members[s.floorId] !== undefined, at("the floor holder is a member"), s.floorId);
    claim(!hands.includes(s.floorId), at("the floor holder's hand is down"), hands);
    claim(handPhases.includes(phase), at("the floor is held only in a hand phase"), phase);
  }
  claim(
    s.turnEndsAt > 0 === (s.floorId !== "" || s.turnId !== ""),
    at("a turn is timed exactly while someone has the floor or the turn"),
    { floorId: s.floorId, turnId: s.turnId, turnEndsAt: s.turnEndsAt },
  );

  // The forum format: the updates go-around, and only at a forum table.
  claim(["roundtable", "forum"].includes(s.format), at("the format is known"), s.format);
  claim(s.format === "forum" || phase !== "updates", at("a roundtable has no updates"), phase);
  const turnOrder = s.turnOrder as string[];
  claim(unique(turnOrder), at("nobody twice in the go-around"), turnOrder);
  if (s.turnId !== "") {
    claim(phase === "updates", at("a turn only in the updates"), phase);
    claim(turnOrder.includes(s.turnId), at("whose turn it is is in the go-around"), turnOrder);
    claim(members[s.turnId] !== undefined, at("whose turn it is is a member"), s.turnId);
    claim(members[s.turnId]?.turnStatus === "", at("a turn not yet taken"), members[s.turnId]);
  }
  for (const [id, m] of Object.entries(members)) {
    claim(
      ["", "done", "passed", "skipped"].includes(m.turnStatus),
      at(`${m.name}'s turn status`),
      m.turnStatus,
    );
    claim(!(m.passedThisRound && m.sharedThisRound), at(`${m.name} shared or passed, not both`), m);
    claim(
      m.turnStatus === "" || turnOrder.includes(id),
      at(`${m.name} took a turn in the go-around`),
      turnOrder,
    );
  }
  claim(
    s.timekeeperId === "" || members[s.timekeeperId] !== undefined,
    at("the timekeeper is a member"),
    s.timekeeperId,
  );
  claim(
    s.topicId === "" || roundPhases.includes(phase),
    at("a round's topic only during a round"),
    { topicId: s.topicId, phase },
  );
  claim(
    s.phaseEndsAt > 0 === timedPhases.includes(phase),
    at("a phase is timed exactly when it has a timebox"),
    { phase, phaseEndsAt: s.phaseEndsAt },
  );

  // Hands: unique members, only in hand phases, mirrored by handUp.
  claim(unique(hands), at("no duplicate hands"), hands);
  claim(
    hands.every((id) => members[id] !== undefined),
    at("every hand is a member's"),
    hands,
  );
  claim(handPhases.includes(phase) || hands.length === 0, at(`no hands in ${phase}`), hands);
  for (const [id, m] of Object.entries(members)) {
    claim(m.handUp === hands.includes(id), at(`${m.name}'s handUp matches hands`), hands);
  }

  // Roles.
  claim(
    s.facilitatorId === "" || members[s.facilitatorId] !== undefined,
    at("the facilitator is a member"),
    s.facilitatorId,
  );
  if (s.presenterId !== "") {
    claim(members[s.presenterId] !== undefined, at("the presenter is a member"), s.presenterId);
    claim(roundPhases.includes(phase), at("a presenter only during a round"), phase);
    claim(s.floorId !== s.presenterId, at("the presenter never takes the floor"));
    claim(
      phase !== "experiences" || !hands.includes(s.presenterId),
      at("the presenter has no hand up in experiences"),
      hands,
    );
  }
  claim(phase !== "lobby" || s.round === 0, at("no round in the lobby"), s.round);
  // Nobody here passes for someone else: names differ beyond case (those who left keep theirs).
  const here = Object.values(members).filter((m) => !m.left);
  claim(
    here.every((m, i) => here.findIndex((o) => sameName(o.name, m.name)) === i),
    at("members' names are unique without case"),
    here.map((m) => m.name),
  );
  const waiting = Object.values((s.waiting ?? {}) as Record<string, Plain>);
  claim(
    waiting.every((w, i) => waiting.findIndex((o) => sameName(o.name, w.name)) === i),
    at("the names of people waiting are unique without case"),
    waiting.map((w) => w.name),
  );
  claim(unique(s.volunteers), at("no duplicate volunteers"), s.volunteers);

  if (seesContent) {
    // The pulse: aggregates only, and only once revealed; counts only from 5 answers.
    const pulse = s.pulse as Plain;
    const counts = pulse.counts as number[];
    claim(
      ["idle", "open", "revealed", "withheld"].includes(pulse.status),
      at("pulse status"),
      pulse,
    );
    if (pulse.status === "revealed") {
      claim(counts.length === 5, at("a revealed pulse has five counts"), pulse);
      const sum = counts.reduce((a, n) => a + n, 0);
      claim(pulse.answered >= pulse.threshold, at("revealed only at the threshold"), pulse);
      claim(Number.isInteger(pulse.mean * 10), at("the mean has one decimal"), pulse);
      if (pulse.answered >= PULSE_COUNTS_FROM) {
        claim(sum === pulse.answered, at("pulse counts add up to answered"), pulse);
        const total = counts.reduce((a, n, i) => a + n * (i + 1), 0);
        claim(
          pulse.mean === Math.round((total * 10) / sum) / 10,
          at("the mean matches the counts"),
          pulse,
        );
      } else {
        claim(sum === 0, at(`no counts below ${PULSE_COUNTS_FROM} answers`), pulse);
        claim(pulse.mean >= 1 && pulse.mean <= 5, at("a mean between 1 and 5"), pulse);
      }
    } else {
      claim(
        counts.length === 0 && pulse.mean === 0,
        at(`no counts nor mean while ${pulse.status}`),
        pulse,
      );
    }
    claim(
      pulse.status !== "idle" || pulse.answered === 0,
      at("an idle pulse has no answers"),
      pulse,
    );

    const questions = s.questions as Plain[];
    claim(unique(questions.map((q) => q.id)), at("question ids are unique"), questions);
    const asking = questions.filter((q) => q.status === "asking");
    claim(asking.length <= 1, at("at most one question being asked"), questions);
    claim(
      asking.every((q) => q.askerId === s.floorId),
      at("the asker of the question being asked has the floor"),
      { floorId: s.floorId, asking },
    );
    const commitments = s.commitments as Plain[];
    claim(unique(commitments.map((c) => c.id)), at("commitment ids are unique"), commitments);

    // The parking lot (forum only), the issue card (during a round), and ratings (1–10 or 0).
    const parking = s.parking as Plain[];
    claim(s.format === "forum" || parking.length === 0, at("no parking lot at a roundtable"));
    claim(parking.length <= PARKING_MAX, at(`at most ${PARKING_MAX} topics`), parking.length);
    claim(unique(parking.map((t) => t.id)), at("topic ids are unique"), parking);
    for (const t of parking) {
      claim(t.text.length >= 1 && t.text.length <= TOPIC_MAX, at("a topic's length"), t);
      claim(t.votes === t.voters.length, at("votes count the voters"), t);
      claim(unique(t.voters), at("one vote each"), t);
      claim(
        t.voters.every((v: string, i: number) => i === 0 || t.voters[i - 1] < v),
        at("voters are sorted"),
        t,
      );
    }
    claim(
      s.topicId === "" || parking.some((t) => t.id === s.topicId),
      at("the round's topic is on the parking lot"),
      s.topicId,
    );
    const issue = s.issue as Plain;
    if (issue.title !== "") {
      claim(roundPhases.includes(phase), at("an issue card only in a round"), phase);
      claim(issue.title.length <= ISSUE_TITLE_MAX, at("the issue's title length"), issue);
      claim(
        issue.why.length <= ISSUE_TEXT_MAX && issue.tried.length <= ISSUE_TEXT_MAX,
        at("the issue's texts' length"),
        issue,
      );
      claim(["questions", "experiences", "both"].includes(issue.ask), at("the issue's ask"), issue);
    } else {
      claim(
        issue.why === "" && issue.tried === "" && issue.ask === "",
        at("no issue card, nothing of one"),
        issue,
      );
    }
    for (const m of Object.values(members)) {
      for (const k of ["work", "family", "personal"]) {
        const v = m.ratings?.[k];
        claim(Number.isInteger(v) && v >= 0 && v <= 10, at(`${m.name}'s ${k} rating`), m.ratings);
      }
    }
  } else {
    // Nothing said in the meeting reaches a member who has not agreed, not even the pulse.
    claim(s.pulse === undefined, at("no pulse before agreeing"), s.pulse);
    claim(s.questions === undefined, at("no questions before agreeing"), s.questions);
    claim(s.commitments === undefined, at("no commitments before agreeing"), s.commitments);
    claim(s.parking === undefined, at("no parking lot before agreeing"), s.parking);
    claim(s.issue === undefined, at("no issue card before agreeing"), s.issue);
    for (const m of Object.values(members)) {
      for (const field of ["checkinWord", "closingWord", "shareNote", "shareHint", "ratings"]) {
        claim(m[field] === undefined, at(`no ${field} before agreeing`), m);
      }
    }
  }
}
