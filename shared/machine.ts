import {
  and,
  assertEvent,
  assign,
  emit,
  enqueueActions,
  not,
  setup,
  stateIn,
  type SnapshotFrom,
} from "xstate";
import { reviewQuestion, reviewShare } from "./language.ts";
import { admit, join, stopWaiting, unseat } from "./membership.ts";
import { firstFailure, nextSpeaker, presentMembers, type RuleName } from "./rules.ts";
import {
  defaultConfig,
  type Admission,
  type EarlierCommitment,
  type MeetingConfig,
  type Phase,
  type ProtocolContext,
  type ProtocolEmitted,
  type ProtocolEvent,
  type Pulse,
} from "./types.ts";

/** What a meeting starts from: the table, its settings, and its open commitments. */
export interface ProtocolInput {
  tableName: string;
  config?: Partial<Omit<MeetingConfig, "timeboxes">> & {
    timeboxes?: Partial<MeetingConfig["timeboxes"]>;
  };
  earlier?: EarlierCommitment[];
  /** Who may come in; `open` (anyone with the link) unless the table says otherwise. */
  admission?: Admission;
  /** The table's roster as storage holds it: who comes straight in at a `members` table. */
  roster?: { memberId: string; name: string }[];
  /** Member ids once on the roster and removed. */
  removedEarlier?: string[];
}

type TimedPhase = "checkIn" | "presenting" | "questions" | "experiences" | "commitment";

/** Milliseconds of a phase's timebox; check-in gets each present member's share. */
export function timeboxMs(context: ProtocolContext, phase: TimedPhase): number {
  const t = context.config.timeboxes;
  switch (phase) {
    case "checkIn":
      return t.checkInEachMs * Math.max(1, presentMembers(context).length);
    case "presenting":
      return t.presentingMs;
    case "questions":
      return t.questionsMs;
    case "experiences":
      return t.experiencesMs;
    case "commitment":
      return t.commitmentMs;
    default: {
      const never: never = phase;
      return never;
    }
  }
}

const idlePulse = (threshold: number): Pulse => ({
  status: "idle",
  seq: 0,
  answered: 0,
  answeredBy: [],
  counts: [0, 0, 0, 0, 0],
  threshold,
  mean: 0,
});

/** The pulse as it closes: revealed only when at least `threshold` members answered. */
function closedPulse(pulse: Pulse): Pulse {
  if (pulse.answered < pulse.threshold) {
    return { ...pulse, status: "withheld", mean: 0 };
  }
  const total = pulse.counts.reduce((sum, n, i) => sum + n * (i + 1), 0);
  return { ...pulse, status: "revealed", mean: Math.round((total / pulse.answered) * 100) / 100 };
}

function revealed(pulse: Pulse, at: number): ProtocolEmitted {
  return {
    type: "pulse.revealed",
    at,
    answered: pulse.answered,
    counts: [...pulse.counts],
    mean: pulse.mean,
  };
}

/** Earlier commitments whose owners are here now: the follow-up's agenda. */
function underReview(context: ProtocolContext): EarlierCommitment[] {
  const here = new Set(presentMembers(context).map((m) => m.id));
  return context.earlier.filter((c) => here.has(c.ownerId));
}

/**
 * The floor changes hands: the previous holder's airtime is counted, their question (if they
 * were asking one) is done, and the new holder's hand drops. In probing questions, a holder who
 * still has a question waiting goes back in the queue. Without a phase (the holder left, or the
 * meeting ended), the floor is only released.
 */
function passFloor(
  context: ProtocolContext,
  to: string,
  at: number,
  phase: "questions" | "experiences" | null,
): Partial<ProtocolContext> {
  const members = { ...context.members };
  const previous = context.floorId;
  let questions = context.questions;
  let hands = context.hands;
  if (previous !== "" && members[previous]) {
    const held = members[previous];
    members[previous] = {
      ...held,
      airtimeMs: held.airtimeMs + Math.max(0, at - context.floorSince),
    };
    questions = questions.map((q) =>
      q.askerId === previous && q.status === "asking" ? { ...q, status: "answered" } : q,
    );
    const waiting = questions.some((q) => q.askerId === previous && q.status === "queued");
    if (phase === "questions" && waiting && !hands.includes(previous)) {
      hands = queueHand({ ...context, members, hands }, previous, phase);
    }
  }
  if (to === "") {
    return {
      members,
      questions,
      hands,
      floorId: "",
      floorSince: 0,
      turnEndsAt: 0,
      turnOvertime: false,
    };
  }
  const next = members[to];
  if (next) {
    members[to] =
      phase === "experiences"
        ? { ...next, sharedThisRound: true }
        : { ...next, askedThisRound: next.askedThisRound + 1 };
  }
  if (phase === "questions") {
    const first = questions.findIndex((q) => q.askerId === to && q.status === "queued");
    if (first >= 0) {
      questions = questions.map((q, i) => (i === first ? { ...q, status: "asking" } : q));
    }
  }
  return {
    members,
    questions,
    hands: hands.filter((id) => id !== to),
    floorId: to,
    floorSince: at,
    turnEndsAt: at + context.config.timeboxes.turnMs,
    turnOvertime: false,
  };
}

/**
 * Where a raised hand goes: members who have not yet spoken in this phase of the round stand
 * ahead of those who have ("everyone once before anyone twice"), first come first served within.
 */
function queueHand(context: ProtocolContext, id: string, phase: Phase): string[] {
  const spoke = (memberId: string) => {
    const m = context.members[memberId];
    return phase === "experiences" ? m?.sharedThisRound === true : (m?.askedThisRound ?? 0) > 0;
  };
  if (spoke(id)) return [...context.hands, id];
  const firstSpoken = context.hands.findIndex(spoke);
  if (firstSpoken < 0) return [...context.hands, id];
  return [...context.hands.slice(0, firstSpoken), id, ...context.hands.slice(firstSpoken)];
}

const allowed = (rule: RuleName) => ({ type: "allowed", params: { rule } }) as const;

/**
 * What the two hand phases share: the queue of hands, and the floor as a substate (`open` or
 * `floor`) so the speaker's timebox runs while someone holds it. The floor substate follows
 * `floorId`, whoever changed it; a new holder re-enters `floor` and restarts the turn timer.
 */
function handPhase<P extends "questions" | "experiences">(phase: P) {
  const give = {
    guard: allowed(`floor.give@${phase}`),
    actions: { type: "giveFloor", params: { phase } },
  } as const;
  return {
    entry: { type: "startTimebox", params: { phase } },
    exit: [{ type: "releaseFloor", params: { phase } }, "clearHands", "clearTimebox"],
    after: { [`${phase}Timebox`]: { actions: "phaseOvertime" } } as Record<
      `${P}Timebox`,
      { actions: "phaseOvertime" }
    >,
    initial: "open",
    states: {
      open: {
        always: {
          guard: ({ context }: { context: ProtocolContext }) => context.floorId !== "",
          target: "floor",
        },
        on: { "floor.give": { ...give, target: "floor" } },
      },
      floor: {
        always: {
          guard: ({ context }: { context: ProtocolContext }) => context.floorId === "",
          target: "open",
        },
        after: { turnTimebox: { actions: "turnOvertime" } },
        on: { "floor.give": { ...give, target: "floor", reenter: true } },
      },
    },
    on: {
      "hand.raise": {
        guard: allowed(`hand.raise@${phase}`),
        actions: { type: "raiseHand", params: { phase } },
      },
      "hand.lower": { guard: allowed("hand.lower"), actions: "lowerHand" },
      "hand.lowerFor": { guard: allowed("hand.lowerFor"), actions: "lowerHand" },
      "floor.yield": {
        guard: allowed("floor.yield"),
        target: ".open",
        actions: { type: "releaseFloor", params: { phase } },
      },
    },
  } as const;
}

/** A pulse can be run in any phase after the lobby, once the previous one is closed. */
const openPulse = {
  guard: and([allowed("pulse.open"), not(stateIn("#roundtable.meeting.phase.lobby"))]),
  target: "open",
  actions: "openPulse",
} as const;

/**
 * The rulebook of a meeting (BRIEF.md, PROTOCOL.md). Two parallel regions while the meeting is
 * open: `phase`, the protocol's order, and `pulse`, the anonymous trust pulse. Membership and
 * roles are handled across all phases. Pure: time arrives with each event (`at`) and through
 * XState's clock for timeboxes, which record overtime and never cut anyone off.
 */
export const protocolMachine = setup({
  types: {
    context: {} as ProtocolContext,
    events: {} as ProtocolEvent,
    input: {} as ProtocolInput,
    emitted: {} as ProtocolEmitted,
  },
  guards: {
    allowed: ({ context, event }, params: { rule: RuleName }) =>
      firstFailure(params.rule, context, event) === undefined,
    hasReview: ({ context }) => underReview(context).length > 0,
    enoughAnswers: ({ context }) => context.pulse.answered >= context.pulse.threshold,
  },
  delays: {
    checkInTimebox: ({ context }) => timeboxMs(context, "checkIn"),
    presentingTimebox: ({ context }) => timeboxMs(context, "presenting"),
    questionsTimebox: ({ context }) => timeboxMs(context, "questions"),
    experiencesTimebox: ({ context }) => timeboxMs(context, "experiences"),
    commitmentTimebox: ({ context }) => timeboxMs(context, "commitment"),
    turnTimebox: ({ context }) => context.config.timeboxes.turnMs,
  },
  actions: {
    join: assign(({ context, event }) => {
      assertEvent(event, "member.join");
      return join(context, event);
    }),
    admit: assign(({ context, event }) => {
      assertEvent(event, "member.admit");
      return admit(context, event.memberId);
    }),
    decline: assign(({ context, event }) => {
      assertEvent(event, "member.decline");
      return stopWaiting(context, event.memberId);
    }),
    drop: assign(({ context, event }) => {
      const m = context.members[event.from];
      if (!m) return {};
      return {
        members: {
          ...context.members,
          [event.from]: { ...m, connected: false, awaySince: event.at },
        },
      };
    }),
    /** Gone for good: the seat is kept for a later return, but hand, floor and offer go. */
    leave: assign(({ context, event }) => {
      const m = context.members[event.from];
      if (!m) return stopWaiting(context, event.from);
      const released = context.floorId === event.from ? passFloor(context, "", event.at, null) : {};
      const members = released.members ?? context.members;
      return {
        ...released,
        members: {
          ...members,
          [event.from]: {
            ...m,
            ...members[event.from],
            connected: false,
            left: true,
            awaySince: m.awaySince || event.at,
          },
        },
        hands: context.hands.filter((id) => id !== event.from),
        volunteers: context.volunteers.filter((id) => id !== event.from),
      };
    }),
    agree: assign(({ context, event }) => {
      const m = context.members[event.from];
      return m ? { members: { ...context.members, [event.from]: { ...m, agreed: true } } } : {};
    }),
    handoff: assign(({ event }) => {
      assertEvent(event, "facilitator.handoff");
      return { facilitatorId: event.memberId };
    }),
    claim: assign(({ event }) => ({ facilitatorId: event.from })),
    remove: assign(({ context, event }) => {
      assertEvent(event, "member.remove");
      const id = event.memberId;
      const released = context.floorId === id ? passFloor(context, "", event.at, null) : {};
      const { [id]: _removed, ...members } = released.members ?? context.members;
      return {
        ...released,
        ...unseat(context, id),
        members,
        hands: context.hands.filter((h) => h !== id),
        volunteers: context.volunteers.filter((v) => v !== id),
        presenterId: context.presenterId === id ? "" : context.presenterId,
        questions: (released.questions ?? context.questions).filter(
          (q) => !(q.askerId === id && q.status === "queued"),
        ),
      };
    }),
    startTimebox: assign(({ context, event }, params: { phase: TimedPhase }) => ({
      phaseEndsAt: event.at + timeboxMs(context, params.phase),
      phaseOvertime: false,
    })),
    clearTimebox: assign({ phaseEndsAt: 0, phaseOvertime: false }),
    phaseOvertime: assign({ phaseOvertime: true }),
    turnOvertime: assign({ turnOvertime: true }),
    startMeeting: emit(({ event }) => ({ type: "meeting.started", at: event.at }) as const),
    checkinWord: assign(({ context, event }, params: { field: "checkinWord" | "closingWord" }) => {
      const m = context.members[event.from];
      assertEvent(event, "checkin.word");
      if (!m) return {};
      return {
        members: { ...context.members, [event.from]: { ...m, [params.field]: event.word } },
      };
    }),
    openReview: assign(({ context }) => {
      const review = underReview(context);
      return {
        commitments: review.map((c) => ({ ...c, review: true, round: 0 })),
        absentCommitments: context.earlier.length - review.length,
      };
    }),
    /** A member whose commitments wait for review arrives during follow-up: review theirs too. */
    refreshReview: assign(({ context }) => {
      if (!context.commitments.some((c) => c.review)) return {};
      const listed = new Set(context.commitments.map((c) => c.id));
      const added = underReview(context).filter((c) => !listed.has(c.id));
      if (added.length === 0) return {};
      return {
        commitments: [
          ...context.commitments,
          ...added.map((c) => ({ ...c, review: true, round: 0 })),
        ],
        absentCommitments: context.absentCommitments - added.length,
      };
    }),
    closeReview: assign(({ context }) => ({
      commitments: context.commitments.filter((c) => !c.review),
      absentCommitments: 0,
    })),
    report: assign(({ context, event }) => {
      assertEvent(event, "followup.report");
      return {
        commitments: context.commitments.map((c) =>
          c.id === event.commitmentId ? { ...c, status: event.status, note: event.note ?? "" } : c,
        ),
        earlier: context.earlier.map((c) =>
          c.id === event.commitmentId ? { ...c, status: event.status, note: event.note ?? "" } : c,
        ),
      };
    }),
    volunteer: assign(({ context, event }) => ({
      volunteers: [...context.volunteers, event.from],
    })),
    choosePresenter: assign(({ context, event }) => {
      assertEvent(event, "presenter.choose");
      const members = Object.fromEntries(
        Object.entries(context.members).map(([id, m]) => [
          id,
          {
            ...m,
            sharedThisRound: false,
            askedThisRound: 0,
            shareNote: "",
            shareHint: "" as const,
          },
        ]),
      );
      return {
        members,
        presenterId: event.memberId,
        presented: [...context.presented, event.memberId],
        volunteers: context.volunteers.filter((v) => v !== event.memberId),
        round: context.round + 1,
        questions: [],
      };
    }),
    endRound: assign({ presenterId: "" }),
    raiseHand: assign(({ context, event }, params: { phase: "questions" | "experiences" }) => {
      assertEvent(event, "hand.raise");
      const hands = queueHand(context, event.from, params.phase);
      const m = context.members[event.from];
      const note = params.phase === "experiences" ? (event.note ?? "") : "";
      if (!m) return { hands };
      return {
        hands,
        members: {
          ...context.members,
          [event.from]: { ...m, shareNote: note, shareHint: note ? reviewShare(note).hint : "" },
        },
      };
    }),
    lowerHand: assign(({ context, event }) => {
      const id = event.type === "hand.lowerFor" ? event.memberId : event.from;
      return { hands: context.hands.filter((h) => h !== id) };
    }),
    giveFloor: assign(({ context, event }, params: { phase: "questions" | "experiences" }) => {
      assertEvent(event, "floor.give");
      const to = event.memberId ?? nextSpeaker(context) ?? "";
      return passFloor(context, to, event.at, params.phase);
    }),
    releaseFloor: assign(({ context, event }, params: { phase: "questions" | "experiences" }) =>
      passFloor(context, "", event.at, params.phase),
    ),
    clearHands: assign({ hands: [] }),
    askQuestion: assign(({ context, event }) => {
      assertEvent(event, "question.ask");
      const seq = context.questionSeq + 1;
      const raise = !context.hands.includes(event.from) && context.floorId !== event.from;
      return {
        questionSeq: seq,
        questions: [
          ...context.questions,
          {
            id: `q${seq}`,
            askerId: event.from,
            text: event.text,
            status: "queued" as const,
            hint: reviewQuestion(event.text).hint,
          },
        ],
        hands: raise ? queueHand(context, event.from, "questions") : context.hands,
      };
    }),
    setQuestionStatus: assign(
      ({ context, event }, params: { status: "answered" | "dismissed" | "withdrawn" }) => {
        assertEvent(event, ["question.withdraw", "question.answered", "question.dismiss"]);
        if (params.status === "withdrawn") {
          return { questions: context.questions.filter((q) => q.id !== event.questionId) };
        }
        return {
          questions: context.questions.map((q) =>
            q.id === event.questionId ? { ...q, status: params.status } : q,
          ),
        } as Partial<ProtocolContext>;
      },
    ),
    addCommitment: assign(({ context, event }) => {
      assertEvent(event, "commitment.add");
      const owner = context.members[event.from];
      return {
        commitments: [
          ...context.commitments,
          {
            id: event.commitmentId,
            ownerId: event.from,
            ownerName: owner?.name ?? "",
            text: event.text,
            status: "open" as const,
            note: "",
            review: false,
            round: context.round,
          },
        ],
      };
    }),
    removeCommitment: assign(({ context, event }) => {
      assertEvent(event, "commitment.remove");
      return { commitments: context.commitments.filter((c) => c.id !== event.commitmentId) };
    }),
    openPulse: assign(({ context }) => ({
      pulse: {
        ...idlePulse(context.config.pulseThreshold),
        status: "open" as const,
        seq: context.pulse.seq + 1,
      },
    })),
    answerPulse: assign(({ context, event }) => {
      assertEvent(event, "pulse.answer");
      const counts = [...context.pulse.counts] as Pulse["counts"];
      counts[event.score - 1] = (counts[event.score - 1] ?? 0) + 1;
      return {
        pulse: {
          ...context.pulse,
          counts,
          answered: context.pulse.answered + 1,
          answeredBy: [...context.pulse.answeredBy, event.from].sort(),
        },
      };
    }),
    /** Closes the pulse; a revealed result is handed to the room to keep. */
    closePulse: enqueueActions(({ context, event, enqueue }) => {
      const pulse = closedPulse(context.pulse);
      enqueue.assign({ pulse });
      if (pulse.status === "revealed") enqueue.emit(revealed(pulse, event.at));
    }),
    /** Ends the meeting: an open pulse closes, the floor is released, the record is handed over. */
    endMeeting: enqueueActions(({ context, event, enqueue }) => {
      const pulse = context.pulse.status === "open" ? closedPulse(context.pulse) : context.pulse;
      const released = context.floorId !== "" ? passFloor(context, "", event.at, null) : {};
      enqueue.assign({
        ...released,
        pulse,
        hands: [],
        phaseEndsAt: 0,
        phaseOvertime: false,
        presenterId: "",
      });
      if (pulse !== context.pulse && pulse.status === "revealed")
        enqueue.emit(revealed(pulse, event.at));
      enqueue.emit({
        type: "meeting.ended",
        at: event.at,
        rounds: context.round,
        members: Object.values(context.members).filter((m) => m.agreed).length,
      });
    }),
  },
}).createMachine({
  id: "roundtable",
  context: ({ input }) => ({
    tableName: input.tableName,
    config: {
      pulseThreshold: input.config?.pulseThreshold ?? defaultConfig.pulseThreshold,
      timeboxes: { ...defaultConfig.timeboxes, ...input.config?.timeboxes },
    },
    admission: input.admission ?? "open",
    roster: Object.fromEntries((input.roster ?? []).map((r) => [r.memberId, r.name])),
    removedEarlier: input.removedEarlier ?? [],
    waiting: {},
    keyHolders: [],
    members: {},
    removed: [],
    facilitatorId: "",
    presenterId: "",
    floorId: "",
    floorSince: 0,
    hands: [],
    volunteers: [],
    presented: [],
    questions: [],
    questionSeq: 0,
    commitments: [],
    earlier: input.earlier ?? [],
    absentCommitments: 0,
    round: 0,
    phaseEndsAt: 0,
    turnEndsAt: 0,
    phaseOvertime: false,
    turnOvertime: false,
    pulse: idlePulse(input.config?.pulseThreshold ?? defaultConfig.pulseThreshold),
  }),
  initial: "meeting",
  states: {
    meeting: {
      type: "parallel",
      on: {
        "member.join": { guard: allowed("member.join"), actions: ["join", "refreshReview"] },
        "member.drop": { guard: allowed("member.drop"), actions: "drop" },
        "member.leave": { guard: allowed("member.leave"), actions: "leave" },
        "confidentiality.agree": {
          guard: allowed("confidentiality.agree"),
          actions: ["agree", "refreshReview"],
        },
        "facilitator.handoff": { guard: allowed("facilitator.handoff"), actions: "handoff" },
        "facilitator.claim": { guard: allowed("facilitator.claim"), actions: "claim" },
        "member.remove": { guard: allowed("member.remove"), actions: "remove" },
        "member.admit": { guard: allowed("member.admit"), actions: "admit" },
        "member.decline": { guard: allowed("member.decline"), actions: "decline" },
        "meeting.end": { guard: allowed("meeting.end"), target: "ended", actions: "endMeeting" },
      },
      states: {
        phase: {
          initial: "lobby",
          states: {
            lobby: {
              on: {
                "meeting.start": {
                  guard: allowed("meeting.start"),
                  target: "checkIn",
                  actions: "startMeeting",
                },
                "phase.next": {
                  guard: allowed("phase.next@lobby"),
                  target: "checkIn",
                  actions: "startMeeting",
                },
              },
            },
            checkIn: {
              entry: { type: "startTimebox", params: { phase: "checkIn" } },
              exit: "clearTimebox",
              after: { checkInTimebox: { actions: "phaseOvertime" } },
              on: {
                "checkin.word": {
                  guard: allowed("checkin.word"),
                  actions: { type: "checkinWord", params: { field: "checkinWord" } },
                },
                "phase.next": [
                  { guard: and([allowed("phase.next"), "hasReview"]), target: "followUp" },
                  { guard: allowed("phase.next"), target: "choosing" },
                ],
              },
            },
            followUp: {
              entry: "openReview",
              exit: "closeReview",
              on: {
                "followup.report": { guard: allowed("followup.report"), actions: "report" },
                "phase.next": { guard: allowed("phase.next"), target: "choosing" },
              },
            },
            choosing: {
              on: {
                "presenter.volunteer": {
                  guard: allowed("presenter.volunteer"),
                  actions: "volunteer",
                },
                "presenter.choose": {
                  guard: allowed("presenter.choose"),
                  target: "presenting",
                  actions: "choosePresenter",
                },
                "phase.next": { guard: allowed("phase.next"), target: "closing" },
              },
            },
            presenting: {
              entry: { type: "startTimebox", params: { phase: "presenting" } },
              exit: "clearTimebox",
              after: { presentingTimebox: { actions: "phaseOvertime" } },
              on: { "phase.next": { guard: allowed("phase.next"), target: "questions" } },
            },
            questions: {
              ...handPhase("questions"),
              on: {
                ...handPhase("questions").on,
                "question.ask": { guard: allowed("question.ask"), actions: "askQuestion" },
                "question.withdraw": {
                  guard: allowed("question.withdraw"),
                  actions: { type: "setQuestionStatus", params: { status: "withdrawn" } },
                },
                "question.answered": {
                  guard: allowed("question.answered"),
                  actions: { type: "setQuestionStatus", params: { status: "answered" } },
                },
                "question.dismiss": {
                  guard: allowed("question.dismiss"),
                  actions: { type: "setQuestionStatus", params: { status: "dismissed" } },
                },
                "phase.next": { guard: allowed("phase.next"), target: "experiences" },
              },
            },
            experiences: {
              ...handPhase("experiences"),
              on: {
                ...handPhase("experiences").on,
                "phase.next": { guard: allowed("phase.next"), target: "commitment" },
              },
            },
            commitment: {
              entry: { type: "startTimebox", params: { phase: "commitment" } },
              exit: "clearTimebox",
              after: { commitmentTimebox: { actions: "phaseOvertime" } },
              on: {
                "commitment.add": { guard: allowed("commitment.add"), actions: "addCommitment" },
                "commitment.remove": {
                  guard: allowed("commitment.remove"),
                  actions: "removeCommitment",
                },
                "phase.next": {
                  guard: allowed("phase.next"),
                  target: "choosing",
                  actions: "endRound",
                },
              },
            },
            closing: {
              on: {
                "checkin.word": {
                  guard: allowed("checkin.word"),
                  actions: { type: "checkinWord", params: { field: "closingWord" } },
                },
                "phase.next": {
                  guard: allowed("phase.next"),
                  target: "#roundtable.ended",
                  actions: "endMeeting",
                },
              },
            },
          },
        },
        pulse: {
          initial: "idle",
          states: {
            idle: { on: { "pulse.open": openPulse } },
            open: {
              on: {
                "pulse.answer": { guard: allowed("pulse.answer"), actions: "answerPulse" },
                "pulse.close": [
                  {
                    guard: and([allowed("pulse.close"), "enoughAnswers"]),
                    target: "revealed",
                    actions: "closePulse",
                  },
                  { guard: allowed("pulse.close"), target: "withheld", actions: "closePulse" },
                ],
              },
            },
            revealed: { on: { "pulse.open": openPulse } },
            withheld: { on: { "pulse.open": openPulse } },
          },
        },
      },
    },
    ended: { type: "final" },
  },
});

export type ProtocolSnapshot = SnapshotFrom<typeof protocolMachine>;
