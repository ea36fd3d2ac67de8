import { createHash, randomUUID } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { ClipStore } from "../../../origin/store/clip-store.js";
import { BUCKETS, testS3 } from "../helpers/harness.js";

// The clip PUT against the real S3 server (versitygw checks signatures and checksums as S3 does).
const store = new ClipStore(testS3, BUCKETS.clips, 60);
const facts = { startMs: 0, endMs: 1000, clamped: false };
const bytes = new Uint8Array(Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) % 256));
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const key = () => `audio_clips/store-test-${randomUUID()}/0-1000.mp3`;

describe("ClipStore.put with the clip's SHA-256", () => {
  it("stores the object with that checksum; the signature's payload hash is the same value", async () => {
    const k = key();
    expect(await store.put(k, bytes, facts, "mp3", sha256(bytes))).toBe("created");
    const head = await testS3.send(new HeadObjectCommand({ Bucket: BUCKETS.clips, Key: k, ChecksumMode: "ENABLED" }));
    expect(head.ChecksumSHA256).toBe(Buffer.from(sha256(bytes), "hex").toString("base64"));
    const out = await testS3.send(new GetObjectCommand({ Bucket: BUCKETS.clips, Key: k }));
    expect(sha256(await out.Body!.transformToByteArray())).toBe(sha256(bytes));
    // The same clip again: the conditional PUT leaves the first alone.
    expect(await store.put(k, bytes, facts, "mp3", sha256(bytes))).toBe("existed");
  });

  it("bytes that do not match it are refused and nothing is stored", async () => {
    const k = key();
    const wrong = sha256(new Uint8Array([1, 2, 3]));
    await expect(store.put(k, bytes, facts, "mp3", wrong)).rejects.toMatchObject({
      status: 500,
      message: expect.stringMatching(/^S3 PutObject on bucket .+ failed: XAmzContentSHA256Mismatch/),
    });
    await expect(testS3.send(new HeadObjectCommand({ Bucket: BUCKETS.clips, Key: k }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});
