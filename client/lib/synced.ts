import type { SyncedMember, SyncedState } from "../../shared/sync.ts";

// The decoded state leaves out what this client may not see (content before agreeing), and
// arrays may be absent before the first patch: fill in a complete, typed SyncedState.

type Raw = Partial<Record<keyof SyncedState, unknown>>;

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** A complete member from what was decoded of them. */
export function member(raw: Partial<SyncedMember>, id: string): SyncedMember {
  return {
    id,
    name: "",
    connected: false,
    left: false,
    agreed: false,
    handUp: false,
    sharedThisRound: false,
    askedThisRound: 0,
    airtimeMs: 0,
    awaySince: 0,
    checkinWord: "",
    closingWord: "",
    shareNote: "",
    shareHint: "",
    ...raw,
  };
}

/** A complete SyncedState from `room.state.toJSON()`. */
export function normalizeState(json: unknown): SyncedState {
  const raw = (json ?? {}) as Raw;
  const members = (raw.members ?? {}) as Record<string, Partial<SyncedMember>>;
  const pulse = (raw.pulse ?? {}) as Partial<SyncedState["pulse"]>;
  return {
    tableName: String(raw.tableName ?? ""),
    phase: (raw.phase as SyncedState["phase"]) || "lobby",
    admission: raw.admission === "open" ? "open" : "members",
    waiting: (raw.waiting ?? {}) as SyncedState["waiting"],
    round: Number(raw.round ?? 0),
    facilitatorId: String(raw.facilitatorId ?? ""),
    presenterId: String(raw.presenterId ?? ""),
    floorId: String(raw.floorId ?? ""),
    members: Object.fromEntries(Object.entries(members).map(([id, m]) => [id, member(m, id)])),
    hands: list(raw.hands),
    questions: list(raw.questions),
    commitments: list(raw.commitments),
    pulse: {
      status: pulse.status || "idle",
      answered: pulse.answered ?? 0,
      threshold: pulse.threshold ?? 3,
      counts: list(pulse.counts),
      mean: pulse.mean ?? 0,
      seq: pulse.seq ?? 0,
    },
    phaseEndsAt: Number(raw.phaseEndsAt ?? 0),
    turnEndsAt: Number(raw.turnEndsAt ?? 0),
    floorSince: Number(raw.floorSince ?? 0),
    phaseOvertime: raw.phaseOvertime === true,
    turnOvertime: raw.turnOvertime === true,
    volunteers: list(raw.volunteers),
    presented: list(raw.presented),
    absentCommitments: Number(raw.absentCommitments ?? 0),
    turnMs: Number(raw.turnMs ?? 120_000),
  };
}
