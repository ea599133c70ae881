// Stand-ins for the modules of the Colyseus SDK a Roundtable page never uses. The production build
// resolves these SDK modules here instead (client/build/trim.ts), which keeps about 6.7 KB gzip
// out of a member's page. Each one is unused by construction, and fails loudly if that ever
// changes:
// - inputs (`room.input()`, `@colyseus/schema/input`): only rooms that declare inputs send the
//   INPUT handshake sections; the roundtable room declares none, and the app never calls input();
// - the WebTransport (h3) transport: the app connects with the SDK's default, a WebSocket;
// - `client.auth` (Colyseus accounts): members are identified by their member key (join options);
// - the XMLHttpRequest fallback of the SDK's HTTP: only used where `fetch` does not exist;
// - the `ws` package: only used where there is no global WebSocket (Node), never in a browser.
// test/unit/client-trim.test.ts checks these stand-ins still cover what they replace.

function leftOut(what: string): Error {
  return new Error(
    `Roundtable's browser build leaves out ${what} of the Colyseus SDK (client/build/trim.ts).`,
  );
}

/** Replaces `@colyseus/sdk/build/input/RoomInput.mjs`. */
export class RoomInput {
  constructor() {
    throw leftOut("inputs (room.input and input handshakes)");
  }
}

/** Replaces `@colyseus/sdk/build/transport/H3Transport.mjs`. */
export class H3TransportTransport {
  constructor() {
    throw leftOut("the WebTransport (h3) transport");
  }
}

/** Replaces `@colyseus/sdk/build/Auth.mjs`: the SDK makes one per client, never used here. */
export class Auth {
  constructor(_http?: unknown) {
    return new Proxy(this, {
      get() {
        throw leftOut("client.auth");
      },
    });
  }
}

/** Replaces `@colyseus/sdk/build/fetchXHR.mjs`. */
export function xhrFetch(): never {
  throw leftOut("the XMLHttpRequest fallback for fetch");
}

/** Replaces the `ws` package, which the SDK falls back to when there is no global WebSocket. */
export default function NodeWebSocket(): never {
  throw leftOut("the Node WebSocket (ws)");
}
