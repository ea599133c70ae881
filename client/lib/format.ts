// Small formatting helpers shared by components; pure, so component tests can rely on them.

/** 1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/** Milliseconds as "m:ss" (or "h:mm:ss"), rounding up so a countdown never shows 0:00 early. */
export function clockText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Milliseconds in words for screen readers and airtime: "2 min 5 s", "40 s". */
export function durationWords(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (m === 0) return `${s} s`;
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}

/** Your place in the hand queue, in words: "You're 2nd", or "" when your hand is not up. */
export function queuePlace(hands: readonly string[], memberId: string): string {
  const index = hands.indexOf(memberId);
  return index < 0 ? "" : `You're ${ordinal(index + 1)}`;
}

/** "Ana", "Ana and Ben", "Ana, Ben and Chloé". */
export function namesList(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** "1 member", "3 members". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A name set apart for plain text (notices, announcements), as `<bdi>` does in markup: a name
 * written right to left cannot reorder the words around it.
 */
export function isolate(name: string): string {
  return `\u2068${name}\u2069`;
}
