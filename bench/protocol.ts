/** What bench/run.ts and its load generators (bench/generator.ts) say to each other over IPC. */

/** The server under test: the real Roundtable server, or the raw-ws baseline. */
export type Target = "colyseus" | "baseline";

/** Message sizes seen on the real server, replayed by the baseline: bytes per event type. */
export interface Sizes {
  /** Bytes one member receives on join before its first full state (handshake + state). */
  state: number;
  /** Per event type: bytes the sender sent, and bytes each other member received for it. */
  events: Record<string, { send: number; fanout: number }>;
}

export interface RoomPlan {
  /** Global room number, 0-based: seeds the room's script so both targets play the same. */
  index: number;
  /** Steps of the first round played during the ramp, so rooms are spread over the round. */
  skip: number;
}

export type GeneratorRequest =
  | {
      cmd: "add";
      target: Target;
      url: string;
      /**
       * Several server processes (Colyseus target): the HTTP endpoints joins go through, in turn —
       * room r's table is created through `urls[r % n]`, its member i joins through
       * `urls[(r + i) % n]`, so a room's members arrive through different processes.
       */
      urls?: string[];
      rooms: RoomPlan[];
      members: number;
      joinConcurrency: number;
      sizes?: Sizes;
    }
  | {
      cmd: "resume";
      target: Target;
      thinkMs: number;
      sizes?: Sizes;
      /** Join members one at a time to rooms of their own while the others play. */
      probeJoins?: { url: string; members: number; urls?: string[] };
    }
  | { cmd: "pause"; target: Target }
  | { cmd: "reset" }
  | { cmd: "collect" }
  | { cmd: "close" };

/** Latencies in milliseconds by event type, and error counts by kind. */
export interface Bucket {
  latencies: Record<string, number[]>;
  errors: Record<string, number>;
}

export interface Wire {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

export interface Collected {
  /** Events since the last `reset` (those still in flight with their age so far). */
  window: Bucket;
  /** Window events still in flight when collected. */
  inFlight: number;
  /** Events played during the last `add` (agree, start, check-in, the skipped steps). */
  ramp: Bucket;
  /** Join latencies of the last `add`, in milliseconds: matchmake to first full state. */
  joins: number[];
  /** Join latencies of the join prober since the last `reset`. */
  windowJoins: number[];
  wire: Wire;
  /** Event-loop delay of this generator since the last `reset`, in milliseconds. */
  loopDelay: { p99: number; max: number };
  /** Sizes seen on the real server so far (sums and counts, for the orchestrator to merge). */
  sizes: {
    state: { sum: number; n: number };
    events: Record<string, { send: number; fanout: number; n: number }>;
  };
  clients: number;
  /**
   * Where this generator's Colyseus rooms live, by the port of the process their WebSockets are
   * connected to (all rooms so far), and how many members joined through the process holding
   * their room (`direct`) or through another one that routed them there (`routed`).
   */
  hosts: { rooms: Record<string, number>; members: Record<string, number> };
  routing: { direct: number; routed: number };
}

export type GeneratorReply =
  | { id: number; ok: true; data?: Collected }
  | {
      id: number;
      ok: false;
      error: string;
    };
