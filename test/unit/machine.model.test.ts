// Model-based paths (xstate/graph): from a seated meeting of three, the shortest path to every
// reachable configuration reaches every state node of the machine, and each path replays on a
// real meeting step by step.
import { describe, expect, it } from "vitest";
import { createActor, createMachine, SimulatedClock } from "xstate";
import { createTestModel, getShortestPaths } from "xstate/graph";
import { protocolMachine, type ProtocolSnapshot } from "../../shared/machine.ts";
import type { ProtocolEvent } from "../../shared/types.ts";
import { FAY, MO, Meeting, PRIYA, T0, allStateNodeIds, earlierOf } from "./machine.fixture.ts";

// A forum table: its flow holds every phase of a roundtable's, and the updates go-around too.
const input = { tableName: "T", earlier: [earlierOf(MO)], format: "forum" as const };

/** Fay (facilitator), Priya and Mo join and agree; Mo has a commitment to follow up. */
const setup: ProtocolEvent[] = [
  { type: "member.join", from: FAY, at: T0, name: "Fay", keyValid: true },
  { type: "member.join", from: PRIYA, at: T0, name: "Priya", keyValid: false },
  { type: "member.join", from: MO, at: T0, name: "Mo", keyValid: false },
  ...[FAY, PRIYA, MO].map((from) => ({ type: "confidentiality.agree" as const, from, at: T0 })),
];

/** A real meeting, seated. */
function seatedThree(): Meeting {
  const m = new Meeting({ input });
  for (const event of setup) m.actor.send(event);
  return m;
}

/** The seated snapshot of `machine`, to start a traversal from. */
function seatedSnapshot(
  machine: typeof protocolMachine,
  format: "forum" | "roundtable" = "forum",
): ProtocolSnapshot {
  const actor = createActor(machine, {
    input: { ...input, format },
    clock: new SimulatedClock(),
  }).start();
  for (const event of setup) actor.send(event);
  const snapshot = actor.getSnapshot();
  actor.stop();
  return snapshot;
}

/**
 * The machine without its timeboxes, as the model for `createTestModel` (which takes no `after`).
 * Timeboxes only record overtime and move no state node (machine.timeboxes.test.ts), so the model
 * has the same state nodes and transitions otherwise.
 */
function withoutTimeboxes(node: Record<string, unknown>): Record<string, unknown> {
  const { after: _after, states, ...rest } = node;
  if (states === undefined) return rest;
  return {
    ...rest,
    states: Object.fromEntries(
      Object.entries(states as Record<string, Record<string, unknown>>).map(([key, child]) => [
        key,
        withoutTimeboxes(child),
      ]),
    ),
  };
}
const model = createMachine(
  withoutTimeboxes(protocolMachine.config as Record<string, unknown>) as never,
  protocolMachine.implementations as never,
) as unknown as typeof protocolMachine;

/** The sample events: one or two concrete ones per kind of step through the meeting. */
const at = T0;
const events: ProtocolEvent[] = [
  { type: "meeting.start", from: FAY, at },
  { type: "phase.next", from: FAY, at },
  { type: "turn.done", from: FAY, at },
  { type: "presenter.choose", from: FAY, at, memberId: PRIYA },
  { type: "hand.raise", from: MO, at },
  { type: "floor.give", from: FAY, at },
  { type: "floor.give", from: FAY, at, memberId: MO },
  { type: "floor.yield", from: FAY, at },
  { type: "pulse.open", from: FAY, at },
  { type: "pulse.answer", from: FAY, at, score: 2 },
  { type: "pulse.answer", from: PRIYA, at, score: 4 },
  { type: "pulse.answer", from: MO, at, score: 5 },
  { type: "pulse.close", from: FAY, at },
  { type: "meeting.end", from: FAY, at },
];

/**
 * A configuration, plus what decides where the pulse can go next (how many answered, and who:
 * the same member cannot answer twice). Everything else in the context is left out, so the
 * graph stays small.
 */
function serializeState(snapshot: ProtocolSnapshot): string {
  const { pulse } = snapshot.context;
  return JSON.stringify([snapshot.value, pulse.answeredBy]);
}

const options = {
  input,
  events,
  // Only the sample events: no bare `{ type }` stand-ins for the others, and no timebox events.
  filterEvents: (_snapshot: ProtocolSnapshot, event: ProtocolEvent) => "from" in event,
  serializeState,
};

describe("model-based paths through the protocol machine", () => {
  it("reach every state node of the machine", () => {
    const paths = getShortestPaths(protocolMachine, {
      ...options,
      fromState: seatedSnapshot(protocolMachine),
    });
    const reached = new Set<string>();
    for (const path of paths) {
      for (const step of path.steps) for (const node of step.state._nodes) reached.add(node.id);
    }
    expect([...reached].sort()).toEqual(allStateNodeIds());
  });

  it("never lead a roundtable table to the updates", () => {
    const paths = getShortestPaths(protocolMachine, {
      ...options,
      fromState: seatedSnapshot(protocolMachine, "roundtable"),
    });
    const reached = new Set<string>();
    for (const path of paths) {
      for (const step of path.steps) for (const node of step.state._nodes) reached.add(node.id);
    }
    expect(reached).toContain("roundtable.meeting.phase.followUp");
    expect(reached).toContain("roundtable.meeting.phase.closing");
    expect(reached).not.toContain("roundtable.meeting.phase.updates");
  });

  const testModel = createTestModel(model, { ...options, fromState: seatedSnapshot(model) });
  const paths = testModel.getShortestPaths();

  it("model the machine's state nodes, timeboxes aside", () => {
    const ids = (node: { id: string; states: Record<string, unknown> }): string[] => [
      node.id,
      ...Object.values(node.states).flatMap((child) => ids(child as typeof node)),
    ];
    expect(ids(model.root).sort()).toEqual(allStateNodeIds());
  });

  it("lead to every phase, with the pulse in each of its states", () => {
    const seen = new Set(
      paths.flatMap((p) => p.steps.map((step) => JSON.stringify(step.state.value))),
    );
    expect(seen).toContain(JSON.stringify("ended"));
    const phases = [
      "lobby",
      "checkIn",
      "updates",
      "followUp",
      "choosing",
      "presenting",
      { questions: "open" },
      { questions: "floor" },
      { experiences: "open" },
      { experiences: "floor" },
      "commitment",
      "closing",
    ];
    for (const pulse of ["idle", "open", "revealed", "withheld"]) {
      for (const phase of phases) {
        if (phase === "lobby" && pulse !== "idle") continue; // no pulse before the meeting starts
        expect(seen).toContain(JSON.stringify({ meeting: { phase, pulse } }));
      }
    }
  });

  it("replay on a real meeting, which agrees with the model at every step", async () => {
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      const m = seatedThree();
      const send = ({ event }: { event: ProtocolEvent }) => {
        expect(m.snapshot.can(event), `${event.type} by ${event.from}`).toBe(true);
        m.actor.send(event);
      };
      await path.test({
        events: Object.fromEntries(events.map((e) => [e.type, send])),
        states: {
          "*": (state) => {
            // The graph keeps one snapshot per serialized state: compare what it serializes.
            expect(serializeState(m.snapshot)).toBe(serializeState(state));
          },
        },
      });
      m.stop();
    }
  });
});
