// Advice reaches nobody (issue 12, item 7): a share note the language checker flags as advice
// ("You should just give them the raise") is not sent to anyone — not on the presenter's wire, not
// in anyone's state; the facilitator alone sees the flag. A note that shares an experience is
// shown to everyone who agreed, as before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewShare } from "../../shared/language.ts";
import {
  createTable,
  FrameRecordingClient,
  join,
  startTestServer,
  type Person,
  type TestServer,
} from "../support/server.ts";

let server: TestServer;
let recorder: FrameRecordingClient;

beforeAll(async () => {
  server = await startTestServer();
  recorder = new FrameRecordingClient(server.url);
});
afterAll(async () => {
  await server?.stop();
});

const accepted = async (p: Person, type: string, payload?: unknown) =>
  expect(await p.send(type, payload), `${p.name} ${type}`).toBeUndefined();

const advice = "You should just give them the raise";
const experience = "When we introduced a leveling chart, I found the raises got easier";

describe("experience shares", () => {
  it("never show a note flagged as advice, to the presenter or anyone; the facilitator sees the flag", async () => {
    expect(reviewShare(advice).hint).toBe("advice");
    expect(reviewShare(experience).hint).toBe("open");
    const table = await createTable(server.url);
    const ana = await join(server.url, table.tableId, "Ana", {
      facilitatorKey: table.facilitatorKey,
    });
    const ben = await join(server.url, table.tableId, "Ben", { client: recorder });
    const chloe = await join(server.url, table.tableId, "Chloé");
    const dev = await join(server.url, table.tableId, "Dev");
    const everyone = [ana, ben, chloe, dev];
    for (const p of everyone) await accepted(p, "confidentiality.agree");
    await accepted(ana, "meeting.start");
    await accepted(ana, "phase.next");
    await accepted(ana, "presenter.choose", { memberId: ben.memberId });
    await accepted(ana, "phase.next"); // questions
    await accepted(ana, "phase.next"); // experiences
    await accepted(chloe, "hand.raise", { note: advice });
    await accepted(dev, "hand.raise", { note: experience });

    for (const p of everyone) {
      const members = p.state().members;
      expect(members[chloe.memberId]).toMatchObject({ handUp: true, shareNote: "" });
      expect(members[dev.memberId].shareNote).toBe(experience);
      expect(JSON.stringify(p.state())).not.toContain(advice);
    }
    expect(Buffer.concat(recorder.framesOf(ben.room)).includes(Buffer.from(advice))).toBe(false);
    expect(ana.state().members[chloe.memberId].shareHint).toBe("advice");
    for (const p of [ben, chloe, dev]) {
      expect(p.state().members[chloe.memberId].shareHint ?? "").toBe("");
    }

    // Chloé rewrites it as her own experience: now it shows.
    await accepted(chloe, "hand.lower");
    await accepted(chloe, "hand.raise", { note: experience.replace("leveling chart", "pay band") });
    expect(ben.state().members[chloe.memberId].shareNote).toContain("pay band");
    for (const p of everyone) await p.leave();
  });
});
