import { existsSync } from "node:fs";
import {
  defineRoom,
  defineServer,
  type Presence,
  type MatchMakerDriver,
  type Server,
} from "@colyseus/core";
import { apiRouter, jsonErrors, serveClient } from "./api.ts";
import { localTableRooms, oneRoomPerTable, type TableRoomClaims } from "./cluster.ts";
import { front, frontedServer, leaveCorsToTheFront } from "./front.ts";
import { colyseusLogger } from "./log.ts";
import { roundtableRoom, type RoomServices } from "./room.ts";
import { GuardedTransport } from "./transport.ts";

/** Everything a Roundtable server process is made of. */
export interface AppOptions extends RoomServices {
  /** Where the built client lives; not served when absent. */
  clientDir?: string;
  /**
   * Origins allowed cross-origin: CORS answers on `/api` and `/matchmake`, and the WebSocket's
   * Origin check. When empty, no cross-origin request gets CORS headers, and the WebSocket
   * accepts any Origin (a join still needs a seat from `/matchmake`).
   */
  allowedOrigins?: string[];
  /** `POST /api/tables` requests per client address per minute (default 20). */
  tablesPerMinute?: number;
  /** `/matchmake` requests (one per join) per client address per minute (default 120). */
  joinsPerMinute?: number;
  /** Other `/api` requests per client address per minute (default 120). */
  apiPerMinute?: number;
  /** Largest WebSocket message accepted, in bytes. */
  maxPayloadBytes?: number;
  /** `host:port` other processes use to reach this one (multi-process mode). */
  publicAddress?: string;
  presence?: Presence;
  driver?: MatchMakerDriver;
  /** Where concurrent creations agree on a table's one live room (see `server/cluster.ts`). */
  tableRooms?: TableRoomClaims;
}

/** Builds the Colyseus server with the HTTP API, the client and the `roundtable` room. */
export function createServer(options: AppOptions): Server {
  const origins = new Set(options.allowedOrigins ?? []);
  leaveCorsToTheFront();
  const server = frontedServer(
    front({
      allowedOrigins: [...origins],
      tablesPerMinute: options.tablesPerMinute ?? 20,
      joinsPerMinute: options.joinsPerMinute ?? 120,
      apiPerMinute: options.apiPerMinute ?? 120,
    }),
  );
  const transport = new GuardedTransport({
    server,
    maxPayload: options.maxPayloadBytes ?? 4096,
    beforeUpgrade: (request) => {
      const origin = request.headers.get("origin");
      if (origins.size === 0 || (origin && origins.has(origin))) return undefined;
      return new Response("Origin not allowed", { status: 403 });
    },
  });
  const tableRooms = options.tableRooms ?? localTableRooms();
  const room = defineRoom(oneRoomPerTable(roundtableRoom(options), tableRooms)).filterBy([
    "tableId",
  ]);
  return defineServer({
    transport,
    presence: options.presence,
    driver: options.driver,
    publicAddress: options.publicAddress,
    greet: false,
    logger: colyseusLogger,
    rooms: { roundtable: room },
    express: (app) => {
      app.disable("x-powered-by");
      app.use(apiRouter(options.storage));
      if (options.clientDir && existsSync(options.clientDir)) serveClient(app, options.clientDir);
      app.use(jsonErrors);
    },
  });
}
