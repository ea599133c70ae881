// The presenter's commitments of a round, as pure functions over the machine's context.
import type { ProtocolContext } from "./types.ts";

/** The presenter commits to something; the room has given it its id. */
export function addCommitment(
  context: ProtocolContext,
  e: { from: string; commitmentId: string; text: string },
): Partial<ProtocolContext> {
  return {
    commitments: [
      ...context.commitments,
      {
        id: e.commitmentId,
        ownerId: e.from,
        ownerName: context.members[e.from]?.name ?? "",
        text: e.text,
        status: "open" as const,
        note: "",
        review: false,
        round: context.round,
      },
    ],
  };
}

/** The presenter takes back a commitment made in this round. */
export function removeCommitment(
  context: ProtocolContext,
  commitmentId: string,
): Partial<ProtocolContext> {
  return { commitments: context.commitments.filter((c) => c.id !== commitmentId) };
}
