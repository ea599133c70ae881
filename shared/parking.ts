// The parking lot of the forum format: possible topics any member who agreed puts up, votes for
// and (its author or the facilitator) takes down; the facilitator's choice of presenter may take
// one into a round. Content: shown to members who agreed, never stored. Pure functions over the
// machine's context.
import type { ParkingTopic, ProtocolContext } from "./types.ts";

/** The topic with this id, if it is on the parking lot. */
export function topicOf(c: Pick<ProtocolContext, "parking">, id: string | undefined) {
  return id === undefined ? undefined : c.parking.find((t) => t.id === id);
}

/** A topic goes up, with the next server-made id (`p1`, `p2`, …). */
export function addTopic(
  c: ProtocolContext,
  e: { from: string; text: string },
): Partial<ProtocolContext> {
  const parkingSeq = c.parkingSeq + 1;
  const topic: ParkingTopic = { id: `p${parkingSeq}`, authorId: e.from, text: e.text, voters: [] };
  return { parking: [...c.parking, topic], parkingSeq };
}

/** A topic comes down; a round that took it keeps going without it. */
export function removeTopic(c: ProtocolContext, id: string): Partial<ProtocolContext> {
  return {
    parking: c.parking.filter((t) => t.id !== id),
    topicId: c.topicId === id ? "" : c.topicId,
  };
}

/** The sender's vote for a topic goes on, or comes off again. */
export function voteTopic(
  c: ProtocolContext,
  e: { from: string; id: string },
): Partial<ProtocolContext> {
  return {
    parking: c.parking.map((t) => {
      if (t.id !== e.id) return t;
      const voters = t.voters.includes(e.from)
        ? t.voters.filter((v) => v !== e.from)
        : [...t.voters, e.from].sort();
      return { ...t, voters };
    }),
  };
}
