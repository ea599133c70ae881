// Follow-up: earlier meetings' open commitments reviewed by their owners, as pure functions over
// the machine's context. Only the commitments of owners who are here are reviewed.
import { presentMembers } from "./rules.ts";
import type { CommitmentStatus, EarlierCommitment, ProtocolContext } from "./types.ts";

/** Earlier commitments whose owners are here now: the follow-up's agenda. */
export function underReview(context: ProtocolContext): EarlierCommitment[] {
  const here = new Set(presentMembers(context).map((m) => m.id));
  return context.earlier.filter((c) => here.has(c.ownerId));
}

/** Follow-up opens: the agenda joins the commitments, and the rest are counted as absent. */
export function openReview(context: ProtocolContext): Partial<ProtocolContext> {
  const review = underReview(context);
  return {
    commitments: review.map((c) => ({ ...c, review: true, round: 0 })),
    absentCommitments: context.earlier.length - review.length,
  };
}

/** A member whose commitments wait for review arrives during follow-up: review theirs too. */
export function refreshReview(context: ProtocolContext): Partial<ProtocolContext> {
  if (!context.commitments.some((c) => c.review)) return {};
  const listed = new Set(context.commitments.map((c) => c.id));
  const added = underReview(context).filter((c) => !listed.has(c.id));
  if (added.length === 0) return {};
  return {
    commitments: [...context.commitments, ...added.map((c) => ({ ...c, review: true, round: 0 }))],
    absentCommitments: context.absentCommitments - added.length,
  };
}

/** Follow-up closes: the reviewed commitments leave the list (their reports are kept in `earlier`). */
export function closeReview(context: ProtocolContext): Partial<ProtocolContext> {
  return { commitments: context.commitments.filter((c) => !c.review), absentCommitments: 0 };
}

/** An owner reports on a commitment under review: its status and note, here and in `earlier`. */
export function report(
  context: ProtocolContext,
  e: { commitmentId: string; status: CommitmentStatus; note?: string },
): Partial<ProtocolContext> {
  const reported = <C extends EarlierCommitment>(c: C): C =>
    c.id === e.commitmentId ? { ...c, status: e.status, note: e.note ?? "" } : c;
  return { commitments: context.commitments.map(reported), earlier: context.earlier.map(reported) };
}
