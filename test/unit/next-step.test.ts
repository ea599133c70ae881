import { describe, expect, it } from "vitest";
import { nextStep, type NextSteps, type Step } from "../../client/lib/nextStep.ts";
import type { SyncedState } from "../../shared/sync.ts";
import type { Commitment, Question } from "../../shared/types.ts";
import { meeting, member, members } from "../component/fixtures.ts";

const always = () => true;

const pulse = (status: "idle" | "open" | "revealed") => ({
  status,
  answered: 3,
  threshold: 3,
  counts: [],
  mean: 0,
  seq: 1,
  withheldBecause: "" as const,
});

const question = (id: string, askerId: string, status: Question["status"]): Question => ({
  id,
  askerId,
  text: "What would a good outcome look like?",
  status,
  hint: "open",
});

const review = (id: string, status: Commitment["status"]): Commitment => ({
  id,
  ownerId: "ben",
  ownerName: "Ben",
  text: `Commitment ${id}`,
  status,
  note: "",
  review: true,
  round: 0,
});

/** What a person reads of a step: its name, with the words shown beside it. */
const shown = (s: Step) => [s.label, s.detail].filter(Boolean).join(" ");
const isButton = (s: Step) => s.action !== undefined || s.focus !== undefined;

interface Row {
  when: string;
  state: Partial<SyncedState>;
  /** The primary step as read, and whether it is a button. */
  primary: string;
  button: boolean;
  /** Each secondary step as read, with what it leaves behind. */
  secondary?: [string, string][];
  action?: Step["action"];
}

const away = { ...members, chloe: member("chloe", "Chloé", { connected: false }) };
const shared = { ...members, dev: member("dev", "Dev", { sharedThisRound: true }) };
const sharedOrPassed = {
  ...members,
  ana: member("ana", "Ana", { passedThisRound: true }),
  chloe: member("chloe", "Chloé", { sharedThisRound: true }),
  dev: member("dev", "Dev", { passedThisRound: true }),
};
const order = ["ana", "ben", "chloe", "dev"];
/** The updates go-around with each member's status so far. */
const turns = (statuses: Partial<Record<string, "done" | "passed" | "skipped">>) =>
  Object.fromEntries(
    Object.entries(members).map(([id, m]) => [
      id,
      member(id, m.name, { turnStatus: statuses[id] ?? "" }),
    ]),
  );

// Every phase, and the situations within each that change what the facilitator should do.
const table: Row[] = [
  { when: "lobby", state: {}, primary: "Start meeting", button: true },
  { when: "check-in", state: { phase: "checkIn" }, primary: "Finish check-in", button: true },
  {
    when: "updates, someone gives theirs",
    state: {
      phase: "updates",
      format: "forum",
      turnOrder: order,
      turnId: "ben",
      members: turns({ ana: "done" }),
    },
    primary: "Ben gives an update",
    button: false,
    secondary: [
      ["Skip Ben", ""],
      [
        "Next phase to follow-up or choosing a presenter",
        "Ben's update is cut short, 2 updates not given",
      ],
    ],
  },
  {
    when: "updates, the speaker's time is up",
    state: {
      phase: "updates",
      format: "forum",
      turnOrder: order,
      turnId: "dev",
      turnOvertime: true,
      members: turns({ ana: "done", ben: "passed", chloe: "done" }),
    },
    primary: "Skip Dev",
    button: true,
    action: { type: "turn.next" },
    secondary: [["Next phase to follow-up or choosing a presenter", "Dev's update is cut short"]],
  },
  {
    when: "updates, the facilitator's own turn",
    state: { phase: "updates", format: "forum", turnOrder: order, turnId: "ana" },
    primary: "Your update",
    button: false,
    secondary: [
      [
        "Next phase to follow-up or choosing a presenter",
        "Ana's update is cut short, 3 updates not given",
      ],
    ],
  },
  {
    when: "updates, everyone has had their turn",
    state: {
      phase: "updates",
      format: "forum",
      turnOrder: order,
      turnId: "",
      members: turns({ ana: "done", ben: "passed", chloe: "skipped", dev: "done" }),
    },
    primary: "Finish the updates",
    button: true,
    action: { type: "phase.next" },
  },
  {
    when: "follow-up with reports missing",
    state: {
      phase: "followUp",
      commitments: [review("c1", "done"), review("c2", "open"), review("c3", "open")],
    },
    primary: "Waiting for 2 follow-ups",
    button: false,
    secondary: [["Next phase to choosing a presenter", "2 follow-ups not reported"]],
  },
  {
    when: "follow-up with every report in",
    state: { phase: "followUp", commitments: [review("c1", "done"), review("c2", "partly")] },
    primary: "Move to choosing a presenter",
    button: true,
  },
  {
    when: "choosing, nobody volunteered, no round yet",
    state: { phase: "choosing" },
    primary: "Choose a presenter",
    button: true,
    secondary: [["Close the meeting without a round", "Nobody presents today"]],
  },
  {
    when: "choosing, one volunteer",
    state: { phase: "choosing", volunteers: ["ben"] },
    primary: "Choose Ben to present",
    button: true,
    action: { type: "presenter.choose", payload: { memberId: "ben" } },
    secondary: [["Close the meeting without a round", "Nobody presents today"]],
  },
  {
    when: "choosing, two volunteers",
    state: { phase: "choosing", volunteers: ["ben", "dev"] },
    primary: "Choose a presenter",
    button: true,
    secondary: [["Close the meeting without a round", "Nobody presents today"]],
  },
  {
    when: "choosing, nobody volunteered, a presenter is planned",
    state: { phase: "choosing", nextPresenters: ["chloe", "dev"] },
    primary: "Choose Chloé to present",
    button: true,
    action: { type: "presenter.choose", payload: { memberId: "chloe" } },
    secondary: [["Close the meeting without a round", "Nobody presents today"]],
  },
  {
    when: "choosing after the first planned presenter's round",
    state: { phase: "choosing", nextPresenters: ["chloe", "dev"], presented: ["chloe"] },
    primary: "Choose Dev to present",
    button: true,
    action: { type: "presenter.choose", payload: { memberId: "dev" } },
    secondary: [["Next phase to closing", ""]],
  },
  {
    when: "choosing after a round, nobody volunteers",
    state: { phase: "choosing", presented: ["ben"] },
    primary: "Move to closing",
    button: true,
  },
  {
    when: "presenting",
    state: { phase: "presenting", presenterId: "ben" },
    primary: "Move to probing questions",
    button: true,
  },
  {
    when: "questions, nobody asked yet",
    state: { phase: "questions", presenterId: "ben" },
    primary: "Invite probing questions",
    button: false,
    secondary: [["Next phase to experience shares", "No question asked yet"]],
  },
  {
    when: "questions, hands up and questions waiting",
    state: {
      phase: "questions",
      presenterId: "ben",
      hands: ["chloe", "dev"],
      questions: [question("q1", "chloe", "queued"), question("q2", "dev", "queued")],
    },
    primary: "Give the floor to Chloé",
    button: true,
    action: { type: "floor.give" },
    secondary: [["Next phase to experience shares", "2 questions still waiting, 2 hands still up"]],
  },
  {
    when: "questions, the head of the queue is away",
    state: { phase: "questions", presenterId: "ben", members: away, hands: ["chloe", "dev"] },
    primary: "Give the floor to Dev",
    button: true,
    action: { type: "floor.give", payload: { memberId: "dev" } },
    secondary: [["Next phase to experience shares", "2 hands still up"]],
  },
  {
    when: "questions, every hand up is away",
    state: { phase: "questions", presenterId: "ben", members: away, hands: ["chloe"] },
    primary: "Waiting for a raised hand to return",
    button: false,
    secondary: [["Next phase to experience shares", "1 hand still up"]],
  },
  {
    when: "questions, someone holds the floor with hands waiting",
    state: { phase: "questions", presenterId: "ben", floorId: "dev", hands: ["chloe"] },
    primary: "Dev has the floor",
    button: false,
    secondary: [
      ["End Dev's turn", ""],
      ["Next phase to experience shares", "Dev's turn is cut short, 1 hand still up"],
    ],
  },
  {
    when: "questions, the speaker's time is up",
    state: { phase: "questions", presenterId: "ben", floorId: "dev", turnOvertime: true },
    primary: "End Dev's turn",
    button: true,
    action: { type: "floor.yield" },
    secondary: [["Next phase to experience shares", "Dev's turn is cut short"]],
  },
  {
    when: "questions, all answered and no hands",
    state: {
      phase: "questions",
      presenterId: "ben",
      questions: [question("q1", "chloe", "answered")],
    },
    primary: "Move to experience shares",
    button: true,
  },
  {
    when: "experiences, nobody has shared yet",
    state: { phase: "experiences", presenterId: "ben" },
    primary: "Invite experience shares",
    button: false,
    secondary: [["Next phase to commitment", "Nobody has shared yet"]],
  },
  {
    when: "experiences, hands up",
    state: { phase: "experiences", presenterId: "ben", hands: ["chloe", "dev", "ana"] },
    primary: "Give the floor to Chloé",
    button: true,
    secondary: [["Next phase to commitment", "3 hands still up"]],
  },
  {
    when: "experiences, someone shared and no hands are up",
    state: { phase: "experiences", presenterId: "ben", members: shared },
    primary: "Move to commitment",
    button: true,
  },
  {
    when: "experiences, everyone has shared or passed",
    state: { phase: "experiences", presenterId: "ben", members: sharedOrPassed },
    primary: "Move to commitment",
    button: true,
    action: { type: "phase.next" },
  },
  {
    when: "experiences, everyone passed",
    state: {
      phase: "experiences",
      presenterId: "ben",
      members: Object.fromEntries(
        Object.entries(members).map(([id, m]) => [id, { ...m, passedThisRound: id !== "ben" }]),
      ),
    },
    primary: "Move to commitment",
    button: true,
  },
  {
    when: "commitment, none made yet",
    state: { phase: "commitment", presenterId: "ben", round: 1 },
    primary: "Waiting for Ben's commitment",
    button: false,
    secondary: [["Next phase to choosing a presenter", "No commitment recorded"]],
  },
  {
    when: "commitment, one made",
    state: {
      phase: "commitment",
      presenterId: "ben",
      round: 1,
      commitments: [{ ...review("c9", "open"), review: false, round: 1 }],
    },
    primary: "Finish the round",
    button: true,
  },
  {
    when: "closing, no pulse yet",
    state: { phase: "closing", pulse: pulse("idle") },
    primary: "Open pulse",
    button: true,
  },
  {
    when: "closing, the pulse is open",
    state: { phase: "closing", pulse: pulse("open") },
    primary: "Close pulse",
    button: true,
  },
  {
    when: "closing, the pulse is revealed",
    state: { phase: "closing", pulse: pulse("revealed") },
    primary: "End meeting",
    button: true,
    action: { type: "meeting.end" },
  },
];

describe("the facilitator's next step follows the protocol's work", () => {
  it.each(table)("$when: $primary", (row) => {
    const steps = nextStep(meeting(row.state), "ana", always) as NextSteps;
    expect(shown(steps.primary)).toBe(row.primary);
    expect(isButton(steps.primary)).toBe(row.button);
    if (row.action) expect(steps.primary.action).toEqual(row.action);
    expect(steps.secondary.map((s) => [shown(s), s.leaves ?? ""])).toEqual(row.secondary ?? []);
  });

  it("never offers moving on as the primary step while work remains", () => {
    for (const row of table.filter((r) => (r.secondary ?? []).length > 0)) {
      const steps = nextStep(meeting(row.state), "ana", always) as NextSteps;
      expect(steps.primary.action?.type, row.when).not.toBe("phase.next");
    }
  });

  it("names the button with the protocol's fixed name and the person apart", () => {
    const steps = nextStep(meeting({ phase: "questions", hands: ["chloe"] }), "ana", always);
    expect(steps?.primary).toMatchObject({ label: "Give the floor", detail: "to Chloé" });
  });

  it("does not offer a step the machine would refuse", () => {
    const never = () => false;
    const steps = nextStep(meeting({ phase: "experiences", hands: ["chloe"] }), "ana", never);
    expect(steps?.primary.action).toBeUndefined();
  });

  it("tells the speaker who facilitates that the floor is theirs", () => {
    const steps = nextStep(meeting({ phase: "experiences", floorId: "ana" }), "ana", always);
    expect(steps?.primary).toMatchObject({ label: "You have the floor" });
    expect(steps?.primary.action).toBeUndefined();
  });

  it("says when everyone has shared or passed, and counts the go-around", () => {
    const shares = nextStep(
      meeting({ phase: "experiences", presenterId: "ben", members: sharedOrPassed }),
      "ana",
      always,
    );
    expect(shares?.primary.note).toBe("Everyone has shared or passed.");
    const updates = nextStep(
      meeting({
        phase: "updates",
        format: "forum",
        turnOrder: order,
        turnId: "",
        members: turns({ ana: "done", ben: "passed", chloe: "skipped", dev: "done" }),
      }),
      "ana",
      always,
    );
    expect(updates?.primary.note).toBe(
      "Everyone has had their turn: 2 of 4 gave an update, 1 passed, 1 skipped.",
    );
  });

  it("offers nothing once the meeting has ended", () => {
    expect(nextStep(meeting({ phase: "ended" }), "ana", always)).toBeUndefined();
  });
});
