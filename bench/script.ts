/**
 * What a busy meeting does, one event at a time: the benchmark's bots play this script. Each step
 * names the message, its sender (member 0 is the facilitator) and how any member's synced state
 * shows that the server applied it — the moment its fan-out reached that member.
 *
 * A round (27 events): the facilitator chooses a presenter; questions (two asked, one plain raised
 * hand, the floor given and yielded three times); experiences (two hands, the floor given and
 * yielded twice); the presenter's commitment; a trust pulse with four answers; back to choosing.
 */

/** The fields of the synced state the script reads, as the Colyseus SDK decodes them. */
export interface SyncedView {
  phase: string;
  presenterId: string;
  floorId: string;
  hands: { includes(id: string): boolean };
  members: { get(id: string): { agreed: boolean; checkinWord: string } | undefined };
  questions: { some(test: (q: { askerId: string; text: string }) => boolean): boolean };
  commitments: { some(test: (c: { text: string }) => boolean): boolean };
  pulse: { status: string; answered: number };
}

export interface Step {
  type: string;
  /** Index of the sending member; 0 is the facilitator. */
  from: number;
  payload?: Record<string, unknown>;
  /** True once a member's state shows the change. */
  expect: (state: SyncedView) => boolean;
}

/** Events of one round (see the file's comment); `skip` in a room plan is below this. */
export const ROUND_STEPS = 27;
/** Fewest members the script needs: a facilitator, a presenter and five others. */
export const MIN_MEMBERS = 7;

const WORDS = ["Curious", "Tired", "Hopeful", "Focused", "Calm", "Busy", "Ready", "Rested"];

/** Joining and agreeing to confidentiality, opening the meeting and the check-in. */
export function* preamble(ids: readonly string[]): Generator<Step> {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    yield {
      type: "confidentiality.agree",
      from: i,
      expect: (s) => s.members.get(id)?.agreed === true,
    };
  }
  yield { type: "meeting.start", from: 0, expect: (s) => s.phase === "checkIn" };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const word = `${WORDS[i % WORDS.length]}${i}`;
    yield {
      type: "checkin.word",
      from: i,
      payload: { word },
      expect: (s) => s.members.get(id)?.checkinWord === word,
    };
  }
  // A table's first meeting has nothing to follow up on: check-in goes straight to choosing.
  yield { type: "phase.next", from: 0, expect: (s) => s.phase === "choosing" };
}

/** Round `r` (1, 2, …) with `ids.length` members. */
export function* round(ids: readonly string[], r: number): Generator<Step> {
  const n = ids.length;
  const presenter = 1 + ((r - 1) % (n - 1));
  // Everyone but the facilitator and the presenter, starting after the presenter.
  const others: number[] = [];
  for (let k = 1; others.length < n - 2; k++) {
    const i = 1 + ((presenter - 1 + k) % (n - 1));
    if (i !== presenter) others.push(i);
  }
  const o = (k: number) => others[k % others.length]!;
  const id = (i: number) => ids[i]!;
  const phase = (name: string) => (s: SyncedView) => s.phase === name;
  const floorTo = (i: number) => (s: SyncedView) => s.floorId === id(i);
  const floorFree = (s: SyncedView) => s.floorId === "";

  yield {
    type: "presenter.choose",
    from: 0,
    payload: { memberId: id(presenter) },
    expect: (s) => s.presenterId === id(presenter) && s.phase === "presenting",
  };
  yield { type: "phase.next", from: 0, expect: phase("questions") };
  for (const k of [0, 1]) {
    const text = `Round ${r}, question ${k + 1}: what have you tried so far?`;
    yield {
      type: "question.ask",
      from: o(k),
      payload: { text },
      expect: (s) => s.questions.some((q) => q.askerId === id(o(k)) && q.text === text),
    };
  }
  yield { type: "hand.raise", from: o(2), expect: (s) => s.hands.includes(id(o(2))) };
  // Nobody has spoken yet this round, so the queue is in order of arrival; the presenter gives
  // the first turn, the facilitator the others.
  for (const k of [0, 1, 2]) {
    yield { type: "floor.give", from: k === 0 ? presenter : 0, expect: floorTo(o(k)) };
    yield { type: "floor.yield", from: o(k), expect: floorFree };
  }
  yield { type: "phase.next", from: 0, expect: phase("experiences") };
  for (const k of [3, 4]) {
    yield { type: "hand.raise", from: o(k), expect: (s) => s.hands.includes(id(o(k))) };
  }
  for (const k of [3, 4]) {
    yield { type: "floor.give", from: 0, expect: floorTo(o(k)) };
    yield { type: "floor.yield", from: o(k), expect: floorFree };
  }
  yield { type: "phase.next", from: 0, expect: phase("commitment") };
  const commitment = `Round ${r}: talk to my manager before Friday`;
  yield {
    type: "commitment.add",
    from: presenter,
    payload: { text: commitment },
    expect: (s) => s.commitments.some((c) => c.text === commitment),
  };
  yield {
    type: "pulse.open",
    from: 0,
    expect: (s) => s.pulse.status === "open" && s.pulse.answered === 0,
  };
  for (const k of [0, 1, 2, 3]) {
    yield {
      type: "pulse.answer",
      from: o(k),
      payload: { score: 1 + ((r + k) % 5) },
      expect: (s) => s.pulse.answered >= k + 1,
    };
  }
  yield { type: "pulse.close", from: 0, expect: (s) => s.pulse.status !== "open" };
  yield { type: "phase.next", from: 0, expect: phase("choosing") };
}

/** A whole meeting that never ends: the preamble, then rounds 1, 2, … */
export function* meeting(ids: readonly string[]): Generator<Step> {
  yield* preamble(ids);
  for (let r = 1; ; r++) yield* round(ids, r);
}
