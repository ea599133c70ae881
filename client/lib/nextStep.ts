import type { ClientMessageType } from "../../shared/messages.ts";
import type { SyncedState } from "../../shared/sync.ts";
import { plural } from "./format.ts";
import { CHOOSER_ID } from "./phases.ts";

/** One step the facilitator may take: a button, or (with neither `action` nor `focus`) guidance. */
export interface Step {
  /** The button's accessible name (a fixed name from PROTOCOL.md where one applies). */
  label: string;
  /** Words shown after the label but not part of its name ("to Ana"); read as its description. */
  detail?: string;
  /** The message the button sends. */
  action?: { type: ClientMessageType; payload?: Record<string, unknown> };
  /** Instead of sending, the button moves focus to the element with this id. */
  focus?: string;
  /** One line of context under the step. */
  note?: string;
  /** What taking this step now would leave behind ("2 questions still waiting"). */
  leaves?: string;
}

/**
 * The facilitator's next steps: the one the protocol's work calls for (a button, or guidance such
 * as "Waiting for 2 follow-ups" when the work is the group's), and the ways to move on early,
 * each saying what it would leave behind.
 */
export interface NextSteps {
  primary: Step;
  secondary: Step[];
}

type Can = (type: ClientMessageType, payload?: Record<string, unknown>) => boolean;

/** Where each phase's "Next phase" leads, in words. */
const nextPhaseName: Partial<Record<SyncedState["phase"], string>> = {
  checkIn: "follow-up or choosing a presenter",
  updates: "follow-up or choosing a presenter",
  followUp: "choosing a presenter",
  presenting: "probing questions",
  questions: "experience shares",
  experiences: "commitment",
  commitment: "choosing a presenter",
  choosing: "closing",
};

/** The primary button that moves on when the phase's work is done. */
const moveOnLabel: Partial<Record<SyncedState["phase"], string>> = {
  checkIn: "Finish check-in",
  updates: "Finish the updates",
  followUp: "Move to choosing a presenter",
  presenting: "Move to probing questions",
  questions: "Move to experience shares",
  experiences: "Move to commitment",
  commitment: "Finish the round",
  choosing: "Move to closing",
};

/** Moving on while work remains: "Next phase", saying where it leads and what it leaves behind. */
function moveOnEarly(phase: SyncedState["phase"], leaves: string): Step {
  const to = nextPhaseName[phase];
  return {
    label: "Next phase",
    ...(to ? { detail: `to ${to}` } : {}),
    action: { type: "phase.next" },
    leaves,
  };
}

/** Moving on when the phase's work is done: the primary button. */
function moveOn(phase: SyncedState["phase"], note?: string): Step {
  return {
    label: moveOnLabel[phase] ?? "Next phase",
    action: { type: "phase.next" },
    ...(note ? { note } : {}),
  };
}

/**
 * What the facilitator would most likely do next, from the synced state. `can` says whether a
 * message is allowed now (the shared machine's answer), so a step is never one the server refuses.
 * Pure: the same state always gives the same steps.
 */
export function nextStep(state: SyncedState, me: string, can: Can): NextSteps | undefined {
  const members = Object.values(state.members);
  const present = members.filter((m) => m.agreed && m.connected);
  const name = (id: string) => state.members[id]?.name ?? "someone";
  const only = (primary: Step): NextSteps => ({ primary, secondary: [] });

  switch (state.phase) {
    case "lobby":
      return only({
        label: "Start meeting",
        action: { type: "meeting.start" },
        note: `${plural(present.length, "member")} agreed and here; at least 2 are needed.`,
      });
    case "checkIn": {
      const done = present.filter((m) => m.checkinWord).length;
      return only(moveOn(state.phase, `${done} of ${present.length} checked in.`));
    }
    case "updates":
      return updateSteps(state, me);
    case "followUp": {
      const review = state.commitments.filter((c) => c.review);
      const missing = review.filter((c) => c.status === "open").length;
      if (missing === 0) {
        return only(moveOn(state.phase, `All ${plural(review.length, "follow-up")} reported.`));
      }
      return {
        primary: {
          label: `Waiting for ${plural(missing, "follow-up")}`,
          note: `${review.length - missing} of ${review.length} reported. Each owner answers done, partly or not done.`,
        },
        secondary: [moveOnEarly(state.phase, `${plural(missing, "follow-up")} not reported`)],
      };
    }
    case "choosing": {
      const volunteers = state.volunteers.filter((id) => state.members[id]?.connected);
      const close: Step[] =
        state.presented.length === 0
          ? [
              {
                label: "Close the meeting without a round",
                action: { type: "phase.next" },
                leaves: "Nobody presents today",
              },
            ]
          : [];
      const [single] = volunteers;
      if (volunteers.length === 1 && single !== undefined) {
        return {
          primary: {
            label: `Choose ${name(single)} to present`,
            action: { type: "presenter.choose", payload: { memberId: single } },
            note: `${name(single)} volunteered.`,
          },
          secondary: close,
        };
      }
      if (volunteers.length > 1) {
        return {
          primary: {
            label: "Choose a presenter",
            focus: CHOOSER_ID,
            note: `Volunteered: ${volunteers.map(name).join(", ")}.`,
          },
          secondary: close,
        };
      }
      // Nobody volunteered: the presenter planned for this meeting, when one is here.
      const planned = state.nextPresenters.find((id) => {
        const m = state.members[id];
        return m !== undefined && m.agreed && m.connected && !state.presented.includes(id);
      });
      if (planned !== undefined) {
        return {
          primary: {
            label: `Choose ${name(planned)} to present`,
            action: { type: "presenter.choose", payload: { memberId: planned } },
            note: `${name(planned)} is planned to present.`,
          },
          secondary: state.presented.length > 0 ? [moveOnEarly(state.phase, "")] : close,
        };
      }
      if (state.presented.length > 0) {
        return only(moveOn(state.phase, "Nobody has volunteered for another round."));
      }
      return {
        primary: {
          label: "Choose a presenter",
          focus: CHOOSER_ID,
          note: "Nobody has volunteered yet.",
        },
        secondary: close,
      };
    }
    case "presenting":
      return only(moveOn(state.phase));
    case "questions":
    case "experiences":
      return handSteps(state, me, can);
    case "commitment": {
      const made = state.commitments.filter((c) => !c.review && c.round === state.round).length;
      if (made > 0 || state.presenterId === "") {
        return only(moveOn(state.phase, `${plural(made, "commitment")} recorded this round.`));
      }
      return {
        primary: {
          label: `Waiting for ${name(state.presenterId)}'s commitment`,
          note: "The presenter says what they will do by the next meeting.",
        },
        secondary: [moveOnEarly(state.phase, "No commitment recorded")],
      };
    }
    case "closing": {
      if (state.pulse.status === "idle") {
        return only({
          label: "Open pulse",
          action: { type: "pulse.open" },
          note: "An anonymous trust pulse before you close.",
        });
      }
      if (state.pulse.status === "open") {
        return only({
          label: "Close pulse",
          action: { type: "pulse.close" },
          note: `${state.pulse.answered} of ${present.length} answered.`,
        });
      }
      const closed = present.filter((m) => m.closingWord).length;
      return only({
        label: "End meeting",
        action: { type: "meeting.end" },
        note: `${closed} of ${present.length} gave a closing word.`,
      });
    }
    case "ended":
      return undefined;
    default: {
      const never: never = state.phase;
      return never;
    }
  }
}

/** Probing questions and experience shares: the floor, the queue, and what moving on leaves. */
function handSteps(state: SyncedState, me: string, can: Can): NextSteps {
  const name = (id: string) => state.members[id]?.name ?? "someone";
  const waitingQuestions =
    state.phase === "questions" ? state.questions.filter((q) => q.status === "queued").length : 0;
  const behind = [
    waitingQuestions > 0 ? `${plural(waitingQuestions, "question")} still waiting` : "",
    state.hands.length > 0 ? `${plural(state.hands.length, "hand")} still up` : "",
  ].filter(Boolean);
  const early = (fallback: string): Step[] => [
    moveOnEarly(state.phase, behind.length > 0 ? behind.join(", ") : fallback),
  ];

  // Someone speaks: their turn is the work. Ending it is the step only once it runs over.
  if (state.floorId !== "") {
    const speaker = name(state.floorId);
    const end: Step = { label: `End ${speaker}'s turn`, action: { type: "floor.yield" } };
    const after = state.hands.length > 0 ? ` ${plural(state.hands.length, "hand")} up.` : "";
    const cut = moveOnEarly(state.phase, [`${speaker}'s turn is cut short`, ...behind].join(", "));
    if (state.floorId === me) {
      return {
        primary: { label: "You have the floor", note: `Say Done when you have finished.${after}` },
        secondary: [cut],
      };
    }
    if (state.turnOvertime) {
      return { primary: { ...end, note: `${speaker}'s time is up.${after}` }, secondary: [cut] };
    }
    return {
      primary: { label: `${speaker} has the floor`, note: `Listen.${after}` },
      secondary: [end, cut],
    };
  }

  // The head of the queue who is here; away members keep their place.
  const here = state.hands.filter((id) => state.members[id]?.connected !== false);
  const away = state.hands.filter((id) => state.members[id]?.connected === false);
  const awayNote =
    away.length > 0 ? ` Away, keeping their place: ${away.map(name).join(", ")}.` : "";
  const [head] = here;
  if (head !== undefined) {
    // Skipping an away head names who gets the floor; otherwise the server takes the head itself.
    const payload = head === state.hands[0] ? undefined : { memberId: head };
    if (can("floor.give", payload)) {
      return {
        primary: {
          label: "Give the floor",
          detail: `to ${name(head)}`,
          action: { type: "floor.give", ...(payload ? { payload } : {}) },
          note: `${plural(state.hands.length, "hand")} up.${awayNote}`,
        },
        secondary: early(""),
      };
    }
  }
  if (state.hands.length > 0) {
    return {
      primary: {
        label: "Waiting for a raised hand to return",
        note: `Every hand up is away.${awayNote}`,
      },
      secondary: early(""),
    };
  }
  if (waitingQuestions > 0) {
    return {
      primary: {
        label: `${plural(waitingQuestions, "question")} waiting`,
        note: "No hand is up: their askers may raise one to take the floor.",
      },
      secondary: early(""),
    };
  }
  if (state.phase === "experiences") {
    const shared = Object.values(state.members).some((m) => m.sharedThisRound);
    // Everyone here but the presenter has shared or passed: the shares are done.
    const peers = Object.values(state.members).filter(
      (m) => m.agreed && m.connected && m.id !== state.presenterId,
    );
    const answered = peers.filter((m) => m.sharedThisRound || m.passedThisRound).length;
    if (peers.length > 0 && answered === peers.length) {
      return { primary: moveOn(state.phase, "Everyone has shared or passed."), secondary: [] };
    }
    if (!shared) {
      return {
        primary: {
          label: "Invite experience shares",
          note: "Ask who has lived something like this: they raise a hand to share their own experience, not advice.",
        },
        secondary: early("Nobody has shared yet"),
      };
    }
    return { primary: moveOn(state.phase, "No hands up."), secondary: [] };
  }
  if (state.questions.length === 0) {
    return {
      primary: {
        label: "Invite probing questions",
        note: "Ask the group for open questions that help the presenter see the issue.",
      },
      secondary: early("No question asked yet"),
    };
  }
  return { primary: moveOn(state.phase, "No hands up, no question waiting."), secondary: [] };
}

/** How the updates go-around stands, in a line: "2 of 4 done, 1 passed". */
function turnTally(state: SyncedState): string {
  const statuses = state.turnOrder.map((id) => state.members[id]?.turnStatus ?? "");
  const count = (status: string) => statuses.filter((s) => s === status).length;
  return [
    `${count("done")} of ${statuses.length} gave an update`,
    count("passed") > 0 ? `${count("passed")} passed` : "",
    count("skipped") > 0 ? `${count("skipped")} skipped` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

/** The updates go-around (forum format): whose turn it is, skipping on, and moving on. */
function updateSteps(state: SyncedState, me: string): NextSteps {
  const name = (id: string) => state.members[id]?.name ?? "someone";
  const tally = turnTally(state);
  const waiting = state.turnOrder.filter(
    (id) => (state.members[id]?.turnStatus ?? "") === "" && id !== state.turnId,
  ).length;
  if (state.turnId === "") {
    return {
      primary: moveOn(state.phase, `Everyone has had their turn: ${tally}.`),
      secondary: [],
    };
  }
  const speaker = name(state.turnId);
  const skip: Step = { label: `Skip ${speaker}`, action: { type: "turn.next" } };
  const leaves = [
    `${speaker}'s update is cut short`,
    waiting > 0 ? `${plural(waiting, "update")} not given` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const early = moveOnEarly(state.phase, leaves);
  if (state.turnId === me) {
    return {
      primary: {
        label: "Your update",
        note: `Say Done with my update when you have finished. ${tally}.`,
      },
      secondary: [early],
    };
  }
  if (state.turnOvertime) {
    return {
      primary: { ...skip, note: `${speaker}'s time is up. ${tally}.` },
      secondary: [early],
    };
  }
  return {
    primary: { label: `${speaker} gives an update`, note: `Listen. ${tally}.` },
    secondary: [skip, early],
  };
}
