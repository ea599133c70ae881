// How the host opens a meeting from its table (issue 13): the table's flow, its own timeboxes
// over the server's settings, and the presenters planned for it, kept to the roster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import { defaultTimeboxes } from "../../shared/types.ts";
import { hashKey } from "../../server/keys.ts";
import { MeetingHost, meetingConfig } from "../../server/host.ts";
import { openStorage, type Storage } from "../../server/storage/index.ts";

describe("a meeting's settings", () => {
  it("are the server's where the table has none of its own", () => {
    const meeting = { timeboxes: { presentingMs: 5_000 } };
    expect(meetingConfig({}, meeting)).toBe(meeting);
    expect(meetingConfig({ timeboxes: {} }, undefined)).toBeUndefined();
  });

  it("take the table's minutes over the server's milliseconds, each on its own", () => {
    const config = meetingConfig(
      { timeboxes: { presentingMin: 3, updateMin: 2, turnMin: 1 } },
      { pulseThreshold: 4, timeboxes: { presentingMs: 5_000, questionsMs: 7_000 } },
    );
    expect(config).toEqual({
      pulseThreshold: 4,
      timeboxes: {
        presentingMs: 180_000,
        questionsMs: 7_000,
        updateMs: 120_000,
        turnMs: 60_000,
      },
    });
  });
});

describe("opening a meeting of a table", () => {
  let storage: Storage;
  const clock = new SimulatedClock();
  beforeAll(async () => {
    storage = await openStorage(":memory:");
  });
  afterAll(async () => {
    await storage?.close();
  });

  async function open(format: "forum" | "roundtable", extra: object = {}) {
    const tableId = `host-forum-${format}-${Math.random().toString(36).slice(2)}`;
    await storage.createTable({
      tableId,
      name: "Founders",
      facilitatorKeyHash: hashKey("key"),
      createdAt: 0,
      format,
    });
    await storage.admit({ tableId, memberId: "ben", name: "Ben", at: 0 });
    await storage.admit({ tableId, memberId: "cy", name: "Cy", at: 0 });
    await storage.removeFromRoster({ tableId, memberId: "cy", at: 1 });
    const table = { ...(await storage.getTable(tableId))!, ...extra };
    return MeetingHost.open(table, { storage }, clock, () => {});
  }

  it("follows the table's format, timeboxes and planned presenters on its roster", async () => {
    const host = await open("forum", {
      timeboxes: { updateMin: 4, commitmentMin: 9 },
      nextPresenters: ["cy", "nobody", "ben"],
    });
    const { context } = host.snapshot;
    expect(context.format).toBe("forum");
    expect(context.nextPresenters).toEqual(["ben"]);
    expect(context.config.timeboxes).toEqual({
      ...defaultTimeboxes,
      updateMs: 240_000,
      commitmentMs: 540_000,
    });
    await host.close();
  });

  it("keeps a roundtable table's meeting as it was", async () => {
    const host = await open("roundtable");
    const { context } = host.snapshot;
    expect(context.format).toBe("roundtable");
    expect(context.nextPresenters).toEqual([]);
    expect(context.config.timeboxes).toEqual(defaultTimeboxes);
    await host.close();
  });
});
