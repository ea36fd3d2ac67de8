// Runs an operator command as `npm run` does (tsx, a child process), and the env that aims it at the test servers.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { inject } from "vitest";

const run = promisify(execFile);

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The exit code and output of `tsx <script> ...args`, also when it fails. */
export async function runScript(script: string, args: readonly string[], env = process.env): Promise<ScriptRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["node_modules/tsx/dist/cli.mjs", script, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** MONGODB_* and S3_* of the shared test servers, with a database of the test's own. */
export function scriptEnv(dbName: string): NodeJS.ProcessEnv {
  const services = inject("services");
  return {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    MONGODB_URI: services.mongodbUri,
    MONGODB_DB: dbName,
    S3_ENDPOINT: services.s3.endpoint,
    S3_REGION: services.s3.region,
    S3_ACCESS_KEY_ID: services.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: String(services.s3.forcePathStyle),
  };
}
