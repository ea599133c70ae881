// explainRefusal reads the rules from the machine's own transitions (their `allowed` guards,
// inside `and([...])` too). If XState changed how it keeps combined guards, refusals would fall
// back to "when" sentences without failing elsewhere: this pins the walk to the whole rulebook.
import { describe, expect, it } from "vitest";
import { rulesInMachine } from "../../shared/explain.ts";
import { protocolMachine } from "../../shared/machine.ts";
import { rules } from "../../shared/rules.ts";

describe("the rulebook as the machine wires it", () => {
  it("finds every rule of rules.ts on some transition of the machine", () => {
    expect([...rulesInMachine(protocolMachine.root)].sort()).toEqual(Object.keys(rules).sort());
  });
});
