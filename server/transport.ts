// The WebSocket transport, with a gate on what reaches Colyseus. A malformed frame never writes
// a stack trace or any of its bytes to the log (PROTOCOL.md, version 2). Colyseus logs them in
// three places, none of which a logger setting can make safe: its message decoder prints the
// decoding error's stack, and msgpackr's "end of buffer not reached" message quotes the decoded
// payload as JSON; @colyseus/schema prints an invalid message type's bytes with console.error;
// and the transport prints the stack of every WebSocket protocol error (a frame over the size
// limit, a bad opcode). So frames are checked here, before Colyseus decodes them.
import type { IncomingMessage } from "node:http";
import { Protocol } from "@colyseus/core";
import { decode, type Iterator } from "@colyseus/schema";
import { WebSocketTransport, type TransportOptions } from "@colyseus/ws-transport";
import { unpack } from "msgpackr";
import type { WebSocket } from "ws";

/** WebSocket close code for a frame whose content is malformed (RFC 6455, 7.4.1). */
export const CLOSE_MALFORMED = 1007;

/**
 * Reads a message type's string as @colyseus/schema does, refusing one it would print: a byte
 * that cannot start a UTF-8 sequence, or a string that runs past the end of the frame.
 */
function wellFormedString(frame: Uint8Array, it: Iterator): boolean {
  const prefix = frame[it.offset++]!;
  let length: number;
  if (prefix < 0xc0) length = prefix & 0x1f;
  else if (prefix === 0xd9) length = decode.uint8(frame, it);
  else if (prefix === 0xda) length = decode.uint16(frame, it);
  else length = decode.uint32(frame, it);
  const end = it.offset + length;
  if (!(end <= frame.length)) return false;
  for (let i = it.offset; i < end; i++) {
    const byte = frame[i]!;
    if ((byte & 0x80) === 0x00) continue;
    else if ((byte & 0xe0) === 0xc0) i += 1;
    else if ((byte & 0xf0) === 0xe0) i += 2;
    else if ((byte & 0xf8) === 0xf0) i += 3;
    else return false;
  }
  it.offset = end;
  return true;
}

/**
 * Whether Colyseus can decode a client's frame without logging: for the frames that carry a
 * message (data, request, bytes), the request id, the message type (a number, or a string
 * within the frame whose bytes @colyseus/schema reads without complaint) and the msgpack
 * payload, which must end where the frame ends.
 * Other frames (join, leave, ping, inputs) carry nothing Colyseus could fail on.
 */
export function wellFormedFrame(frame: Uint8Array): boolean {
  if (frame.length === 0) return true;
  const code = frame[0]! & 0x1f;
  const carriesMessage =
    code === Protocol.ROOM_DATA ||
    code === Protocol.ROOM_REQUEST ||
    code === Protocol.ROOM_DATA_BYTES;
  if (!carriesMessage) return true;
  const it: Iterator = { offset: 1 };
  try {
    // Numbers (the request id, a numeric type) decode to something, if only NaN, silently.
    if (code === Protocol.ROOM_REQUEST) decode.number(frame, it);
    if (it.offset >= frame.length) return false;
    if (decode.stringCheck(frame, it)) {
      if (!wellFormedString(frame, it)) return false;
    } else {
      decode.number(frame, it);
    }
    if (it.offset > frame.length) return false;
    // Bytes messages carry raw bytes; the others one msgpack value (or nothing).
    if (code !== Protocol.ROOM_DATA_BYTES && it.offset < frame.length) {
      unpack(frame.subarray(it.offset));
    }
    return true;
  } catch {
    return false;
  }
}

/** A frame as `ws` hands it over (binary by default; fragmented or ArrayBuffer when configured). */
function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return Buffer.concat(data as Uint8Array[]);
  return undefined;
}

/**
 * Colyseus' WebSocket transport with every client frame checked first: a malformed one closes
 * the connection (1007) and never reaches the room, and a WebSocket protocol error (which `ws`
 * answers by closing the connection itself) is not logged: it is the client's, not the server's.
 */
export class GuardedTransport extends WebSocketTransport {
  constructor(options: TransportOptions) {
    super(options);
  }

  // Registered by the parent's constructor as a plain function (`this` is not the transport).
  protected override async onConnection(
    rawClient: Parameters<WebSocketTransport["onConnection"]>[0],
    req: IncomingMessage,
    upgrade?: Parameters<WebSocketTransport["onConnection"]>[2],
  ): Promise<void> {
    guardFrames(rawClient);
    return super.onConnection(rawClient, req, upgrade);
  }
}

// The room listens with `client.ref.on("message")`; every listener of an event runs, so the
// check sits where the event is emitted, before any of them.
function guardFrames(socket: WebSocket): void {
  const emit = socket.emit.bind(socket);
  let refused = false;
  socket.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === "error") return true;
    if (event === "message") {
      // After one malformed frame nothing more from this connection reaches the room.
      if (refused) return true;
      const frame = bytesOf(args[0]);
      if (frame === undefined || !wellFormedFrame(frame)) {
        refused = true;
        socket.close(CLOSE_MALFORMED);
        return true;
      }
    }
    return emit(event, ...args);
  };
}
