import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

/** The client is built from `client/` into `dist/client`; the server serves it. */
export default defineConfig({
  root: "client",
  plugins: [svelte()],
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
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
    ],
  },
});
