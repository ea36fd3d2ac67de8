import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";
import { s3ClientConfig } from "../../scripts/services/local-services.js";
import { startStack, type Stack } from "../../scripts/stack/stack.js";

// Load through the whole local stack: workerd (wrangler dev) → the origin behind the API Gateway stand-in
// → FerretDB and versitygw. 200 listeners (one address each, as the rate limit sees them) ask for 20
// clips of the demo episode at the same moment.
const CLIPS = 20;
const REQUESTS = 200;

let stack: Stack;
const originLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  stack = await startStack({
    edgePort: await freeLoopbackPort(),
    originPort: await freeLoopbackPort(),
    log: () => {},
    originLog: (line) => originLines.push(JSON.parse(line) as Record<string, unknown>),
  });
}, 180_000);

afterAll(() => stack?.stop());

const clipPath = (i: number) => `/api/v1/audio_clips/demo?start_time_ms=${i * 7000}&duration_ms=5000`;

interface Answer {
  clip: number;
  status: number;
  layer: string | null;
  sha256: string;
  size: number;
}

async function ask(n: number): Promise<Answer> {
  const clip = n % CLIPS;
  const res = await fetch(stack.edgeUrl + clipPath(clip), {
    headers: { "cf-connecting-ip": `198.18.${Math.floor(n / 250)}.${(n % 250) + 1}` },
  });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    clip,
    status: res.status,
    layer: res.headers.get("x-edgeclip-layer"),
    sha256: createHash("sha256").update(body).digest("hex"),
    size: body.length,
  };
}

describe("load through the whole local stack", () => {
  it(`${REQUESTS} requests for ${CLIPS} clips at once → ${CLIPS} cuts, 0 errors, the same bytes for the same clip`, async () => {
    const began = Date.now();
    const answers = await Promise.all(Array.from({ length: REQUESTS }, (_, n) => ask(n)));
    const elapsedMs = Date.now() - began;

    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    for (let clip = 0; clip < CLIPS; clip++) {
      const digests = new Set(answers.filter((a) => a.clip === clip).map((a) => a.sha256));
      expect(digests.size, `clip ${clip}`).toBe(1);
    }
    expect(new Set(answers.map((a) => a.sha256)).size).toBe(CLIPS);

    const requestLines = originLines.filter((l) => l.msg === "clip request");
    const generated = requestLines.filter((l) => l.outcome === "generated");
    expect(requestLines.filter((l) => l.outcome === "error")).toEqual([]);
    expect(generated).toHaveLength(CLIPS);
    expect(new Set(generated.map((l) => l.start_ms)).size).toBe(CLIPS);

    const { info } = stack;
    const s3 = new S3Client(s3ClientConfig(info.s3));
    const mongo = await new MongoClient(info.mongodbUri).connect();
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: info.clipsBucket, Prefix: "audio_clips/demo/" }));
      expect(listed.Contents ?? []).toHaveLength(CLIPS);
      for (const object of listed.Contents ?? []) {
        const start = Number(/\/(\d+)-\d+\.mp3$/.exec(object.Key ?? "")?.[1]);
        expect(object.Size, object.Key).toBe(answers.find((a) => a.clip === start / 7000)?.size);
      }
      expect(await mongo.db(info.mongodbDb).collection("audio_clips").countDocuments({ episode_id: "demo" })).toBe(
        CLIPS,
      );
    } finally {
      s3.destroy();
      await mongo.close();
    }

    const layers: Record<string, number> = {};
    for (const a of answers) layers[a.layer ?? "none"] = (layers[a.layer ?? "none"] ?? 0) + 1;
    console.log(
      `[figures] load: ${REQUESTS} requests for ${CLIPS} clips in ${elapsedMs} ms; ${requestLines.length} origin calls, ` +
        `${generated.length} cuts; layers ${JSON.stringify(layers)}`,
    );
  });
});
