import { defineConfig } from "vitest/config";

/** End-to-end tests: headless Chromium against a running TraderX behind the edge (TRADERX_BASE_URL). */
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["e2e/globalSetup.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
