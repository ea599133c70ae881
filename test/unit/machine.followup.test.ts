// Follow-up, "how'd it go?": earlier commitments whose owners are present are reviewed; the
// phase is skipped when there is nothing to review (BRIEF.md protocol step 3).
import { describe, expect, it } from "vitest";
import {
  stopAfterEach,
  FAY,
  MO,
  NOOR,
  PRIYA,
  STRANGER,
  UMA,
  earlierOf,
  meetingIn,
  seated,
} from "./machine.fixture.ts";

const track = stopAfterEach();

/** A meeting whose earlier open commitments belong to `owners`, walked to check-in. */
function checkInWith(...owners: string[]) {
  return track(meetingIn("checkIn", { input: { earlier: owners.map(earlierOf) } }));
}

describe("follow-up", () => {
  it("is skipped when no earlier commitment is open", () => {
    const m = checkInWith();
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
    expect(m.context.commitments).toEqual([]);
  });

  it("is skipped when the owners of the open commitments are not here", () => {
    const m = checkInWith(STRANGER);
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
  });

  it("is skipped when the only owner here has not agreed to confidentiality", () => {
    const m = checkInWith(UMA);
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
  });

  it("is skipped when the only owner's connection dropped", () => {
    const m = checkInWith(MO);
    m.send(MO, "member.drop");
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
  });

  it("reviews the commitments of the owners who are here, and counts the others", () => {
    const m = checkInWith(MO, NOOR, STRANGER, UMA);
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("followUp");
    expect(m.context.commitments.map((c) => c.id)).toEqual([earlierOf(MO).id, earlierOf(NOOR).id]);
    expect(m.context.commitments.every((c) => c.review && c.status === "open")).toBe(true);
    expect(m.context.absentCommitments).toBe(2);
  });

  it("lets only a commitment's owner report on it", () => {
    const m = checkInWith(MO, NOOR);
    m.send(FAY, "phase.next");
    const mine = { commitmentId: earlierOf(MO).id, status: "partly" as const };
    expect(m.why(NOOR, "followup.report", mine)).toBe("Only its owner reports on a commitment.");
    expect(m.why(FAY, "followup.report", mine)).toBe("Only its owner reports on a commitment.");
    expect(m.why(MO, "followup.report", { ...mine, commitmentId: "nope" })).toBe(
      "That commitment is not under review.",
    );

    m.send(MO, "followup.report", { ...mine, note: "Called two of three" });
    expect(m.context.commitments.find((c) => c.id === mine.commitmentId)).toMatchObject({
      status: "partly",
      note: "Called two of three",
    });
    expect(m.context.earlier.find((c) => c.id === mine.commitmentId)).toMatchObject({
      status: "partly",
      note: "Called two of three",
    });
  });

  it("lets the owner change their answer while follow-up lasts", () => {
    const m = checkInWith(MO);
    m.send(FAY, "phase.next");
    const commitmentId = earlierOf(MO).id;
    m.send(MO, "followup.report", { commitmentId, status: "not_done" });
    m.send(MO, "followup.report", { commitmentId, status: "done" });
    expect(m.context.commitments[0]).toMatchObject({ status: "done", note: "" });
  });

  it("takes the reviewed commitments off the list when it ends, keeping the answers for storage", () => {
    const m = checkInWith(MO, STRANGER);
    m.send(FAY, "phase.next");
    m.send(MO, "followup.report", { commitmentId: earlierOf(MO).id, status: "done" });
    m.send(FAY, "phase.next");
    expect(m.phase).toBe("choosing");
    expect(m.context.commitments).toEqual([]);
    expect(m.context.absentCommitments).toBe(0);
    expect(m.context.earlier.find((c) => c.ownerId === MO)?.status).toBe("done");
  });

  it("does not take reports once it is over", () => {
    const m = checkInWith(MO);
    m.send(FAY, "phase.next").send(FAY, "phase.next");
    expect(m.why(MO, "followup.report", { commitmentId: earlierOf(MO).id, status: "done" })).toBe(
      "That commitment is not under review.",
    );
  });

  it("reviews the commitments of owners who agreed before check-in ended", () => {
    const m = track(seated({ input: { earlier: [earlierOf(UMA), earlierOf(PRIYA)] } }));
    m.send(FAY, "meeting.start");
    m.send(UMA, "confidentiality.agree");
    m.send(FAY, "phase.next");
    expect(m.context.commitments.map((c) => c.ownerId).sort()).toEqual([PRIYA, UMA]);
    expect(m.context.absentCommitments).toBe(0);
  });
});
