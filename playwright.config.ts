import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./test/support/chromium.ts";

/**
 * End-to-end tests: the built client and a real server (started by test/e2e/global-setup.ts on a
 * free port with a temporary database), one browser context per person, Debian's Chromium.
 */
export default defineConfig({
  testDir: "test/e2e",
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  globalSetup: "./test/e2e/global-setup.ts",
  outputDir: "test-results/e2e",
  use: {
    browserName: "chromium",
    colorScheme: "light",
    locale: "en-GB",
    timezoneId: "Europe/London",
    actionTimeout: 10_000,
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
});
