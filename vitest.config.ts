import { defineConfig } from "vitest/config";

// One project per runtime boundary (hono's layout): pure core tests need no servers; origin and
// worker tests share one set of real local services started by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "core",
          include: ["test/core/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "origin",
          include: ["test/origin/**/*.test.ts", "test/scripts/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/setup/global-services.ts"],
          // Fault tests stop and restart the shared servers; files running alongside would see them vanish.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/setup/global-services.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
