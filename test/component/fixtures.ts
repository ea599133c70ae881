import type { SyncedMember, SyncedState } from "../../shared/sync.ts";
import { member as syncedMember } from "../../client/lib/synced.ts";

/** A member as the synced state carries them, connected and agreed unless told otherwise. */
export function member(id: string, name: string, extra: Partial<SyncedMember> = {}): SyncedMember {
  return syncedMember({ name, connected: true, agreed: true, ...extra }, id);
}

export const ana = member("ana", "Ana");
export const ben = member("ben", "Ben");
export const chloe = member("chloe", "Chloé");
export const dev = member("dev", "Dev");

export const members = { ana, ben, chloe, dev };

/** A meeting's synced state, in the lobby with everyone here, plus what the test changes. */
export function meeting(extra: Partial<SyncedState> = {}): SyncedState {
  return {
    tableName: "Engineering managers' circle",
    phase: "lobby",
    admission: "members",
    waiting: {},
    round: 0,
    facilitatorId: "ana",
    presenterId: "",
    floorId: "",
    members,
    hands: [],
    questions: [],
    commitments: [],
    pulse: {
      status: "idle",
      answered: 0,
      threshold: 3,
      counts: [],
      mean: 0,
      seq: 0,
      withheldBecause: "",
    },
    phaseEndsAt: 0,
    turnEndsAt: 0,
    floorSince: 0,
    phaseOvertime: false,
    turnOvertime: false,
    volunteers: [],
    presented: [],
    absentCommitments: 0,
    turnMs: 120_000,
    format: "roundtable",
    turnOrder: [],
    turnId: "",
    parking: [],
    topicId: "",
    issue: { title: "", why: "", tried: "", ask: "" },
    timekeeperId: "",
    nextPresenters: [],
    updateMs: 300_000,
    ...extra,
  };
}
