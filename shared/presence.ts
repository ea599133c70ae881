// Who takes part now: a member agrees to confidentiality, drops, leaves or is removed. Pure
// functions over the machine's context; joining and admission are in membership.ts.
import { releaseFloor } from "./floor.ts";
import { stopWaiting, unseat } from "./membership.ts";
import type { ProtocolContext } from "./types.ts";

/** The member agrees to confidentiality and may take part. */
export function agree(context: ProtocolContext, id: string): Partial<ProtocolContext> {
  const m = context.members[id];
  return m ? { members: { ...context.members, [id]: { ...m, agreed: true } } } : {};
}

/** The member's connection dropped at `at`: the seat is kept for their return. */
export function drop(context: ProtocolContext, id: string, at: number): Partial<ProtocolContext> {
  const m = context.members[id];
  if (!m) return {};
  return { members: { ...context.members, [id]: { ...m, connected: false, awaySince: at } } };
}

/**
 * Gone for good: the seat is kept for a later return, but hand, floor and offer to present go.
 * Someone still waiting to be let in simply stops waiting.
 */
export function leave(context: ProtocolContext, id: string, at: number): Partial<ProtocolContext> {
  const m = context.members[id];
  if (!m) return stopWaiting(context, id);
  const released = context.floorId === id ? releaseFloor(context, at) : {};
  const members = released.members ?? context.members;
  return {
    ...released,
    members: {
      ...members,
      [id]: { ...m, ...members[id], connected: false, left: true, awaySince: m.awaySince || at },
    },
    hands: context.hands.filter((h) => h !== id),
    volunteers: context.volunteers.filter((v) => v !== id),
  };
}

/**
 * The facilitator removes a member: out of the meeting with their hand, floor, offer to present
 * and waiting questions, and unseated from the table (membership.ts says how).
 */
export function remove(context: ProtocolContext, id: string, at: number): Partial<ProtocolContext> {
  const released = context.floorId === id ? releaseFloor(context, at) : {};
  const { [id]: _removed, ...members } = released.members ?? context.members;
  return {
    ...released,
    ...unseat(context, id),
    members,
    hands: context.hands.filter((h) => h !== id),
    volunteers: context.volunteers.filter((v) => v !== id),
    presenterId: context.presenterId === id ? "" : context.presenterId,
    timekeeperId: context.timekeeperId === id ? "" : context.timekeeperId,
    questions: (released.questions ?? context.questions).filter(
      (q) => !(q.askerId === id && q.status === "queued"),
    ),
  };
}
