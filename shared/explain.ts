import { and, getNextTransitions, type AnyStateNode, type AnyTransitionDefinition } from "xstate";
import type { ProtocolSnapshot } from "./machine.ts";
import { firstFailure, type RuleName } from "./rules.ts";
import type { ProtocolEvent, ProtocolEventType } from "./types.ts";

/**
 * Why the machine refuses an event now, in a sentence for the person who sent it; undefined when
 * it is allowed. It asks the machine itself: the transitions the current state has for the event
 * (every active state node, innermost first, as XState selects them) name the rules of their
 * `allowed` guards, and the first check that fails is the sentence. Where no rule fails, or the
 * event has no transition here, the machine says when it can happen (`whenSentence`).
 */
export function explainRefusal(
  snapshot: ProtocolSnapshot,
  event: ProtocolEvent,
): string | undefined {
  if (snapshot.can(event)) return undefined;
  if (snapshot.status === "active") {
    for (const rule of rulesHeldTo(snapshot, event.type)) {
      const failure = firstFailure(rule, snapshot.context, event);
      if (failure) return failure;
    }
  }
  return whenSentence(snapshot, event.type);
}

/**
 * The rules the event is held to now: those of its transitions here. Outside its phases, an event
 * held to one rule throughout the machine is still checked against it, so a person who may not do
 * it at all hears that first; one whose rule differs by phase (who may give the floor) is not.
 */
function rulesHeldTo(snapshot: ProtocolSnapshot, type: ProtocolEventType): RuleName[] {
  const here = getNextTransitions(snapshot).filter((t) => t.eventType === type);
  if (here.length > 0) return here.flatMap((t) => rulesOf(t.guard));
  const everywhere = new Set(
    transitionsFor(snapshot.machine.root, type).flatMap((t) => rulesOf(t.guard)),
  );
  return everywhere.size === 1 ? [...everywhere] : [];
}

/**
 * When the event can happen, in words a refused person reads: what the active states say to it
 * (`meta.refusals`, the ended meeting's lines), else the description its transitions carry.
 */
function whenSentence(snapshot: ProtocolSnapshot, type: ProtocolEventType): string | undefined {
  const said = Object.values(snapshot.getMeta()).find((meta) => meta?.refusals?.[type]);
  return (
    said?.refusals?.[type] ??
    transitionsFor(snapshot.machine.root, type).find((t) => t.description)?.description
  );
}

/** Every transition of the machine for an event type, in document order. */
function transitionsFor(node: AnyStateNode, type: string): AnyTransitionDefinition[] {
  return [
    ...(node.transitions.get(type) ?? []),
    ...Object.values(node.states).flatMap((child) => transitionsFor(child, type)),
  ];
}

// XState's `and([...])` is a function that carries its parts as `guards` and its evaluator as
// `check`, neither in its public types. `not` and `or` carry `guards` too, and a rule under them
// is no requirement, so `and` is told apart by its evaluator.
const andCheck = (and([]) as unknown as { check: unknown }).check;

/** The rules an `allowed` guard names, walking into `and([...])`, in the order they are checked. */
function rulesOf(guard: unknown): RuleName[] {
  if (typeof guard === "function") {
    const combined = guard as { check?: unknown; guards?: unknown[] };
    return combined.check === andCheck ? (combined.guards ?? []).flatMap(rulesOf) : [];
  }
  const named = guard as { type?: string; params?: { rule?: RuleName } } | undefined;
  return named?.type === "allowed" && named.params?.rule ? [named.params.rule] : [];
}

/** Every rule the machine's guards name, walking every transition: the rulebook as it is wired. */
export function rulesInMachine(root: AnyStateNode): Set<RuleName> {
  const found = new Set<RuleName>();
  const visit = (node: AnyStateNode) => {
    for (const transitions of node.transitions.values()) {
      for (const t of transitions) for (const rule of rulesOf(t.guard)) found.add(rule);
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(root);
  return found;
}
