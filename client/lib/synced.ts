import { blank, MemberState, PulseState, RoundtableState } from "../../shared/state.ts";
import type { SyncedMember, SyncedState } from "../../shared/state.ts";

// The decoded state leaves out what this client may not see (content before agreeing, everything
// but the table's name and phase while waiting), and collections may be absent before the first
// patch: fill in a complete, typed SyncedState from the schema's own defaults.

type Raw = Partial<Record<string, unknown>>;

const defaults = {
  state: blank(RoundtableState),
  member: blank(MemberState),
  pulse: blank(PulseState),
};

/** A complete member from what was decoded of them. */
export function member(raw: Partial<SyncedMember>, id: string): SyncedMember {
  return { ...defaults.member, ...raw, id } as SyncedMember;
}

/** A complete SyncedState from `room.state.toJSON()`. */
export function normalizeState(json: unknown): SyncedState {
  const raw = (json ?? {}) as Raw;
  const members = (raw.members ?? {}) as Record<string, Partial<SyncedMember>>;
  return {
    ...defaults.state,
    ...raw,
    members: Object.fromEntries(Object.entries(members).map(([id, m]) => [id, member(m, id)])),
    pulse: { ...defaults.pulse, ...(raw.pulse as Raw | undefined) },
  } as SyncedState;
}
