// Node 20 has no global WebSocket; @colyseus/core reads WebSocket.OPEN on the reconnection path.
import { WebSocket } from "ws";
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
