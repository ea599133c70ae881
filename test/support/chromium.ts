/**
 * Debian's Chromium, launched as STACK.md says (Playwright never downloads a browser here), for
 * the component tests and the end-to-end tests alike. CHROMIUM_PATH overrides the path.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
