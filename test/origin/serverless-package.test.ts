import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

// `serverless package` is what `serverless deploy` uploads: run it for real (offline) and inspect the result.
describe("serverless package (offline)", () => {
  let outDir: string;
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "edgeclip-sls-"));
    await run("npx", ["serverless", "package", "--stage", "ci", "--package", outDir], {
      env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", CI: "true" },
      timeout: 120_000,
    });
    template = JSON.parse(await readFile(join(outDir, "cloudformation-template-update-stack.json"), "utf8"));
    await run("unzip", ["-q", join(outDir, "clips.zip"), "-d", join(outDir, "unzipped")]);
  }, 180_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("declares the function as issue 2 asks: Node 22, 1024 MB, 29 s, the ESM bundle", () => {
    const fn = template.Resources["ClipsLambdaFunction"]?.Properties;
    expect(fn).toMatchObject({
      Handler: "origin/handler.handler",
      Runtime: "nodejs22.x",
      MemorySize: 1024,
      Timeout: 29,
    });
    const env = (fn?.["Environment"] as { Variables: Record<string, string> }).Variables;
    expect(env).toMatchObject({ CLIPS_BUCKET: "edgeclip-clips-ci", RAW_BUCKET: "edgeclip-raw-ci" });
    // Secrets are never in the template, only the names of their SSM parameters.
    expect(env).not.toHaveProperty("MONGODB_URI");
    expect(env).not.toHaveProperty("ORIGIN_SECRET");
    expect(env["ORIGIN_SECRET_SSM_PARAM"]).toBe("/edgeclip/ci/origin-secret");
  });

  it("routes GET /api/v1/audio_clips/{episode_id} through the HTTP API", () => {
    const routes = Object.values(template.Resources)
      .filter((r) => r.Type === "AWS::ApiGatewayV2::Route")
      .map((r) => r.Properties["RouteKey"]);
    expect(routes).toEqual(["GET /api/v1/audio_clips/{episode_id}"]);
  });

  it("grants least privilege: S3 reads, clip writes, the two SSM parameters, and nothing else", () => {
    const role = template.Resources["IamRoleLambdaExecution"]?.Properties as {
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
    };
    const actions = role.Policies.flatMap((p) => p.PolicyDocument.Statement)
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => !a.startsWith("logs:"))
      .sort();
    expect(actions).toEqual([
      "s3:GetObject",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:ListBucket",
      "s3:PutObject",
      "ssm:GetParameter",
    ]);
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const put = statements.find((s) => ([] as string[]).concat(s.Action).includes("s3:PutObject"));
    expect(put?.Resource).toEqual([
      "arn:aws:s3:::edgeclip-clips-ci/audio_clips/*",
      "arn:aws:s3:::edgeclip-clips-ci/seek_index/*",
    ]);
  });

  it("ships a bundle that loads in Node and exports the handler", async () => {
    const bundle = join(outDir, "unzipped", "origin", "handler.mjs");
    const mod = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
    expect(typeof mod.handler).toBe("function");
  });
});

describe("serverless package for the deployed stages (offline)", () => {
  // One after another: serverless-esbuild builds into the shared .esbuild folder of the project.
  for (const [stage, clips, raw] of [
    ["staging", "edgeclip-clips-staging", "edgeclip-raw-staging"],
    ["prod", "edgeclip-clips-prod", "edgeclip-raw-prod"],
  ] as const) {
    it(`--stage ${stage}: its own buckets, SSM parameters and grants`, async () => {
      const outDir = await mkdtemp(join(tmpdir(), `edgeclip-sls-${stage}-`));
      try {
        await run("npx", ["serverless", "package", "--stage", stage, "--package", outDir], {
          env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", CI: "true" },
          timeout: 120_000,
        });
        const text = await readFile(join(outDir, "cloudformation-template-update-stack.json"), "utf8");
        const template = JSON.parse(text) as {
          Resources: Record<string, { Properties: Record<string, unknown> }>;
        };
        const env = (
          template.Resources["ClipsLambdaFunction"]?.Properties.Environment as {
            Variables: Record<string, string>;
          }
        ).Variables;
        expect(env).toMatchObject({
          CLIPS_BUCKET: clips,
          RAW_BUCKET: raw,
          MONGODB_URI_SSM_PARAM: `/edgeclip/${stage}/mongodb-uri`,
          ORIGIN_SECRET_SSM_PARAM: `/edgeclip/${stage}/origin-secret`,
        });
        expect(text).toContain(`arn:aws:s3:::${clips}/seek_index/*`);
        // No secret value can be in a template that never resolved one.
        expect(env).not.toHaveProperty("MONGODB_URI");
        expect(env).not.toHaveProperty("ORIGIN_SECRET");
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
