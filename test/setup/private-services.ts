// Servers of one's own, for a fault test that stops MongoDB or S3: stopping the shared servers of the global
// setup (controlServer) also breaks the test files that vitest runs in parallel. Starting a set takes ~0.2 s.
import { dbSetupTargetFromEnv, runDbSetup } from "../../scripts/catalog/db-setup.js";
import { LOCAL_BUCKETS } from "../../scripts/services/env-lines.js";
import { createBucket, startLocalServices, type LocalServices } from "../../scripts/services/local-services.js";

/** The buckets and the database schema every test expects (also used by the global setup). */
export async function prepareServices(services: LocalServices): Promise<void> {
  for (const bucket of Object.values(LOCAL_BUCKETS)) await createBucket(services, bucket);
  await runDbSetup(dbSetupTargetFromEnv({ ...process.env, MONGODB_URI: services.mongodbUri }), () => {});
}

/** A prepared set of local servers; call stop() in afterAll. Servers given by env are shared, not private. */
export async function startPrivateServices(): Promise<LocalServices> {
  const services = await startLocalServices();
  try {
    await prepareServices(services);
    return services;
  } catch (err) {
    await services.stop();
    throw err;
  }
}
