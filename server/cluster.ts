// One process or several. Unset `REDIS_URL`, Colyseus runs on its embedded single-process presence
// and driver. Set, every process shares Colyseus' own Redis presence (pub/sub, IPC between
// processes) and Redis driver (the room listings matchmaking searches), so a member joining
// through any process finds the table's room wherever it runs.
//
// One table, one live room. Colyseus' matchmaking serialises concurrent `joinOrCreate` calls for
// the same filter (`tableId`) with a counter in presence, but a waiter only waits
// `COLYSEUS_MAX_CONCURRENT_CREATE_ROOM_WAIT_TIME` (0.5 s, plus 0.2 s per waiter up to three) for
// the first creator; when creating the room takes longer (storage under load), every waiter then
// creates a room of its own. The guarantee here uses Colyseus' own hooks instead of a timing:
//   - `onCreate` may replace `this.roomId`: the room asks the table's claim which roomId the
//     table's live room has, and takes that id; only the first creator's candidate id is claimed;
//   - the driver's `insert()` records a listing only if its roomId is not taken (atomic), and
//     matchmaking, when it is taken, discards the duplicate and seats the member in the room that
//     holds the id. Two creations for one table therefore settle on one room, on any process.
// A claim holds while its room is listed and unlocked (an ended meeting locks its room, so the
// next join starts a fresh meeting), or for a few seconds while its creation is on its way to
// being listed; once its room was listed and is gone, the next creation claims a fresh id.
//
// Redis restarted without its data: each process, once reconnected, lists its live rooms again
// (Colyseus' `restoreMissingRoomCaches`) and claims their tables back; for a few seconds no new
// room is claimed, so a live room that is not listed again yet does not get a twin.
import { matchMaker, type IRoomCache, type MatchMakerDriver, type Presence } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";
import type { RoundtableRoom } from "./room.ts";

/** Which roomId the live room of each table has; concurrent creations agree through it. */
export interface TableRoomClaims {
  /**
   * The roomId of the table's live room: the one already claimed while it holds, otherwise
   * `candidate`, which is claimed now.
   */
  claim(tableId: string, candidate: string): Promise<string>;
}

/** What `createServer` takes from the environment to run as one process or as several. */
export interface ClusterOptions {
  presence?: Presence;
  driver?: MatchMakerDriver;
  tableRooms?: TableRoomClaims;
}

/** Milliseconds a fresh claim holds before its room is listed (a listing takes one round trip). */
const PENDING_MS = 5_000;
/** Abandoned claims (a table that is never met again) leave Redis after a day. */
const CLAIM_TTL_MS = 24 * 60 * 60_000;
/** The hash where `@colyseus/redis-driver` keeps room listings (its `ROOMCACHES_KEY`). */
const ROOM_LISTINGS_KEY = "roomcaches";
/** Set while Redis holds the listings of every live room: its value is when it was last empty. */
const LISTINGS_MARKER_KEY = "roundtable:listings-since";
/**
 * Milliseconds after Redis lost its data during which no new room is claimed: every process
 * reconnects (ioredis retries at least every 2 s) and lists its rooms again in that time.
 */
const RELISTING_GRACE_MS = 3_000;
const claimKey = (tableId: string) => `roundtable:table-room:${tableId}`;

/**
 * The presence, driver and table claims for this process: Redis-backed when `REDIS_URL` is set,
 * Colyseus' embedded defaults (and an in-memory claim) when not.
 */
export function clusterFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterOptions {
  const url = env.REDIS_URL?.trim();
  if (!url) return { tableRooms: localTableRooms() };
  const redis = new Redis(url, { connectionName: "roundtable-matchmaking" });
  watchConnection(redis);
  return {
    presence: new RedisPresence(url),
    driver: new TableRoomsRedisDriver(redis),
    tableRooms: new RedisTableRoomClaims(redis),
  };
}

/**
 * The room class that settles on one live room per table: after the room's own `onCreate`
 * (which refuses an unknown table), it takes the roomId the table's claim names.
 */
export function oneRoomPerTable(
  Base: typeof RoundtableRoom,
  tableRooms: TableRoomClaims,
): typeof RoundtableRoom {
  return class OneRoomPerTable extends Base {
    override async onCreate(options: { tableId?: unknown }): Promise<void> {
      await super.onCreate(options);
      const tableId = String(options.tableId);
      this.roomId = await tableRooms.claim(tableId, this.roomId);
    }
  };
}

/**
 * Claims for one process, in memory: a claim holds while the room it names runs here unlocked.
 * In one event loop a room is registered in the microtasks right after its `onCreate` returns,
 * before any other creation can ask, so no claim is ever pending here.
 */
export function localTableRooms(): TableRoomClaims {
  const claims = new Map<string, string>();
  return {
    async claim(tableId, candidate) {
      const current = claims.get(tableId);
      const room = current === undefined ? undefined : matchMaker.getLocalRoomById(current);
      if (current !== undefined && room && !room.locked) return current;
      claims.set(tableId, candidate);
      return candidate;
    },
  };
}

// KEYS: the table's claim, the room listings, the listings marker.
// ARGV: candidate, pending ms, claim ttl ms, grace ms.
// A claim is { roomId, claimedAt }; claimedAt is 0 once the room is listed (see INSERT_SCRIPT).
// It holds while its listing is there and unlocked, or, not listed yet, while it is fresh; a
// claim whose room was listed and is gone is over (a roomId is never used twice).
// Returns "" (ask again shortly) while Redis has just lost its data: the processes are still
// listing their live rooms again, and a room not listed yet must not get a twin.
const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local claim = redis.call('HMGET', KEYS[1], 'roomId', 'claimedAt')
local roomId, claimedAt = claim[1], tonumber(claim[2])
if roomId then
  local listing = redis.call('HGET', KEYS[2], roomId)
  if listing then
    local ok, room = pcall(cjson.decode, listing)
    if ok and room.locked ~= true then
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return roomId
    end
  elseif claimedAt and claimedAt > 0 and now - claimedAt < tonumber(ARGV[2]) then
    return roomId
  end
end
local since = redis.call('GET', KEYS[3])
if not since then
  redis.call('SET', KEYS[3], now)
  since = now
end
if now - tonumber(since) < tonumber(ARGV[4]) then return '' end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'roomId', ARGV[1], 'claimedAt', now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return ARGV[1]
`;

// KEYS: the listings marker; ARGV: "fresh" when this process starts, "reconnected" after an outage.
// A marker that is missing after an outage means Redis lost its data: the grace starts now.
const MARK_SCRIPT = `
if ARGV[1] == 'fresh' then
  redis.call('SET', KEYS[1], 0, 'NX')
else
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), 'NX')
end
return 1
`;

// KEYS: the room listings, the table's claim (or none); ARGV: roomId, listing JSON.
// Records a listing unless its roomId is taken; a listed room's claim is no longer pending.
const INSERT_SCRIPT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
if KEYS[2] and redis.call('HGET', KEYS[2], 'roomId') == ARGV[1] then
  redis.call('HSET', KEYS[2], 'claimedAt', 0)
end
return 1
`;

// After Redis lost its data: a room listed again claims its table back, unless another did.
const RECLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'roomId', ARGV[1], 'claimedAt', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`;

/** Claims shared by every process, in the Redis that holds the room listings. */
class RedisTableRoomClaims implements TableRoomClaims {
  constructor(private readonly redis: Redis) {}

  async claim(tableId: string, candidate: string): Promise<string> {
    const deadline = Date.now() + RELISTING_GRACE_MS + 5_000;
    for (;;) {
      const roomId = String(
        await this.redis.eval(
          CLAIM_SCRIPT,
          3,
          claimKey(tableId),
          ROOM_LISTINGS_KEY,
          LISTINGS_MARKER_KEY,
          candidate,
          PENDING_MS,
          CLAIM_TTL_MS,
          RELISTING_GRACE_MS,
        ),
      );
      if (roomId !== "") return roomId;
      if (Date.now() > deadline) throw new Error("Redis is relisting rooms; try again");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * `@colyseus/redis-driver` with the atomic `insert()` Colyseus' driver contract describes
 * ("record a room, unless its roomId is already recorded"), which it does not implement in 0.18:
 * without it matchmaking falls back to `persist()`, where the second write silently wins.
 */
class TableRoomsRedisDriver extends RedisDriver {
  constructor(private readonly redis: Redis) {
    super(redis);
  }

  async insert(room: IRoomCache): Promise<boolean> {
    if (!room.roomId) return false;
    const tableId = tableIdOf(room);
    const keys = tableId ? [ROOM_LISTINGS_KEY, claimKey(tableId)] : [ROOM_LISTINGS_KEY];
    const inserted = await this.redis.eval(
      INSERT_SCRIPT,
      keys.length,
      ...keys,
      room.roomId,
      JSON.stringify(room),
    );
    return inserted === 1;
  }

  /** `create` is only asked when a listing is restored after Redis lost it: claim the table back. */
  override async persist(room: IRoomCache, create = false): Promise<boolean> {
    const persisted = await super.persist(room, create);
    const tableId = tableIdOf(room);
    if (persisted && create && !room.locked && tableId) {
      await this.redis.eval(RECLAIM_SCRIPT, 1, claimKey(tableId), room.roomId, CLAIM_TTL_MS);
    }
    return persisted;
  }
}

function tableIdOf(room: IRoomCache): string | undefined {
  const tableId = (room.metadata as { tableId?: unknown } | undefined)?.tableId;
  return typeof tableId === "string" ? tableId : undefined;
}

/**
 * When Redis comes back after losing its data (a restart without persistence), this process
 * lists its live rooms again and re-registers its load, so matchmaking finds them; the presence
 * resubscribes its channels by itself. No restart of the process is needed.
 */
function watchConnection(redis: Redis): void {
  let down = false;
  let connected = false;
  redis.on("error", (error: Error) => {
    // One line per outage, not one per reconnection attempt.
    if (!down) console.warn(`roundtable: Redis error: ${error.message}`);
  });
  redis.on("close", () => {
    if (down || !connected) return;
    down = true;
    console.warn("roundtable: Redis connection lost; reconnecting");
  });
  redis.on("ready", () => {
    const mark = (state: "fresh" | "reconnected") =>
      redis.eval(MARK_SCRIPT, 1, LISTINGS_MARKER_KEY, state);
    if (!connected) {
      connected = true;
      void mark("fresh").catch(() => {});
      return;
    }
    if (!down) return;
    down = false;
    console.warn("roundtable: Redis connection is back; listing this process's rooms again");
    void mark("reconnected")
      .catch(() => {})
      .then(restoreListings);
  });
}

async function restoreListings(): Promise<void> {
  try {
    await matchMaker.stats.persist();
    await matchMaker.restoreMissingRoomCaches();
  } catch (error) {
    console.error(
      "roundtable: could not list the rooms again:",
      error instanceof Error ? error.message : error,
    );
  }
}
