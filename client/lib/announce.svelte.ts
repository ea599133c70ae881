import type { MeetingConnection } from "./meeting.svelte.ts";
import type { Clock } from "./clock.svelte.ts";
import type { Notices } from "./notices.svelte.ts";
import { isolate, namesList } from "./format.ts";
import { phaseLabel } from "./phases.ts";

/** Seconds before the end of my turn when I hear a warning. */
const TURN_WARNING_MS = 30_000;
/** Seconds before the end of a phase's timebox when the facilitator hears a warning. */
const PHASE_WARNING_MS = 60_000;

/**
 * Tells screen-reader users what changes without their doing: the phase, the floor coming to
 * them, their hand lowered, a pulse opening, timer warnings, and (to the facilitator) someone
 * waiting to be let in. Call during component setup.
 */
export function announceMeeting(conn: MeetingConnection, clock: Clock, notices: Notices): void {
  let phase = "";
  let floor = false;
  let hand = false;
  let pulseSeq = -1;
  const warned = new Set<string>();
  const waitingSeen = new Set<string>();

  $effect(() => {
    const state = conn.state;
    if (!state) return;
    if (phase && state.phase !== phase) {
      const presenter = state.members[state.presenterId]?.name;
      const who =
        state.phase === "presenting" && presenter ? ` ${isolate(presenter)} presents.` : "";
      const label = phaseLabel[state.phase];
      notices.announce(`Now: ${label}${label.endsWith("?") ? "" : "."}${who}`);
    }
    phase = state.phase;
  });

  $effect(() => {
    const state = conn.state;
    if (!state) return;
    const mine = state.floorId !== "" && state.floorId === conn.memberId;
    const up = state.hands.includes(conn.memberId);
    if (mine && !floor) notices.announce("You have the floor.");
    else if (
      hand &&
      !up &&
      !mine &&
      (state.phase === "questions" || state.phase === "experiences")
    ) {
      notices.announce("Your hand is down.");
    }
    floor = mine;
    hand = up;
  });

  // Someone new waiting to be let in: a notice on screen and a word for screen readers. Nobody
  // is named twice while they wait; someone who comes back later is named again.
  $effect(() => {
    const waiting = conn.isFacilitator ? conn.waitingList : [];
    const arrived = waiting.filter((person) => !waitingSeen.has(person.id));
    for (const person of arrived) notices.show(`${isolate(person.name)} is waiting to be let in.`);
    if (arrived.length > 0) {
      const names = namesList(arrived.map((person) => isolate(person.name)));
      const verb = arrived.length === 1 ? "is" : "are";
      notices.announce(
        `${names} ${verb} waiting to be let in. Admit or decline at the top of the console.`,
      );
    }
    waitingSeen.clear();
    for (const person of waiting) waitingSeen.add(person.id);
  });

  $effect(() => {
    const pulse = conn.state?.pulse;
    if (!pulse) return;
    if (pulseSeq >= 0 && pulse.status === "open" && pulse.seq !== pulseSeq) {
      notices.announce("A trust pulse is open: how safe do you feel sharing in this group today?");
    }
    if (pulse.status === "open" || pulseSeq < 0) pulseSeq = pulse.seq;
  });

  $effect(() => {
    const state = conn.state;
    if (!state) return;
    const now = clock.now;
    if (state.floorId === conn.memberId && state.turnEndsAt > 0) {
      const left = state.turnEndsAt - now;
      const key = `${state.floorSince}`;
      if (left <= 0 && !warned.has(`over:${key}`)) {
        warned.add(`over:${key}`).add(`soon:${key}`);
        notices.announce("Your time is up. Finish your thought, then choose Done.");
      } else if (left > 0 && left <= TURN_WARNING_MS && !warned.has(`soon:${key}`)) {
        warned.add(`soon:${key}`);
        notices.announce("30 seconds left in your turn.");
      }
    }
    if (conn.isFacilitator && state.phaseEndsAt > 0) {
      const left = state.phaseEndsAt - now;
      const key = `${state.phase}:${state.phaseEndsAt}`;
      if (left <= 0 && !warned.has(`over:${key}`)) {
        warned.add(`over:${key}`).add(`soon:${key}`);
        notices.announce(`${phaseLabel[state.phase]} is over time.`);
      } else if (left > 0 && left <= PHASE_WARNING_MS && !warned.has(`soon:${key}`)) {
        warned.add(`soon:${key}`);
        notices.announce(`One minute left for ${phaseLabel[state.phase].toLowerCase()}.`);
      }
    }
  });
}
