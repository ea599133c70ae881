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
