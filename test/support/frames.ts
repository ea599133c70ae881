// What a client received on the wire: every frame each `ws` socket of this process gets, kept by
// socket. The SDK in the tests connects through `ws` (test/setup/websocket.ts), so a person's
// frames are those of their room's socket.
import { WebSocket } from "ws";
import type { Person } from "./server.ts";

const framesBySocket = new Map<WebSocket, Buffer[]>();
const emit = WebSocket.prototype.emit;

/** Starts keeping frames; the returned function stops and forgets them. */
export function recordFrames(): () => void {
  WebSocket.prototype.emit = function (
    this: WebSocket,
    event: string | symbol,
    ...args: unknown[]
  ) {
    if (event === "message") {
      const [data] = args as [Buffer | ArrayBuffer | Buffer[]];
      const frame = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      const list = framesBySocket.get(this) ?? [];
      list.push(frame);
      framesBySocket.set(this, list);
    }
    return emit.call(this, event, ...args);
  } as typeof emit;
  return () => {
    WebSocket.prototype.emit = emit;
    framesBySocket.clear();
  };
}

/** Every frame the person's connection received so far. */
export function framesOf(p: Person): Buffer[] {
  const ws = (p.room.connection.transport as unknown as { ws: WebSocket }).ws;
  return framesBySocket.get(ws) ?? [];
}
