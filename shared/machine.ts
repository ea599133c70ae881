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
import { addCommitment, removeCommitment } from "./commitments.ts";
import { giveFloor, lowerHand, raiseHand, releaseFloor, type HandPhase } from "./floor.ts";
import { admit, join, stopWaiting } from "./membership.ts";
import { agree, drop, leave, remove } from "./presence.ts";
import {
  answeredPulse,
  closedPulse,
  enoughAnswers,
  idlePulse,
  keptAnswerers,
  openedPulse,
  revealedEvent,
  wouldCompare,
} from "./pulse.ts";
import { askQuestion, settleQuestion, type QuestionOutcome } from "./questions.ts";
import { closeReview, openReview, refreshReview, report, underReview } from "./review.ts";
import { setIssue } from "./issue.ts";
import { addTopic, removeTopic, voteTopic } from "./parking.ts";
import { endMeeting, endRound, passShare, sayWord, startRound, volunteer } from "./rounds.ts";
import { firstFailure, type RuleName } from "./rules.ts";
import {
  alarms,
  assignTimekeeper,
  extendTimer,
  startTimebox,
  timeboxOver,
  type TimedPhase,
} from "./timeboxes.ts";
import { endTurn, rate, refreshTurn, startUpdates, stopUpdates } from "./updates.ts";
import {
  defaultConfig,
  type Admission,
  type EarlierCommitment,
  type MeetingConfig,
  type ProtocolContext,
  type ProtocolEmitted,
  type ProtocolEvent,
  type ProtocolEventType,
  type TableFormat,
} from "./types.ts";

// Exported from here before timeboxes.ts held it; shared/index.ts still takes it from here.
export { timeboxMs } from "./timeboxes.ts";

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
  /** The table's flow; `roundtable` unless the table says otherwise. */
  format?: TableFormat;
  /** Presenters the facilitator planned for this meeting, in order (roster member ids). */
  nextPresenters?: string[];
}

/**
 * What a state says, beyond its rules, to an event it takes no more: `refusals` are the sentences
 * a refused person reads there. Elsewhere a transition's `description` says when it can happen.
 */
export interface ProtocolMeta {
  refusals?: Partial<Record<ProtocolEventType, string>>;
}

const allowed = (rule: RuleName) => ({ type: "allowed", params: { rule } }) as const;

/**
 * What the two hand phases share: the queue of hands, and the floor as a substate (`open` or
 * `floor`) so the speaker's timebox runs while someone holds it. The floor substate follows
 * `floorId`, whoever changed it; a new holder re-enters `floor` and restarts the turn timer.
 */
function handPhase<P extends HandPhase>(phase: P) {
  const give = {
    guard: allowed(`floor.give@${phase}`),
    description: "The floor is given during probing questions and experience shares.",
    actions: [{ type: "giveFloor", params: { phase } }, "armTimers"],
  } as const;
  return {
    entry: [{ type: "startTimebox", params: { phase } }, "armTimers"],
    exit: [{ type: "releaseFloor", params: { phase } }, "clearHands", "clearTimebox", "armTimers"],
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
        on: { "floor.give": { ...give, target: "floor", reenter: true } },
      },
    },
    on: {
      "hand.raise": {
        guard: allowed(`hand.raise@${phase}`),
        description: "Hands go up during probing questions and experience shares.",
        actions: { type: "raiseHand", params: { phase } },
      },
      "hand.lower": {
        guard: allowed("hand.lower"),
        description: "Hands are lowered during probing questions and experience shares.",
        actions: "lowerHand",
      },
      "hand.lowerFor": {
        guard: allowed("hand.lowerFor"),
        description: "Hands are lowered during probing questions and experience shares.",
        actions: "lowerHand",
      },
      "floor.yield": {
        guard: allowed("floor.yield"),
        description: "The floor is yielded during probing questions and experience shares.",
        target: ".open",
        actions: [{ type: "releaseFloor", params: { phase } }, "armTimers"],
      },
    },
  } as const;
}

/** A one-word check-in, or a one-word close: the same rule, kept in its own field. */
const checkinWord = (field: "checkinWord" | "closingWord") =>
  ({
    guard: allowed("checkin.word"),
    description:
      "A one-word check-in is given during check-in, and a one-word close during closing.",
    actions: { type: "sayWord", params: { field } },
  }) as const;

/** The phases the parking lot is open in: after the lobby, before closing. */
const parkingOpen = and([
  not(stateIn("#roundtable.meeting.phase.lobby")),
  not(stateIn("#roundtable.meeting.phase.closing")),
]);
const parkingActions = {
  "parking.add": "addTopic",
  "parking.remove": "removeTopic",
  "parking.vote": "voteTopic",
} as const;
const parking = <T extends keyof typeof parkingActions>(type: T) =>
  ({
    guard: and([allowed(type), parkingOpen]),
    description: "The parking lot is open after the meeting has started and before closing.",
    actions: parkingActions[type],
  }) as const;

/** The issue card is shared, and rewritten, in the presenter's round. */
const issueSet = {
  guard: allowed("issue.set"),
  description: "The presenter shares the issue card during their round.",
  actions: "setIssue",
} as const;

/** The phase moves on from check-in or the updates towards follow-up, or choosing. */
const towardsFollowUp = [
  { guard: and([allowed("phase.next"), "hasReview"]), target: "followUp" },
  { guard: allowed("phase.next"), target: "choosing" },
] as const;

/** A pulse can be run in any phase after the lobby, once the previous one is closed. */
const openPulse = {
  guard: and([allowed("pulse.open"), not(stateIn("#roundtable.meeting.phase.lobby"))]),
  description: "A pulse opens after the meeting has started, once the previous one is closed.",
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
    meta: {} as ProtocolMeta,
  },
  guards: {
    allowed: ({ context, event }, params: { rule: RuleName }) =>
      firstFailure(params.rule, context, event) === undefined,
    hasReview: ({ context }) => underReview(context).length > 0,
    enoughAnswers: ({ context }) => enoughAnswers(context.pulse),
    wouldCompare: ({ context }) => wouldCompare(context.pulse, context.revealedAnswerers),
    forum: ({ context }) => context.format === "forum",
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
    drop: assign(({ context, event }) => drop(context, event.from, event.at)),
    leave: assign(({ context, event }) => leave(context, event.from, event.at)),
    agree: assign(({ context, event }) => agree(context, event.from)),
    handoff: assign(({ event }) => {
      assertEvent(event, "facilitator.handoff");
      return { facilitatorId: event.memberId };
    }),
    claim: assign(({ event }) => ({ facilitatorId: event.from })),
    remove: assign(({ context, event }) => {
      assertEvent(event, "member.remove");
      return remove(context, event.memberId, event.at);
    }),
    startTimebox: assign(({ context, event }, params: { phase: TimedPhase }) =>
      startTimebox(context, params.phase, event.at),
    ),
    clearTimebox: assign({ phaseEndsAt: 0, phaseOvertime: false }),
    /**
     * Sets the alarms of the timeboxes running now, cancelling the earlier ones: after anything
     * that starts, moves or stops a timebox, so an extended one runs out at its new end.
     */
    armTimers: enqueueActions(({ context, event, enqueue }) => {
      enqueue.cancel("phaseTimebox");
      enqueue.cancel("turnTimebox");
      for (const alarm of alarms(context, event.at)) {
        enqueue.raise(alarm.event, { id: alarm.id, delay: alarm.delay });
      }
    }),
    timeboxOver: assign(({ context, event }) => {
      assertEvent(event, "timebox.over");
      return timeboxOver(context, event);
    }),
    extendTimer: assign(({ context, event }) => {
      assertEvent(event, "timer.extend");
      return extendTimer(context, event.seconds, event.at);
    }),
    assignTimekeeper: assign(({ event }) => {
      assertEvent(event, "timekeeper.assign");
      return assignTimekeeper(event.memberId);
    }),
    startUpdates: assign(({ context, event }) => startUpdates(context, event.at)),
    stopUpdates: assign(() => stopUpdates()),
    refreshTurn: assign(({ context, event }) => refreshTurn(context, event.at)),
    endTurn: assign(({ context, event }, params: { status: "done" | "passed" | "skipped" }) =>
      endTurn(context, params.status, event.at),
    ),
    rate: assign(({ context, event }) => {
      assertEvent(event, "update.rate");
      return rate(context, event);
    }),
    addTopic: assign(({ context, event }) => {
      assertEvent(event, "parking.add");
      return addTopic(context, event);
    }),
    removeTopic: assign(({ context, event }) => {
      assertEvent(event, "parking.remove");
      return removeTopic(context, event.id);
    }),
    voteTopic: assign(({ context, event }) => {
      assertEvent(event, "parking.vote");
      return voteTopic(context, event);
    }),
    setIssue: assign(({ event }) => {
      assertEvent(event, "issue.set");
      return setIssue(event);
    }),
    passShare: assign(({ context, event }) => passShare(context, event.from)),
    startMeeting: emit(({ event }) => ({ type: "meeting.started", at: event.at }) as const),
    sayWord: assign(({ context, event }, params: { field: "checkinWord" | "closingWord" }) => {
      assertEvent(event, "checkin.word");
      return sayWord(context, event, params.field);
    }),
    openReview: assign(({ context }) => openReview(context)),
    refreshReview: assign(({ context }) => refreshReview(context)),
    closeReview: assign(({ context }) => closeReview(context)),
    report: assign(({ context, event }) => {
      assertEvent(event, "followup.report");
      return report(context, event);
    }),
    volunteer: assign(({ context, event }) => volunteer(context, event.from)),
    choosePresenter: assign(({ context, event }) => {
      assertEvent(event, "presenter.choose");
      return startRound(context, event.memberId, event.topicId);
    }),
    endRound: assign(({ context }) => endRound(context)),
    raiseHand: assign(({ context, event }, params: { phase: HandPhase }) => {
      assertEvent(event, "hand.raise");
      return raiseHand(context, event, params.phase);
    }),
    lowerHand: assign(({ context, event }) =>
      lowerHand(context, event.type === "hand.lowerFor" ? event.memberId : event.from),
    ),
    giveFloor: assign(({ context, event }, params: { phase: HandPhase }) => {
      assertEvent(event, "floor.give");
      return giveFloor(context, event, params.phase);
    }),
    releaseFloor: assign(({ context, event }, params: { phase: HandPhase }) =>
      releaseFloor(context, event.at, params.phase),
    ),
    clearHands: assign({ hands: [] }),
    askQuestion: assign(({ context, event }) => {
      assertEvent(event, "question.ask");
      return askQuestion(context, event);
    }),
    settleQuestion: assign(({ context, event }, params: { outcome: QuestionOutcome }) => {
      assertEvent(event, ["question.withdraw", "question.answered", "question.dismiss"]);
      return settleQuestion(context, event.questionId, params.outcome);
    }),
    addCommitment: assign(({ context, event }) => {
      assertEvent(event, "commitment.add");
      return addCommitment(context, event);
    }),
    removeCommitment: assign(({ context, event }) => {
      assertEvent(event, "commitment.remove");
      return removeCommitment(context, event.commitmentId);
    }),
    openPulse: assign(({ context }) => ({
      pulse: openedPulse(context.pulse, context.config.pulseThreshold),
    })),
    answerPulse: assign(({ context, event }) => {
      assertEvent(event, "pulse.answer");
      return { pulse: answeredPulse(context.pulse, event.from, event.score) };
    }),
    /** Closes the pulse; a revealed result is handed to the room to keep, its answerers kept here. */
    closePulse: enqueueActions(({ context, event, enqueue }) => {
      const pulse = closedPulse(context.pulse, context.revealedAnswerers);
      enqueue.assign({ pulse, revealedAnswerers: keptAnswerers(pulse, context.revealedAnswerers) });
      if (pulse.status === "revealed") enqueue.emit(revealedEvent(pulse, event.at));
    }),
    /** Ends the meeting: an open pulse closes, the floor is released, the record is handed over. */
    endMeeting: enqueueActions(({ context, event, enqueue }) => {
      const { changes, told } = endMeeting(context, event.at);
      enqueue.assign(changes);
      for (const e of told) enqueue.emit(e);
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
    revealedAnswerers: [],
    format: input.format ?? "roundtable",
    goingAround: false,
    turnOrder: [],
    turnId: "",
    parking: [],
    parkingSeq: 0,
    topicId: "",
    issue: null,
    timekeeperId: "",
    nextPresenters: input.nextPresenters ?? [],
  }),
  initial: "meeting",
  states: {
    meeting: {
      type: "parallel",
      on: {
        "member.join": {
          guard: allowed("member.join"),
          actions: ["join", "refreshReview", "refreshTurn", "armTimers"],
        },
        "member.drop": { guard: allowed("member.drop"), actions: "drop" },
        "member.leave": {
          guard: allowed("member.leave"),
          actions: ["leave", "refreshTurn", "armTimers"],
        },
        "confidentiality.agree": {
          guard: allowed("confidentiality.agree"),
          description: "Agreeing to confidentiality is possible until the meeting ends.",
          actions: ["agree", "refreshReview", "refreshTurn", "armTimers"],
        },
        "facilitator.handoff": {
          guard: allowed("facilitator.handoff"),
          description: "Facilitation is handed off while the meeting is open.",
          actions: "handoff",
        },
        "facilitator.claim": {
          guard: allowed("facilitator.claim"),
          description: "Facilitation is claimed while the meeting is open.",
          actions: "claim",
        },
        "member.remove": {
          guard: allowed("member.remove"),
          description: "Members are removed while the meeting is open.",
          actions: ["remove", "refreshTurn", "armTimers"],
        },
        "member.admit": {
          guard: allowed("member.admit"),
          description: "People are let in while the meeting is open.",
          actions: "admit",
        },
        "member.decline": {
          guard: allowed("member.decline"),
          description: "People are declined while the meeting is open.",
          actions: "decline",
        },
        "meeting.end": { guard: allowed("meeting.end"), target: "ended", actions: "endMeeting" },
        "timebox.over": { actions: "timeboxOver" },
        "timer.extend": {
          guard: allowed("timer.extend"),
          description: "Time is given while the meeting is open.",
          actions: ["extendTimer", "armTimers"],
        },
        "timekeeper.assign": {
          guard: allowed("timekeeper.assign"),
          description: "A timekeeper is named while the meeting is open.",
          actions: "assignTimekeeper",
        },
        "parking.add": parking("parking.add"),
        "parking.remove": parking("parking.remove"),
        "parking.vote": parking("parking.vote"),
      },
      states: {
        phase: {
          initial: "lobby",
          states: {
            lobby: {
              on: {
                "meeting.start": {
                  guard: allowed("meeting.start"),
                  description: "The meeting starts from the lobby.",
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
              entry: [{ type: "startTimebox", params: { phase: "checkIn" } }, "armTimers"],
              exit: ["clearTimebox", "armTimers"],
              on: {
                "checkin.word": checkinWord("checkinWord"),
                "phase.next": [
                  { guard: and([allowed("phase.next"), "forum"]), target: "updates" },
                  ...towardsFollowUp,
                ],
              },
            },
            updates: {
              entry: ["startUpdates", "armTimers"],
              exit: ["stopUpdates", "armTimers"],
              on: {
                "turn.done": {
                  guard: allowed("turn.done"),
                  description: "Turns are taken in the updates go-around.",
                  actions: [{ type: "endTurn", params: { status: "done" } }, "armTimers"],
                },
                "turn.pass": {
                  guard: allowed("turn.pass"),
                  description: "Turns are taken in the updates go-around.",
                  actions: [{ type: "endTurn", params: { status: "passed" } }, "armTimers"],
                },
                "turn.next": {
                  guard: allowed("turn.next"),
                  description: "Turns are taken in the updates go-around.",
                  actions: [{ type: "endTurn", params: { status: "skipped" } }, "armTimers"],
                },
                "update.rate": {
                  guard: allowed("update.rate"),
                  description: "Ratings are given in the updates go-around.",
                  actions: "rate",
                },
                "phase.next": towardsFollowUp,
              },
            },
            followUp: {
              entry: "openReview",
              exit: "closeReview",
              on: {
                "followup.report": {
                  guard: allowed("followup.report"),
                  description: "Commitments are reported on during follow-up.",
                  actions: "report",
                },
                "phase.next": { guard: allowed("phase.next"), target: "choosing" },
              },
            },
            choosing: {
              on: {
                "presenter.volunteer": {
                  guard: allowed("presenter.volunteer"),
                  description:
                    "Volunteering to present happens while the next presenter is being chosen.",
                  actions: "volunteer",
                },
                "presenter.choose": {
                  guard: allowed("presenter.choose"),
                  description: "A presenter is chosen between rounds.",
                  target: "presenting",
                  actions: "choosePresenter",
                },
                "phase.next": { guard: allowed("phase.next"), target: "closing" },
              },
            },
            presenting: {
              entry: [{ type: "startTimebox", params: { phase: "presenting" } }, "armTimers"],
              exit: ["clearTimebox", "armTimers"],
              on: {
                "issue.set": issueSet,
                "phase.next": { guard: allowed("phase.next"), target: "questions" },
              },
            },
            questions: {
              ...handPhase("questions"),
              on: {
                ...handPhase("questions").on,
                "issue.set": issueSet,
                "question.ask": {
                  guard: allowed("question.ask"),
                  description: "Questions are asked during probing questions.",
                  actions: "askQuestion",
                },
                "question.withdraw": {
                  guard: allowed("question.withdraw"),
                  description: "Questions are withdrawn during probing questions.",
                  actions: { type: "settleQuestion", params: { outcome: "withdrawn" } },
                },
                "question.answered": {
                  guard: allowed("question.answered"),
                  description: "Questions are marked answered during probing questions.",
                  actions: { type: "settleQuestion", params: { outcome: "answered" } },
                },
                "question.dismiss": {
                  guard: allowed("question.dismiss"),
                  description: "Questions are dismissed during probing questions.",
                  actions: { type: "settleQuestion", params: { outcome: "dismissed" } },
                },
                "phase.next": { guard: allowed("phase.next"), target: "experiences" },
              },
            },
            experiences: {
              ...handPhase("experiences"),
              on: {
                ...handPhase("experiences").on,
                "issue.set": issueSet,
                "share.pass": {
                  guard: allowed("share.pass"),
                  description: "Passing is for experience shares.",
                  actions: "passShare",
                },
                "phase.next": { guard: allowed("phase.next"), target: "commitment" },
              },
            },
            commitment: {
              entry: [{ type: "startTimebox", params: { phase: "commitment" } }, "armTimers"],
              exit: ["clearTimebox", "armTimers"],
              on: {
                "issue.set": issueSet,
                "commitment.add": {
                  guard: allowed("commitment.add"),
                  description: "Commitments are made in the commitment phase.",
                  actions: "addCommitment",
                },
                "commitment.remove": {
                  guard: allowed("commitment.remove"),
                  description: "Commitments are removed in the commitment phase.",
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
                "checkin.word": checkinWord("closingWord"),
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
                "pulse.answer": {
                  guard: allowed("pulse.answer"),
                  description: "Pulses are answered while one is open.",
                  actions: "answerPulse",
                },
                "pulse.close": [
                  {
                    guard: and([allowed("pulse.close"), "enoughAnswers", not("wouldCompare")]),
                    description: "Only an open pulse can be closed.",
                    target: "revealed",
                    actions: "closePulse",
                  },
                  {
                    guard: allowed("pulse.close"),
                    description: "Only an open pulse can be closed.",
                    target: "withheld",
                    actions: "closePulse",
                  },
                ],
              },
            },
            revealed: { on: { "pulse.open": openPulse } },
            withheld: { on: { "pulse.open": openPulse } },
          },
        },
      },
    },
    ended: {
      type: "final",
      meta: {
        refusals: {
          "phase.next": "The meeting has ended.",
          "meeting.end": "The meeting has ended already.",
          "member.join": "The meeting has ended: join again to start a new one.",
          "member.drop": "The meeting has ended.",
          "member.leave": "The meeting has ended.",
        },
      },
    },
  },
});

export type ProtocolSnapshot = SnapshotFrom<typeof protocolMachine>;
