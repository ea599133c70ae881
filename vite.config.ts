import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { playwright } from "@vitest/browser-playwright";
import { chromiumLaunchOptions as chromium } from "./test/support/chromium.ts";

/** The client is built from `client/` into `dist/client`; the server serves it. */
export default defineConfig({
  root: "client",
  plugins: [svelte()],
  resolve: {
    // The Colyseus SDK uses msgpackr for three calls; a small codec of ours does the same for the
    // plain data Roundtable sends. Measured without the library trims (issue 11): it keeps 10 KB
    // gzip out of a member's page (98.9 kB instead of 109.0 kB of the 120 kB budget), and about
    // 0.15 s out of the time to usable on the throttled profile (bench/usable.ts, 6 runs each).
    alias: { msgpackr: fileURLToPath(new URL("./client/lib/msgpack.ts", import.meta.url)) },
  },
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
    target: "es2022",
    // The chunks a member loads, for bench/bundle.ts.
    manifest: true,
    // Every browser that runs es2022 preloads modules natively or ignores the hint harmlessly.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      "/api": "http://localhost:2567",
      "/healthz": "http://localhost:2567",
    },
  },
  test: {
    root: ".",
    projects: [
      {
        test: {
          name: "unit",
          root: ".",
          environment: "node",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          root: ".",
          environment: "node",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["test/setup/websocket.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [svelte()],
        // Pre-bundled up front, so the browser does not reload mid-run to optimise them.
        optimizeDeps: {
          include: [
            "@colyseus/sdk",
            "@colyseus/schema",
            "msgpackr",
            "xstate",
            "vitest-browser-svelte",
          ],
        },
        test: {
          name: "component",
          root: ".",
          include: ["test/component/**/*.test.ts"],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromium }),
            instances: [{ browser: "chromium" }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
