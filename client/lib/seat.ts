// What this browser remembers about a table, in localStorage: who you are (name and the secret
// member key) and, for the facilitator, the table's key. Nothing here is ever sent in an address:
// the keys go as Colyseus join options, and the member key as a bearer header to read the table.

/** Your seat at a table, as this browser keeps it. */
export interface Seat {
  name: string;
  /** Random secret (43 characters): the same key is the same member. */
  memberKey: string;
  /** The table's facilitator key, when this browser holds it. */
  facilitatorKey?: string;
}

const seatKey = (tableId: string) => `roundtable:seat:${tableId}`;
const pulseKey = (tableId: string) => `roundtable:pulse:${tableId}`;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private browsing without storage: the seat lasts as long as the page.
  }
}

/** A new member key: 32 random bytes, base64url (43 characters). */
export function newMemberKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The seat this browser holds at a table; a member key is made (and kept) on first use. */
export function loadSeat(tableId: string): Seat {
  let stored: Partial<Seat> = {};
  try {
    stored = JSON.parse(read(seatKey(tableId)) ?? "{}") as Partial<Seat>;
  } catch {
    stored = {};
  }
  const seat: Seat = {
    name: typeof stored.name === "string" ? stored.name : "",
    memberKey:
      typeof stored.memberKey === "string" && stored.memberKey.length >= 32
        ? stored.memberKey
        : newMemberKey(),
  };
  if (typeof stored.facilitatorKey === "string" && stored.facilitatorKey) {
    seat.facilitatorKey = stored.facilitatorKey;
  }
  saveSeat(tableId, seat);
  return seat;
}

export function saveSeat(tableId: string, seat: Seat): void {
  write(seatKey(tableId), JSON.stringify(seat));
}

/**
 * Takes the facilitator key out of the address (`#key=…`) into storage, so the key does not stay
 * on screen, in the history, or in a link copied from the address bar.
 */
export function takeKeyFromFragment(tableId: string, location: Location, history: History): void {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  const seat = loadSeat(tableId);
  seat.facilitatorKey = decodeURIComponent(match[1]);
  saveSeat(tableId, seat);
  history.replaceState(history.state, "", location.pathname + location.search);
}

/** The shape of a member key the app makes (`newMemberKey`): base64url, 43 characters. */
const memberKeyShape = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * Takes a personal link's member key (`#member=…`) out of the address, so the key is not left in
 * the history, on screen, or in a link copied from the address bar. Returns the key, or
 * undefined when the address carries none (or a malformed one, which is dropped all the same).
 */
export function takeMemberKeyFromFragment(
  location: Location,
  history: History,
): string | undefined {
  const match = /(?:^#|&)member=([^&]*)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(history.state, "", location.pathname + location.search);
  let key = "";
  try {
    key = decodeURIComponent(match[1] ?? "");
  } catch {
    return undefined;
  }
  return memberKeyShape.test(key) ? key : undefined;
}

/**
 * Makes this browser the member whose key a personal link carried. The name stored here was the
 * other member's, so it goes too; the table's facilitator key, if this browser holds it, stays.
 */
export function adoptMemberKey(tableId: string, memberKey: string): Seat {
  const seat = loadSeat(tableId);
  if (seat.memberKey === memberKey) return seat;
  const next: Seat = { ...seat, memberKey, name: "" };
  saveSeat(tableId, next);
  return next;
}

/** A personal link: it makes the device that opens it this member at this table. */
export function personalLink(origin: string, tableId: string, memberKey: string): string {
  return `${origin}/t/${tableId}#member=${encodeURIComponent(memberKey)}`;
}

/** Which pulse (room and sequence number) this browser answered last at a table. */
export function answeredPulse(tableId: string): string {
  return read(pulseKey(tableId)) ?? "";
}

export function rememberPulseAnswer(tableId: string, pulse: string): void {
  write(pulseKey(tableId), pulse);
}
