import type { SyncedState } from "../shared/index.ts";
import {
  ArraySchema,
  CommitmentState,
  MemberState,
  QuestionState,
  WaitingState,
  type MapSchema,
  type RoundtableState,
} from "./state.ts";

type Plain = Record<string, unknown>;

/** Assigns the fields that changed, so a patch carries only what is new. */
function assignChanged(target: Plain, source: Plain, keys: readonly string[]): void {
  for (const key of keys) {
    if (target[key] !== source[key]) target[key] = source[key];
  }
}

function mirrorStrings(target: ArraySchema<string>, source: readonly string[]): void {
  if (target.length === source.length && target.every((v, i) => v === source[i])) return;
  target.splice(0, target.length, ...source);
}

/** Keeps a Schema array in step with a list of items that have ids, updating in place. */
function mirrorList<S extends { id: string }, T extends { id: string }>(
  target: ArraySchema<S>,
  source: readonly T[],
  create: () => S,
  keys: readonly string[],
): void {
  const sameIds =
    target.length === source.length && source.every((item, i) => target[i]?.id === item.id);
  if (!sameIds) {
    target.splice(0, target.length);
    for (const item of source) {
      const row = create();
      assignChanged(row as unknown as Plain, item as unknown as Plain, keys);
      target.push(row);
    }
    return;
  }
  source.forEach((item, i) =>
    assignChanged(target[i] as unknown as Plain, item as unknown as Plain, keys),
  );
}

/** Keeps a Schema map in step with a record of rows, updating rows in place. */
function mirrorMap<S extends object, T extends object>(
  target: MapSchema<S>,
  source: Readonly<Record<string, T>>,
  create: () => S,
  keys: readonly string[],
): void {
  for (const [id, item] of Object.entries(source)) {
    const row = target.get(id);
    if (row) {
      assignChanged(row as unknown as Plain, item as unknown as Plain, keys);
    } else {
      const added = create();
      assignChanged(added as unknown as Plain, item as unknown as Plain, keys);
      target.set(id, added);
    }
  }
  for (const id of [...target.keys()]) {
    if (!Object.hasOwn(source, id)) target.delete(id);
  }
}

const memberKeys = [
  "id",
  "name",
  "connected",
  "agreed",
  "handUp",
  "sharedThisRound",
  "airtimeMs",
  "checkinWord",
  "closingWord",
  "askedThisRound",
  "awaySince",
  "shareNote",
  "shareHint",
  "left",
] as const;
const questionKeys = ["id", "askerId", "text", "status", "hint"] as const;
const commitmentKeys = [
  "id",
  "ownerId",
  "ownerName",
  "text",
  "status",
  "note",
  "review",
  "round",
] as const;
const rootKeys = [
  "tableName",
  "phase",
  "round",
  "facilitatorId",
  "presenterId",
  "floorId",
  "phaseEndsAt",
  "turnEndsAt",
  "floorSince",
  "phaseOvertime",
  "turnOvertime",
  "absentCommitments",
  "turnMs",
  "admission",
] as const;
const waitingKeys = ["id", "name", "since", "reason"] as const;
const pulseKeys = ["status", "answered", "threshold", "mean", "seq", "withheldBecause"] as const;

/** Mirrors the machine's synced view into the room's Schema state, changing only what changed. */
export function mirror(state: RoundtableState, synced: SyncedState): void {
  assignChanged(state as unknown as Plain, synced as unknown as Plain, rootKeys);
  mirrorMap(state.members, synced.members, () => new MemberState(), memberKeys);
  mirrorMap(state.waiting, synced.waiting, () => new WaitingState(), waitingKeys);
  mirrorStrings(state.hands, synced.hands);
  mirrorStrings(state.volunteers, synced.volunteers);
  mirrorStrings(state.presented, synced.presented);
  mirrorList(state.questions, synced.questions, () => new QuestionState(), questionKeys);
  mirrorList(state.commitments, synced.commitments, () => new CommitmentState(), commitmentKeys);
  assignChanged(state.pulse as unknown as Plain, synced.pulse as unknown as Plain, pulseKeys);
  const counts = state.pulse.counts as unknown as ArraySchema<number>;
  if (
    counts.length !== synced.pulse.counts.length ||
    counts.some((v, i) => v !== synced.pulse.counts[i])
  ) {
    counts.splice(0, counts.length, ...synced.pulse.counts);
  }
}
