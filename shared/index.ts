export {
  protocolMachine,
  timeboxMs,
  type ProtocolInput,
  type ProtocolSnapshot,
} from "./machine.ts";
export { reviewQuestion, reviewShare, type Hint, type Review } from "./language.ts";
export * from "./messages.ts";
export * from "./types.ts";
export {
  rules,
  firstFailure,
  presentMembers,
  FACILITATOR_AWAY_MS,
  type RuleName,
} from "./rules.ts";
export { explainRefusal } from "./explain.ts";
export {
  phaseOf,
  snapshotFromSynced,
  syncedFromSnapshot,
  type SyncedState,
  type SyncedMember,
} from "./sync.ts";
