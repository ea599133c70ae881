// Node 20 has no global WebSocket; @colyseus/core reads WebSocket.OPEN on the reconnection path.
import { WebSocket } from "ws";
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

import { fileURLToPath } from "node:url";
import { createServer } from "./app.ts";
import { clusterFromEnv } from "./cluster.ts";
import { openStorage } from "./storage/index.ts";

const port = Number(process.env.PORT ?? 2567);

/** A positive whole number from the environment, or undefined (the server's default) when unset. */
function perMinute(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name} must be a whole number of requests per minute, at least 1`);
    process.exit(1);
  }
  return n;
}

const storage = await openStorage(process.env.DATABASE_URL);
// Alone (no REDIS_URL), a meeting still open in storage was left by a process that died (a crash,
// a kill): record it as interrupted rather than open forever. With Redis another live process
// may be running it, so nothing is touched.
if (!process.env.REDIS_URL?.trim()) {
  const interrupted = await storage.closeInterruptedMeetings(Date.now());
  if (interrupted > 0) {
    console.log(
      `Roundtable: ${interrupted} meeting(s) left open by an earlier run, now interrupted`,
    );
  }
}
const server = createServer({
  storage,
  clientDir: fileURLToPath(new URL("../dist/client", import.meta.url)),
  allowedOrigins: process.env.ALLOWED_ORIGINS?.split(",")
    .map((o) => o.trim())
    .filter(Boolean),
  publicAddress: process.env.PUBLIC_ADDRESS,
  tablesPerMinute: perMinute("TABLES_PER_MINUTE"),
  joinsPerMinute: perMinute("JOINS_PER_MINUTE"),
  apiPerMinute: perMinute("API_PER_MINUTE"),
  ...clusterFromEnv(),
});
server.onShutdown(() => storage.close());
if (process.env.ROUNDTABLE_BENCH === "1") {
  // Bench only (`npm run bench` starts us with --expose-gc): heap after a full GC.
  const express = server.options.express;
  server.options.express = async (app) => {
    app.get("/bench/heap", (_req, res) => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      res.json({ gc: gc !== undefined, ...process.memoryUsage() });
    });
    await express?.(app);
  };
}
await server.listen(port);
console.log(`Roundtable listening on http://localhost:${port}`);
