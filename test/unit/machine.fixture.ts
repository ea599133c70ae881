// A meeting to drive in the protocol machine's unit tests: named people, event times that only
// move when a test waits, and scenes that walk a meeting to any phase of the protocol.
import { afterEach } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { explainRefusal } from "../../shared/explain.ts";
import {
  protocolMachine,
  type ProtocolInput,
  type ProtocolSnapshot,
} from "../../shared/machine.ts";
import { phaseOf } from "../../shared/sync.ts";
import type {
  EarlierCommitment,
  Phase,
  ProtocolContext,
  ProtocolEmitted,
  ProtocolEvent,
  ProtocolEventType,
} from "../../shared/types.ts";

/** The facilitator: joins with the table's key. */
export const FAY = "fay";
/** The member who presents in the first round. */
export const PRIYA = "priya";
/** A member. */
export const MO = "mo";
/** Another member, the one others name in their events (give the floor to, hand off to …). */
export const NOOR = "noor";
/** Joined the table but has not agreed to confidentiality. */
export const UMA = "uma";
/** Never joined this meeting. */
export const STRANGER = "stranger";

/** The people who agree to confidentiality in a seated meeting. */
export const AGREED = [FAY, PRIYA, MO, NOOR] as const;

/** Epoch milliseconds of the first event of every meeting. */
export const T0 = Date.UTC(2025, 5, 3, 18, 0, 0);

export type EventOf<T extends ProtocolEventType> = Extract<ProtocolEvent, { type: T }>;
export type PayloadOf<T extends ProtocolEventType> = Omit<EventOf<T>, "type" | "from" | "at">;
/** The payload argument: optional when the event needs nothing beyond its envelope. */
export type PayloadArgs<T extends ProtocolEventType> =
  {} extends PayloadOf<T> ? [payload?: PayloadOf<T>] : [payload: PayloadOf<T>];

export interface MeetingOptions {
  input?: Partial<ProtocolInput>;
}

/**
 * One meeting's actor on a simulated clock. Events carry `at` = the meeting's `now`, which moves
 * only through `wait`, together with the clock that runs the timeboxes.
 */
export class Meeting {
  readonly clock = new SimulatedClock();
  readonly actor;
  readonly emitted: ProtocolEmitted[] = [];
  /** Epoch milliseconds stamped on the next event. */
  now = T0;

  constructor(options: MeetingOptions = {}) {
    this.actor = createActor(protocolMachine, {
      input: { tableName: "T", ...options.input },
      clock: this.clock,
    });
    this.actor.on("*", (e) => this.emitted.push(e));
    this.actor.start();
  }

  get snapshot(): ProtocolSnapshot {
    return this.actor.getSnapshot();
  }

  get context(): ProtocolContext {
    return this.snapshot.context;
  }

  get phase(): Phase {
    return phaseOf(this.snapshot);
  }

  /** The event `from` would send now. */
  event<T extends ProtocolEventType>(from: string, type: T, ...payload: PayloadArgs<T>) {
    return { type, from, at: this.now, ...payload[0] } as unknown as EventOf<T>;
  }

  can<T extends ProtocolEventType>(from: string, type: T, ...payload: PayloadArgs<T>): boolean {
    return this.snapshot.can(this.event(from, type, ...payload));
  }

  /** Why the machine refuses the event now; undefined when it is allowed. */
  why<T extends ProtocolEventType>(
    from: string,
    type: T,
    ...payload: PayloadArgs<T>
  ): string | undefined {
    return explainRefusal(this.snapshot, this.event(from, type, ...payload));
  }

  /** Sends an event the protocol allows now; a refused one fails the test with its reason. */
  send<T extends ProtocolEventType>(from: string, type: T, ...payload: PayloadArgs<T>): this {
    const event = this.event(from, type, ...payload);
    const why = explainRefusal(this.snapshot, event);
    if (why !== undefined) {
      throw new Error(`${from} cannot ${type} in ${this.phase}: ${why}`);
    }
    this.actor.send(event);
    return this;
  }

  /** Sends an event whether or not it is allowed; says whether it was. */
  attempt<T extends ProtocolEventType>(from: string, type: T, ...payload: PayloadArgs<T>): boolean {
    return this.deliver(this.event(from, type, ...payload));
  }

  /** Sends a ready-made event whether or not it is allowed; says whether it was. */
  deliver(event: ProtocolEvent): boolean {
    const allowed = this.snapshot.can(event);
    // An ended meeting's actor has stopped: there is nothing left to send to.
    if (this.snapshot.status === "active") this.actor.send(event);
    return allowed;
  }

  /** Lets time pass: event times and the timebox clock move together. */
  wait(ms: number): this {
    this.now += ms;
    this.clock.increment(ms);
    return this;
  }

  /** The id of `askerId`'s latest question, or undefined. */
  questionOf(askerId: string): string | undefined {
    return this.context.questions.findLast((q) => q.askerId === askerId)?.id;
  }

  stop(): void {
    this.actor.stop();
  }
}

/**
 * Registers an afterEach that stops every meeting handed to the returned `track` during a test,
 * so no timebox timer outlives it. `track` hands the meeting back.
 */
export function stopAfterEach(): (m: Meeting) => Meeting {
  const meetings: Meeting[] = [];
  afterEach(() => {
    for (const m of meetings.splice(0)) m.stop();
  });
  return (m) => (meetings.push(m), m);
}

/** An earlier meeting's open commitment of `ownerId`, with id `earlier-<ownerId>`. */
export function earlierOf(ownerId: string): EarlierCommitment {
  return {
    id: `earlier-${ownerId}`,
    ownerId,
    ownerName: ownerId,
    text: `${ownerId} will call three customers`,
    status: "open",
    note: "",
  };
}

/**
 * The lobby: Fay joined with the table's key; Priya, Mo and Noor joined and agreed; Uma joined
 * and has not agreed yet.
 */
export function seated(options: MeetingOptions = {}): Meeting {
  const m = new Meeting(options);
  m.send(FAY, "member.join", { name: "Fay", keyValid: true });
  for (const [id, name] of [
    [PRIYA, "Priya"],
    [MO, "Mo"],
    [NOOR, "Noor"],
    [UMA, "Uma"],
  ] as const) {
    m.send(id, "member.join", { name, keyValid: false });
  }
  for (const id of AGREED) m.send(id, "confidentiality.agree");
  return m;
}

/**
 * Walks a meeting on from where it is to `phase`. The walk takes the protocol's road: check-in,
 * follow-up when something is under review, then one round presented by Priya before closing.
 */
export function walkTo(m: Meeting, phase: Phase): Meeting {
  for (let steps = 0; m.phase !== phase; steps++) {
    if (steps > 12) throw new Error(`Cannot walk to ${phase}: stuck in ${m.phase}.`);
    switch (m.phase) {
      case "lobby":
        m.send(FAY, "meeting.start");
        break;
      case "choosing":
        if ((phase === "closing" || phase === "ended") && m.context.round > 0) {
          m.send(FAY, "phase.next");
        } else {
          m.send(FAY, "presenter.choose", { memberId: PRIYA });
        }
        break;
      case "ended":
        throw new Error(`Cannot walk to ${phase}: the meeting has ended.`);
      default:
        m.send(FAY, "phase.next");
    }
    if (phase === "followUp" && m.phase === "choosing") {
      throw new Error("Cannot walk to followUp: nothing is under review.");
    }
  }
  return m;
}

/**
 * A seated meeting walked to `phase`. Only a forum table has the updates go-around: a meeting
 * walked there is at one unless the options name the format.
 */
export function meetingIn(phase: Phase, options: MeetingOptions = {}): Meeting {
  const forum = phase === "updates" && options.input?.format === undefined;
  const m = seated(forum ? { ...options, input: { ...options.input, format: "forum" } } : options);
  return phase === "lobby" ? m : walkTo(m, phase);
}

/** Every state node id of the protocol machine, the root included. */
export function allStateNodeIds(): string[] {
  const ids: string[] = [];
  const visit = (node: { id: string; states: Record<string, unknown> }) => {
    ids.push(node.id);
    for (const child of Object.values(node.states)) visit(child as typeof node);
  };
  visit(protocolMachine.root);
  return ids.sort();
}
