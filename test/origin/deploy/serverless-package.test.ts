import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIP_KEY_PREFIX, WAVEFORM_PREFIX } from "../../../core/index.js";
import {
  condition,
  referencedNames,
  resolveConditions,
  substitute,
  type Resource,
  type Template,
} from "../helpers/cloudformation.js";

const run = promisify(execFile);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
}

/** What each stage of serverless.yml must produce: the deployment spec, checked in the packaged template. */
const STAGES = {
  dev: { suffix: "dev", cors: ["*"], expiryDays: 30, reserved: undefined, retention: 7, errors: 5 },
  staging: {
    suffix: "staging",
    cors: ["https://staging.example.com"],
    expiryDays: 30,
    reserved: 5,
    retention: 14,
    errors: 5,
  },
  prod: {
    suffix: "prod",
    cors: ["https://www.example.com"],
    expiryDays: undefined,
    reserved: 50,
    retention: 90,
    errors: 10,
  },
} as const;
type Stage = keyof typeof STAGES;

/** The stages serverless.yml declares under `params:` (besides `default`). */
async function declaredStages(): Promise<string[]> {
  const text = await readFile("serverless.yml", "utf8");
  const params = /^params:\n((?:[ #].*\n|\n)*)/m.exec(text)?.[1] ?? "";
  return [...params.matchAll(/^ {2}([A-Za-z0-9-]+):\s*$/gm)].map((m) => m[1] as string).filter((s) => s !== "default");
}

const slsEnv = { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", CI: "true" };
let outRoot: string;
const templates = new Map<Stage, Template>();

// `serverless package` is what `serverless deploy` uploads: run it for real (offline) for every stage and
// inspect the results. One stage after another: serverless-esbuild builds into the project's shared .esbuild
// and .serverless folders, and each run takes only a few seconds.
beforeAll(async () => {
  outRoot = await mkdtemp(join(tmpdir(), "edgeclip-sls-"));
  for (const stage of Object.keys(STAGES) as Stage[]) {
    const dir = join(outRoot, stage);
    await run("npx", ["serverless", "package", "--stage", stage, "--package", dir], { env: slsEnv, timeout: 120_000 });
    templates.set(stage, JSON.parse(await readFile(join(dir, "cloudformation-template-update-stack.json"), "utf8")));
  }
  // The code is the same for every stage: unzip one to load it.
  await run("unzip", ["-q", join(outRoot, "dev", "clips.zip"), "-d", join(outRoot, "unzipped")]);
}, 240_000);

afterAll(async () => {
  if (outRoot) await rm(outRoot, { recursive: true, force: true });
});

const resource = (t: Template, name: string): Resource => {
  const r = t.Resources[name];
  if (!r) throw new Error(`no resource ${name}`);
  return r;
};
const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const statements = (t: Template): Statement[] =>
  (
    resource(t, "IamRoleLambdaExecution").Properties as { Policies: { PolicyDocument: { Statement: Statement[] } }[] }
  ).Policies.flatMap((p) => p.PolicyDocument.Statement);
const actions = (s: Statement) => ([] as string[]).concat(s.Action);

describe("serverless.yml stages", () => {
  it("are exactly the ones this test checks (a new stage needs its expectations here)", async () => {
    expect(await declaredStages()).toEqual(Object.keys(STAGES));
  });

  it("ship a bundle that loads in Node and exports the handler", async () => {
    const bundle = join(outRoot, "unzipped", "origin", "lambda", "handler.mjs");
    const mod = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
    expect(typeof mod.handler).toBe("function");
  });
});

describe.each(Object.keys(STAGES) as Stage[])("serverless package --stage %s (offline)", (stage) => {
  const want = STAGES[stage];
  const clips = `edgeclip-clips-${want.suffix}`;
  const t = () => templates.get(stage) as Template;

  it("declares the function: Node 22, 1024 MB, 29 s, its buckets and SSM parameter names, no secret", () => {
    const fn = resource(t(), "ClipsLambdaFunction").Properties;
    expect(fn).toMatchObject({
      Handler: "origin/lambda/handler.handler",
      Runtime: "nodejs22.x",
      MemorySize: 1024,
      Timeout: 29,
    });
    expect(fn["ReservedConcurrentExecutions"]).toBe(want.reserved);
    const env = (fn["Environment"] as { Variables: Record<string, string> }).Variables;
    expect(env).toMatchObject({
      CLIPS_BUCKET: clips,
      RAW_BUCKET: `edgeclip-raw-${want.suffix}`,
      MONGODB_URI_SSM_PARAM: `/edgeclip/${stage}/mongodb-uri`,
      ORIGIN_SECRET_SSM_PARAM: `/edgeclip/${stage}/origin-secret`,
    });
    // Secrets are never in the template, only the names of their SSM parameters.
    expect(env).not.toHaveProperty("MONGODB_URI");
    expect(env).not.toHaveProperty("ORIGIN_SECRET");
    expect(resource(t(), "ClipsLogGroup").Properties["RetentionInDays"]).toBe(want.retention);
  });

  it("routes GET /api/v1/audio_clips/{episode_id} through the HTTP API", () => {
    const routes = ofType(t(), "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties["RouteKey"]);
    expect(routes).toEqual([
      "GET /api/v1/audio_clips/{episode_id}",
      "GET /api/v1/episodes/{episode_id}",
      "GET /api/v1/episodes/{episode_id}/waveform",
    ]);
  });

  it("grants least privilege: raw reads, clip and seek index reads and writes, the two SSM parameters", () => {
    const granted = statements(t())
      .flatMap(actions)
      .filter((a) => !a.startsWith("logs:"))
      .sort();
    expect(granted).toEqual([
      "s3:GetObject",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:ListBucket",
      "s3:PutObject",
      "ssm:GetParameter",
    ]);
    const put = statements(t()).find((s) => actions(s).includes("s3:PutObject"));
    expect(actions(put as Statement).sort()).toEqual(["s3:GetObject", "s3:PutObject"]);
    // Every prefix the origin writes (clips, waveforms), and no other: the seek indexes live in MongoDB.
    expect(put?.Resource).toEqual([
      `arn:aws:s3:::${clips}/${CLIP_KEY_PREFIX}*`,
      `arn:aws:s3:::${clips}/${WAVEFORM_PREFIX}*`,
    ]);
    expect(statements(t()).every((s) => s.Effect === "Allow" && !JSON.stringify(s.Resource).includes('"*"'))).toBe(
      true,
    );
  });

  it("creates the clips bucket private, with CORS for GET/HEAD from the stage's origins and its expiry", () => {
    const bucket = resource(t(), "ClipsBucket");
    expect(bucket.DeletionPolicy).toBe("Retain");
    const props = resolveConditions(bucket.Properties, t()) as Record<string, unknown>;
    expect(props["BucketName"]).toBe(clips);
    expect(props["PublicAccessBlockConfiguration"]).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props["OwnershipControls"]).toEqual({ Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] });
    const [rule, ...more] = (props["CorsConfiguration"] as { CorsRules: Record<string, unknown>[] }).CorsRules;
    expect(more).toEqual([]);
    expect(rule).toMatchObject({ AllowedMethods: ["GET", "HEAD"], AllowedOrigins: want.cors });
    expect(rule?.["AllowedHeaders"]).toContain("Range");
    const lifecycle = props["LifecycleConfiguration"] as { Rules: Record<string, unknown>[] } | undefined;
    if (want.expiryDays === undefined) {
      expect(lifecycle).toBeUndefined();
    } else {
      expect(lifecycle?.Rules).toEqual([
        { Id: "expire-clips", Status: "Enabled", Prefix: "audio_clips/", ExpirationInDays: String(want.expiryDays) },
      ]);
    }
    // No bucket policy grants anything: the only one denies plain HTTP.
    const policies = ofType(t(), "AWS::S3::BucketPolicy").filter(([, r]) => JSON.stringify(r).includes("ClipsBucket"));
    expect(policies).toHaveLength(1);
    const denyOnly = (policies[0]?.[1].Properties["PolicyDocument"] as { Statement: Statement[] }).Statement;
    expect(denyOnly.map((s) => s.Effect)).toEqual(["Deny"]);
    // The deployment bucket is private too.
    expect(resource(t(), "ServerlessDeploymentBucket").Properties["PublicAccessBlockConfiguration"]).toMatchObject({
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it("alarms on origin errors, function errors, p95 duration and throttles, to the stage's SNS topic", () => {
    const alarms = Object.fromEntries(
      ofType(t(), "AWS::CloudWatch::Alarm").map(([, r]) => [r.Properties["MetricName"] as string, r.Properties]),
    );
    expect(Object.keys(alarms).sort()).toEqual(["Duration", "Errors", "OriginErrors", "Throttles"]);
    const fnDimension = [{ Name: "FunctionName", Value: { Ref: "ClipsLambdaFunction" } }];
    expect(alarms["Duration"]).toMatchObject({ ExtendedStatistic: "p95", Dimensions: fnDimension, Threshold: "10000" });
    expect(alarms["Throttles"]).toMatchObject({ Namespace: "AWS/Lambda", Dimensions: fnDimension, Statistic: "Sum" });
    expect(alarms["Errors"]).toMatchObject({ Namespace: "AWS/Lambda", Dimensions: fnDimension });
    expect(alarms["OriginErrors"]).toMatchObject({ Namespace: `edgeclip/${stage}`, Threshold: String(want.errors) });
    for (const alarm of Object.values(alarms)) expect(alarm["AlarmActions"]).toEqual([{ Ref: "AlarmTopic" }]);
    // The origin-errors metric counts the origin's own error lines (origin/request-log.ts, level error/fatal).
    const [[, filter] = []] = ofType(t(), "AWS::Logs::MetricFilter");
    expect(filter?.Properties).toMatchObject({
      LogGroupName: { Ref: "ClipsLogGroup" },
      FilterPattern: '{ $.level = "error" || $.level = "fatal" }',
      MetricTransformations: [{ MetricNamespace: `edgeclip/${stage}`, MetricName: "OriginErrors", MetricValue: "1" }],
    });
    // No alarm email configured in the repo: the subscription exists only when one is set.
    expect(condition("AlarmEmail", t())).toBe(false);
  });

  it("has a dashboard whose body is valid JSON once CloudFormation fills in the names", () => {
    const sub = (resource(t(), "Dashboard").Properties["DashboardBody"] as { "Fn::Sub": string })["Fn::Sub"];
    const body = JSON.parse(substitute(sub, (name) => `<${name}>`)) as {
      widgets: { type: string; properties: { metrics?: unknown[][]; query?: string } }[];
    };
    const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []).map((m) => m.slice(0, 2).join(" "));
    for (const wanted of ["AWS/Lambda Duration", "AWS/Lambda Errors", "AWS/Lambda Throttles", "AWS/ApiGateway 5xx"]) {
      expect(metrics).toContain(wanted);
    }
    expect(metrics).toContain(`edgeclip/${stage} OriginErrors`);
    const queries = body.widgets.flatMap((w) => w.properties.query ?? []);
    expect(queries.some((q) => q.startsWith("SOURCE '<ClipsLogGroup>'"))).toBe(true);
  });

  it("refers only to resources it defines", () => {
    const missing = [...referencedNames(t())].filter((name) => !(name in t().Resources) && name !== "AWS");
    expect(missing).toEqual([]);
  });
});
