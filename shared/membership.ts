// Who is in the room: the roster, people waiting to be let in, seats and the key holder. Pure
// helpers over the machine's context; the machine's actions and the rules in rules.ts call them.
import { sameName } from "./names.ts";
import type { Member, ProtocolContext, Waiting, WaitingReason } from "./types.ts";

/** Whether a member id comes straight in: an open table, the table's key, or the roster. */
export function comesIn(c: ProtocolContext, id: string, keyValid: boolean): boolean {
  return c.admission === "open" || keyValid || Object.hasOwn(c.roster, id);
}

/** Whether the member id holds the table's key in this meeting. */
export function holdsKey(c: ProtocolContext, id: string): boolean {
  return c.keyHolders.includes(id);
}

/**
 * Seats taken: members who agreed to confidentiality and have not left. People waiting and
 * members who have not agreed hold none, so they can never keep anyone out.
 */
export function seatsTaken(c: ProtocolContext, except?: string): number {
  return Object.values(c.members).filter((m) => m.agreed && !m.left && m.id !== except).length;
}

/**
 * Whether someone other than `self` already goes by this name: a member here, or (unless `self`
 * comes straight in) someone waiting. A member never loses their name to a stranger who waits
 * under it.
 */
export function nameTaken(
  c: ProtocolContext,
  name: string,
  self: string,
  comesStraightIn = false,
): boolean {
  const here = Object.values(c.members).some(
    (m) => m.id !== self && !m.left && sameName(m.name, name),
  );
  if (here || comesStraightIn) return here;
  return Object.values(c.waiting).some((w) => w.id !== self && sameName(w.name, name));
}

/** What the table knows of someone who is not on its roster, for the facilitator's prompt. */
export function waitingReason(c: ProtocolContext, id: string, name: string): WaitingReason {
  if (c.removedEarlier.includes(id)) return "removed_earlier";
  return Object.values(c.roster).some((n) => sameName(n, name)) ? "new_device" : "never_admitted";
}

export function newMember(id: string, name: string): Member {
  return {
    id,
    name,
    connected: true,
    left: false,
    agreed: false,
    awaySince: 0,
    sharedThisRound: false,
    askedThisRound: 0,
    airtimeMs: 0,
    checkinWord: "",
    closingWord: "",
    shareNote: "",
    shareHint: "",
    turnStatus: "",
    ratings: { work: 0, family: 0, personal: 0 },
    passedThisRound: false,
  };
}

function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  const { [id]: _gone, ...rest } = record;
  return rest;
}

/**
 * A member joins or comes back. At a `members` table someone not on the roster (and without the
 * key) waits instead. Whoever comes in with the key holds it for the meeting and becomes the
 * facilitator; at an `open` table, and for the key holder, joining puts them on the roster.
 */
export function join(
  c: ProtocolContext,
  e: { from: string; at: number; name: string; keyValid: boolean },
): Partial<ProtocolContext> {
  if (!comesIn(c, e.from, e.keyValid)) {
    const earlier = c.waiting[e.from];
    const waiting: Waiting = {
      id: e.from,
      name: e.name,
      since: earlier?.since ?? e.at,
      reason: waitingReason(c, e.from, e.name),
    };
    return { waiting: { ...c.waiting, [e.from]: waiting } };
  }
  const known = c.members[e.from];
  const member = known
    ? { ...known, name: e.name, connected: true, left: false, awaySince: 0 }
    : newMember(e.from, e.name);
  return {
    members: { ...c.members, [e.from]: member },
    roster: { ...c.roster, [e.from]: e.name },
    removedEarlier: c.removedEarlier.filter((id) => id !== e.from),
    waiting: without(c.waiting, e.from),
    keyHolders: e.keyValid && !holdsKey(c, e.from) ? [...c.keyHolders, e.from] : c.keyHolders,
    facilitatorId: e.keyValid ? e.from : c.facilitatorId,
  };
}

/** The facilitator lets a waiting person in: onto the roster, a member who still has to agree. */
export function admit(c: ProtocolContext, id: string): Partial<ProtocolContext> {
  const person = c.waiting[id];
  if (!person) return {};
  return {
    waiting: without(c.waiting, id),
    roster: { ...c.roster, [id]: person.name },
    removedEarlier: c.removedEarlier.filter((r) => r !== id),
    members: { ...c.members, [id]: newMember(id, person.name) },
  };
}

/** The facilitator declines a waiting person, or they stop waiting: they are simply gone. */
export function stopWaiting(c: ProtocolContext, id: string): Partial<ProtocolContext> {
  return { waiting: without(c.waiting, id) };
}

/**
 * What a removal changes in membership: at a `members` table the member leaves the roster (with
 * the same key they wait again, now and at later meetings); at an `open` table they may not
 * rejoin this meeting.
 */
export function unseat(c: ProtocolContext, id: string): Partial<ProtocolContext> {
  if (c.admission === "members") {
    return {
      roster: without(c.roster, id),
      removedEarlier: c.removedEarlier.includes(id) ? c.removedEarlier : [...c.removedEarlier, id],
    };
  }
  return { removed: [...c.removed, id] };
}
