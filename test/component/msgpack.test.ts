import { Packr as RealPackr, unpack as realUnpack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { Packr, RESERVE_START_SPACE, unpack } from "../../client/lib/msgpack.ts";

// The browser build swaps msgpackr for client/lib/msgpack.ts (vite.config.ts): both must agree on
// everything Roundtable sends and receives. This project does not alias, so "msgpackr" is the real one.
const samples: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  4_294_967_295,
  2 ** 40,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32_768,
  -40_000,
  -(2 ** 31),
  -(2 ** 40),
  1.5,
  -0.25,
  Date.now(),
  "",
  "Chloé ✋ shares",
  "x".repeat(31),
  "x".repeat(32),
  "y".repeat(300),
  "z".repeat(70_000),
  [],
  [1, "two", [3]],
  Array.from({ length: 20 }, (_, i) => i),
  {},
  { memberId: "abc123" },
  { code: "not_allowed", message: "Only the facilitator can do that.", type: "phase.next" },
  { text: "What have you tried so far?", nested: { deep: [true, null, { a: 1 }] } },
  Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
];

describe("the MessagePack codec that stands in for msgpackr", () => {
  it("packs what msgpackr unpacks", () => {
    const ours = new Packr();
    for (const value of samples) expect(realUnpack(ours.pack(value))).toEqual(value);
  });

  it("unpacks what the server's msgpackr packs", () => {
    const server = new RealPackr({ useRecords: false });
    for (const value of samples) expect(unpack(server.pack(value))).toEqual(value);
    expect(unpack(server.pack({ gone: undefined, here: 1 }))).toEqual({ gone: undefined, here: 1 });
  });

  it("leaves room for the protocol header and reads from an offset, as the SDK asks", () => {
    const packed = new Packr().pack({ score: 4 }, RESERVE_START_SPACE | 3);
    expect([...packed.subarray(0, 3)]).toEqual([0, 0, 0]);
    packed.set([13, 1, 2], 0);
    expect(unpack(packed, { start: 3 })).toEqual({ score: 4 });
  });

  it("drops undefined fields rather than sending them", () => {
    expect(realUnpack(new Packr().pack({ note: undefined, status: "done" }))).toEqual({
      status: "done",
    });
  });
});
