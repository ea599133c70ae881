// The updates go-around of the forum format ("5% moments"): each agreed member in turn, in join
// order, says how things are, and may rate work, family and personal life 1–10. Pure functions
// over the machine's context; the machine's go-around actions are one-liners over these.
import type { Member, ProtocolContext, Ratings, TurnStatus } from "./types.ts";

const present = (m: Member | undefined) => m !== undefined && m.agreed && m.connected;

/**
 * Whose turn comes next: the first in the order whose turn has not been taken and who is here.
 * "" when nobody is left.
 */
export function nextTurn(c: Pick<ProtocolContext, "turnOrder" | "members">): string {
  return c.turnOrder.find((id) => c.members[id]?.turnStatus === "" && present(c.members[id])) ?? "";
}

/** The turn goes to `id` at `at` ("" = nobody): its timebox starts over. */
function giveTurn(c: ProtocolContext, id: string, at: number): Partial<ProtocolContext> {
  if (id === c.turnId && id !== "") return { turnId: id };
  return {
    turnId: id,
    turnEndsAt: id === "" ? 0 : at + c.config.timeboxes.updateMs,
    turnOvertime: false,
  };
}

/**
 * The go-around brings in who has agreed since it began (appended in join order, which is the
 * members' order) and, when nobody has the turn, gives it to the next who may take it. The current
 * holder keeps the turn while away; the facilitator may move on (`turn.next`).
 */
export function refreshTurn(c: ProtocolContext, at: number): Partial<ProtocolContext> {
  if (!c.goingAround) return {};
  const arrived = Object.values(c.members)
    .filter((m) => present(m) && !c.turnOrder.includes(m.id))
    .map((m) => m.id);
  const turnOrder = [...c.turnOrder.filter((id) => c.members[id] !== undefined), ...arrived];
  const holder = c.members[c.turnId];
  const holderGone = c.turnId !== "" && (holder === undefined || holder.left);
  const next = { ...c, turnOrder };
  const turnId = c.turnId === "" || holderGone ? nextTurn(next) : c.turnId;
  return { turnOrder, ...giveTurn(next, turnId, at) };
}

/** The go-around begins at `at`: agreed members here in join order, the first one's turn. */
export function startUpdates(c: ProtocolContext, at: number): Partial<ProtocolContext> {
  return {
    goingAround: true,
    ...refreshTurn({ ...c, goingAround: true, turnOrder: [], turnId: "" }, at),
  };
}

/** The go-around ends with the phase: nobody has the turn; what was said and rated stays. */
export function stopUpdates(): Partial<ProtocolContext> {
  return { goingAround: false, turnId: "", turnEndsAt: 0, turnOvertime: false };
}

/** The turn's holder is done, passes, or is skipped: the turn moves on. */
export function endTurn(
  c: ProtocolContext,
  status: Exclude<TurnStatus, "">,
  at: number,
): Partial<ProtocolContext> {
  const holder = c.members[c.turnId];
  if (!holder) return {};
  const members = { ...c.members, [c.turnId]: { ...holder, turnStatus: status } };
  const next = { ...c, members, turnId: "" };
  return { members, ...giveTurn(next, nextTurn(next), at) };
}

/** The member whose turn it is rates work, family or personal life (1–10); the rest is kept. */
export function rate(
  c: ProtocolContext,
  e: { from: string } & Partial<Ratings>,
): Partial<ProtocolContext> {
  const m = c.members[e.from];
  if (!m) return {};
  const ratings: Ratings = {
    work: e.work ?? m.ratings.work,
    family: e.family ?? m.ratings.family,
    personal: e.personal ?? m.ratings.personal,
  };
  return { members: { ...c.members, [e.from]: { ...m, ratings } } };
}
