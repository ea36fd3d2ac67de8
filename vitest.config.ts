import { defineConfig } from "vitest/config";

// One project per runtime boundary (hono's layout): pure core tests need no servers; origin and
// worker tests share one set of real local services started by the global setup. The origin's pure tests
// (parsing settings and events, metrics, error mapping, FFmpeg's command line, the serverless package) run
// in their own project, without those servers.
const ORIGIN_PURE = [
  "test/origin/config/**/*.test.ts",
  "test/origin/lambda/**/*.test.ts",
  "test/origin/cut/**/*.test.ts",
  "test/origin/waveform/**/*.test.ts",
  "test/origin/observe/metrics.test.ts",
  "test/origin/store/s3-errors.test.ts",
  "test/origin/sources/https/policy.test.ts",
  "test/origin/deploy/**/*.test.ts",
  "test/scripts/system-packages.test.ts",
  "test/scripts/seek-mode.test.ts",
  "test/scripts/free-port.test.ts",
  "test/scripts/step-figures.test.ts",
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "core",
          include: ["test/core/**/*.test.ts"],
          environment: "node",
          // FFmpeg-made fixtures and long property runs: seconds on an idle machine, far more on a busy one.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "origin-unit",
          include: ORIGIN_PURE,
          environment: "node",
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "origin",
          include: ["test/origin/**/*.test.ts", "test/scripts/**/*.test.ts"],
          exclude: ORIGIN_PURE,
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
