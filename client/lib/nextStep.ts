import type { ClientMessageType } from "../../shared/messages.ts";
import type { SyncedState } from "../../shared/sync.ts";
import { plural } from "./format.ts";
import { CHOOSER_ID } from "./phases.ts";

/** The facilitator's next sensible step: one primary button, or guidance when none fits. */
export interface Step {
  /** The button's accessible name (a fixed name from PROTOCOL.md where one applies). */
  label: string;
  /** Words shown after the label but not part of its name ("to Ana"); read as its description. */
  detail?: string;
  /** The message the button sends. */
  action?: { type: ClientMessageType; payload?: Record<string, unknown> };
  /** Instead of sending, the button moves focus to the element with this id. */
  focus?: string;
  /** One line of context under the button. */
  note?: string;
}

const nextPhaseLabel: Partial<Record<SyncedState["phase"], string>> = {
  checkIn: "Finish check-in",
  followUp: "Move to choosing a presenter",
  presenting: "Move to probing questions",
  questions: "Move to experience shares",
  experiences: "Move to commitment",
  commitment: "Finish the round",
};

/**
 * What the facilitator would most likely do next, from the synced state. `can` says whether a
 * message is allowed now (the shared machine's answer), so a step is never one the server refuses.
 */
export function nextStep(
  state: SyncedState,
  me: string,
  can: (type: ClientMessageType, payload?: Record<string, unknown>) => boolean,
): Step | undefined {
  const members = Object.values(state.members);
  const present = members.filter((m) => m.agreed && m.connected);
  const name = (id: string) => state.members[id]?.name ?? "someone";
  const phaseNext = (note?: string): Step => ({
    label: nextPhaseLabel[state.phase] ?? "Next phase",
    action: { type: "phase.next" },
    ...(note ? { note } : {}),
  });

  switch (state.phase) {
    case "lobby":
      return {
        label: "Start meeting",
        action: { type: "meeting.start" },
        note: `${plural(present.length, "member")} agreed and here; at least 2 are needed.`,
      };
    case "checkIn": {
      const done = present.filter((m) => m.checkinWord).length;
      return phaseNext(`${done} of ${present.length} checked in.`);
    }
    case "followUp": {
      const review = state.commitments.filter((c) => c.review);
      const reported = review.filter((c) => c.status !== "open").length;
      return phaseNext(`${reported} of ${plural(review.length, "commitment")} reported on.`);
    }
    case "choosing": {
      const volunteers = state.volunteers.filter((id) => state.members[id]?.connected);
      if (volunteers.length > 0) {
        return {
          label: "Choose a presenter",
          focus: CHOOSER_ID,
          note: `Volunteered: ${volunteers.map(name).join(", ")}.`,
        };
      }
      if (state.presented.length > 0) {
        return {
          label: "Move to closing",
          action: { type: "phase.next" },
          note: "Nobody has volunteered for another round.",
        };
      }
      return {
        label: "Choose a presenter",
        focus: CHOOSER_ID,
        note: "Nobody has volunteered yet.",
      };
    }
    case "presenting":
      return phaseNext();
    case "questions":
    case "experiences": {
      const head = state.hands[0];
      if (head !== undefined && can("floor.give")) {
        return {
          label: "Give the floor",
          detail: `to ${name(head)}`,
          action: { type: "floor.give" },
          note: `${plural(state.hands.length, "hand")} up.`,
        };
      }
      if (state.floorId !== "" && state.floorId !== me) {
        return { label: `End ${name(state.floorId)}'s turn`, action: { type: "floor.yield" } };
      }
      return phaseNext(state.floorId === "" ? "No hands up." : undefined);
    }
    case "commitment": {
      const made = state.commitments.filter((c) => !c.review && c.round === state.round).length;
      return phaseNext(`${plural(made, "commitment")} recorded this round.`);
    }
    case "closing": {
      if (state.pulse.status === "idle") {
        return {
          label: "Open pulse",
          action: { type: "pulse.open" },
          note: "An anonymous trust pulse before you close.",
        };
      }
      if (state.pulse.status === "open") {
        return {
          label: "Close pulse",
          action: { type: "pulse.close" },
          note: `${state.pulse.answered} of ${present.length} answered.`,
        };
      }
      const closed = present.filter((m) => m.closingWord).length;
      return {
        label: "End meeting",
        action: { type: "meeting.end" },
        note: `${closed} of ${present.length} gave a closing word.`,
      };
    }
    case "ended":
      return undefined;
    default: {
      const never: never = state.phase;
      return never;
    }
  }
}
