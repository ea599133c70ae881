// Node 20 has no global WebSocket; @colyseus/core reads WebSocket.OPEN on the reconnection path.
// Node 22+ has its own, and `??=` leaves it alone there: the server and the SDK then run on
// Node's WebSocket, so tests never assume the `ws` package's API on a socket the SDK opened.
import { WebSocket } from "ws";
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
