import { protocolMachine, type ProtocolSnapshot } from "./machine.ts";
import type { SyncedMember, SyncedState } from "./state.ts";
import {
  defaultConfig,
  type IssueAsk,
  type Ratings,
  type MeetingConfig,
  type Member,
  type Phase,
  type ProtocolContext,
} from "./types.ts";

export type { SyncedMember, SyncedState };

/** The phase a snapshot is in, in PROTOCOL.md's words. */
export function phaseOf(snapshot: ProtocolSnapshot): Phase {
  if (snapshot.matches("ended")) return "ended";
  const value = snapshot.value as { meeting: { phase: string | Record<string, unknown> } };
  const phase = value.meeting.phase;
  return (typeof phase === "string" ? phase : Object.keys(phase)[0]) as Phase;
}

/**
 * Rebuilds the machine's snapshot from the synced state, so a client can ask `can(event)`
 * exactly as the server will. `me` is the client's member id; `pulseAnswered` says whether this
 * client answered the open pulse (the state never says who answered).
 */
export function snapshotFromSynced(
  state: SyncedState,
  me: { memberId: string; pulseAnswered: boolean },
): ProtocolSnapshot {
  const handPhase = state.phase === "questions" || state.phase === "experiences";
  const value =
    state.phase === "ended"
      ? "ended"
      : {
          meeting: {
            phase: handPhase ? { [state.phase]: state.floorId ? "floor" : "open" } : state.phase,
            pulse: state.pulse.status,
          },
        };
  return protocolMachine.resolveState({ value, context: contextFromSynced(state, me) });
}

function contextFromSynced(
  state: SyncedState,
  me: { memberId: string; pulseAnswered: boolean },
): ProtocolContext {
  const config: MeetingConfig = {
    pulseThreshold: state.pulse.threshold,
    timeboxes: { ...defaultConfig.timeboxes, turnMs: state.turnMs, updateMs: state.updateMs },
  };
  const members = Object.fromEntries(
    Object.entries(state.members).map(([id, { handUp: _handUp, ...m }]) => [
      id,
      {
        ...m,
        shareHint: m.shareHint as Member["shareHint"],
        // Members who have not agreed receive no ratings: they read as none given.
        ratings: {
          work: 0,
          family: 0,
          personal: 0,
          ...(m.ratings as Partial<Ratings> | undefined),
        },
      },
    ]),
  );
  const issue = state.issue;
  const counts = [0, 1, 2, 3, 4].map((i) => state.pulse.counts[i] ?? 0) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    tableName: state.tableName,
    config,
    admission: state.admission,
    // The roster and who holds the key stay on the server; the client sees whom it is asked about.
    roster: {},
    removedEarlier: [],
    waiting: Object.fromEntries(
      Object.entries(state.waiting ?? {}).map(([id, w]) => [id, { ...w }]),
    ),
    keyHolders: [],
    members,
    removed: [],
    facilitatorId: state.facilitatorId,
    presenterId: state.presenterId,
    floorId: state.floorId,
    floorSince: state.floorSince,
    hands: [...state.hands],
    volunteers: [...state.volunteers],
    presented: [...state.presented],
    questions: state.questions.map((q) => ({ ...q })),
    questionSeq: state.questions.length,
    commitments: state.commitments.map((c) => ({ ...c })),
    earlier: [],
    absentCommitments: state.absentCommitments,
    round: state.round,
    phaseEndsAt: state.phaseEndsAt,
    turnEndsAt: state.turnEndsAt,
    phaseOvertime: state.phaseOvertime,
    turnOvertime: state.turnOvertime,
    pulse: {
      status: state.pulse.status,
      seq: state.pulse.seq,
      answered: state.pulse.answered,
      answeredBy: me.pulseAnswered ? [me.memberId] : [],
      counts,
      threshold: state.pulse.threshold,
      mean: state.pulse.mean,
      withheldBecause: state.pulse.withheldBecause,
    },
    // Who answered earlier pulses is the server's alone; no client decision turns on it.
    revealedAnswerers: [],
    format: state.format,
    goingAround: state.phase === "updates",
    turnOrder: [...state.turnOrder],
    turnId: state.turnId,
    parking: (state.parking ?? []).map(({ votes: _votes, ...t }) => ({
      ...t,
      voters: [...t.voters],
    })),
    // Ids are the server's to make; no client decision turns on the next one.
    parkingSeq: (state.parking ?? []).length,
    topicId: state.topicId,
    issue:
      issue && issue.title !== ""
        ? { title: issue.title, why: issue.why, tried: issue.tried, ask: issue.ask as IssueAsk }
        : null,
    timekeeperId: state.timekeeperId,
    nextPresenters: [...state.nextPresenters],
  };
}

/**
 * The synced state of a snapshot: what the room mirrors into its Schema state. The one place
 * that maps the machine to the wire, so server and tests agree on it.
 */
export function syncedFromSnapshot(snapshot: ProtocolSnapshot): SyncedState {
  const c = snapshot.context;
  const revealed = c.pulse.status === "revealed";
  return {
    tableName: c.tableName,
    phase: phaseOf(snapshot),
    admission: c.admission,
    waiting: c.waiting,
    round: c.round,
    facilitatorId: c.facilitatorId,
    presenterId: c.presenterId,
    floorId: c.floorId,
    members: Object.fromEntries(
      Object.entries(c.members).map(([id, m]) => [
        id,
        {
          ...m,
          handUp: c.hands.includes(id),
          // Advice in the form of a share reaches nobody, the presenter least of all: the author
          // saw the hint and its rewrite as they typed; others see that a share is queued.
          shareNote: m.shareHint === "advice" ? "" : m.shareNote,
          ratings: { ...m.ratings },
        },
      ]),
    ),
    hands: [...c.hands],
    questions: c.questions,
    commitments: c.commitments,
    pulse: {
      status: c.pulse.status,
      answered: c.pulse.answered,
      threshold: c.pulse.threshold,
      counts: revealed ? [...c.pulse.counts] : [],
      mean: revealed ? c.pulse.mean : 0,
      seq: c.pulse.seq,
      withheldBecause: c.pulse.withheldBecause,
    },
    phaseEndsAt: c.phaseEndsAt,
    turnEndsAt: c.turnEndsAt,
    floorSince: c.floorSince,
    phaseOvertime: c.phaseOvertime,
    turnOvertime: c.turnOvertime,
    volunteers: [...c.volunteers],
    presented: [...c.presented],
    absentCommitments: c.absentCommitments,
    turnMs: c.config.timeboxes.turnMs,
    format: c.format,
    turnOrder: [...c.turnOrder],
    turnId: c.turnId,
    parking: c.parking.map((t) => ({ ...t, votes: t.voters.length, voters: [...t.voters] })),
    topicId: c.topicId,
    issue: c.issue ? { ...c.issue } : { title: "", why: "", tried: "", ask: "" },
    timekeeperId: c.timekeeperId,
    nextPresenters: [...c.nextPresenters],
    updateMs: c.config.timeboxes.updateMs,
  };
}
