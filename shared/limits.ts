// Limits of the public contract (PROTOCOL.md), apart from the schemas so that a client can read
// them without bundling the schema library.

/** Longest display name, in characters. */
export const NAME_MAX = 40;
/** Shortest member key, in characters. */
export const MEMBER_KEY_MIN = 16;
/** Longest member key we accept, in characters (keys are random, not prose). */
export const MEMBER_KEY_MAX = 128;
/** Longest check-in or closing word, in characters. */
export const WORD_MAX = 24;
/** Longest question, commitment or follow-up note, in characters. */
export const TEXT_MAX = 280;
/** Longest optional note a member attaches to a raised hand, in characters. */
export const SHARE_NOTE_MAX = 140;
/** Most members in one meeting. */
export const MAX_MEMBERS = 16;
/** Longest table name, in characters. */
export const TABLE_NAME_MAX = 80;
/** Fewest answers for a revealed pulse to show how many gave each score; below, its mean alone. */
export const PULSE_COUNTS_FROM = 5;

/** Close code sent to a member the facilitator removed. */
export const CLOSE_REMOVED = 4401;
/** Close code sent to a waiting person the facilitator declined. */
export const CLOSE_DECLINED = 4403;
/** Close code sent to a connection neither admitted nor agreed within `IDLE_ADMISSION_MS`. */
export const CLOSE_IDLE = 4408;
/** Close code sent to an older connection when the same member joins from elsewhere. */
export const CLOSE_REPLACED = 4409;
/** Milliseconds a connection may stay neither admitted nor agreed before it is closed. */
export const IDLE_ADMISSION_MS = 10 * 60_000;
/** Most people waiting to be let in at once. */
export const MAX_WAITING = 32;

/** Longest parking-lot topic, in characters. */
export const TOPIC_MAX = 120;
/** Most topics on a parking lot at once. */
export const PARKING_MAX = 40;
/** Longest issue title, in characters. */
export const ISSUE_TITLE_MAX = 120;
/** Longest "why it matters" or "what I tried" on the issue card, in characters. */
export const ISSUE_TEXT_MAX = 400;
/** Fewest and most seconds one `timer.extend` adds. */
export const EXTEND_MIN_SECONDS = 30;
export const EXTEND_MAX_SECONDS = 600;
/** A table's own timebox, in whole minutes: at least and at most. */
export const TIMEBOX_MIN_MINUTES = 1;
export const TIMEBOX_MAX_MINUTES = 120;
