// Node 20 has no global WebSocket; @colyseus/core reads WebSocket.OPEN on the reconnection path.
import { WebSocket } from "ws";
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

import { fileURLToPath } from "node:url";
import { createServer } from "./app.ts";
import { openStorage } from "./storage/index.ts";

const port = Number(process.env.PORT ?? 2567);
const storage = await openStorage(process.env.DATABASE_URL);
const server = createServer({
  storage,
  clientDir: fileURLToPath(new URL("../dist/client", import.meta.url)),
  allowedOrigins: process.env.ALLOWED_ORIGINS?.split(",")
    .map((o) => o.trim())
    .filter(Boolean),
  publicAddress: process.env.PUBLIC_ADDRESS,
});
server.onShutdown(() => storage.close());
await server.listen(port);
console.log(`Roundtable listening on http://localhost:${port}`);
