// `npm run services`: starts the local MongoDB-wire and S3 servers, creates the buckets and the database
// schema, prints the env lines to use them, and keeps them running until Ctrl-C.
import { dbSetupTargetFromEnv, runDbSetup } from "./catalog/db-setup.js";
import { runCommand } from "./cli/run-command.js";
import { ServicesSetupError } from "./services/ensure-binaries.mjs";
import { envLines, LOCAL_BUCKETS } from "./services/env-lines.js";
import { createBucket, startLocalServices } from "./services/local-services.js";

async function serve(): Promise<void> {
  const log = (line: string) => console.log(line);
  const services = await startLocalServices({ log });
  const shutdown = new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => resolve(signal));
  });
  // Child processes alone would not keep us alive if both servers were external.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    for (const bucket of Object.values(LOCAL_BUCKETS)) {
      await createBucket(services, bucket);
      log(`bucket ${bucket} is ready`);
    }
    const target = dbSetupTargetFromEnv({ ...process.env, MONGODB_URI: services.mongodbUri });
    await runDbSetup(target, log);
    log("\nLocal services are running. Export these (or put them in .env):\n");
    for (const line of envLines(services, target.dbName)) console.log(line);
    log("\nPress Ctrl-C to stop.");
    const signal = await shutdown;
    log(`\n${signal}: stopping local services...`);
  } finally {
    clearInterval(keepAlive);
    await services.stop();
  }
  log("stopped.");
}

// Exits rather than waiting for the event loop: a server that failed half-way may still hold a handle.
process.exit(
  await runCommand({
    name: "error",
    usage: "usage: npm run services",
    options: {},
    run: serve,
    expected: (err) => err instanceof ServicesSetupError,
  }),
);
