import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOriginServer } from "../../origin/dev/local-server.js";
import { m4aMoovAtEnd } from "../origin/helpers/fixtures.js";
import { type TestOrigin } from "../origin/helpers/harness.js";
import { type Edge } from "./helpers/edge.js";
import { startRealEdge, stopRealEdge } from "./helpers/real-edge.js";
import { spoilR2, waitFilled } from "./helpers/wait-filled.js";

// M4A clips of an AAC episode through every layer: workerd → local API Gateway stand-in → origin → S3.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let episode: string;

const clipPath = (start: number, duration = 3000) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${start}&duration_ms=${duration}`;
const clipKey = (start: number, duration = 3000) => `audio_clips/${episode}/${start}-${start + duration}.m4a`;

const filled = (start: number) => waitFilled(edge, clipPath(start), clipKey(start));

beforeAll(async () => {
  ({ t, server, edge, episode } = await startRealEdge(m4aMoovAtEnd));
});

afterAll(() => stopRealEdge({ t, server, edge }));

describe("M4A clips of an AAC episode at the edge", () => {
  it("every layer serves audio/mp4: generated, edge cache, R2 (under the .m4a key), origin hit", async () => {
    const first = await edge.fetch(clipPath(30_000));
    expect(first.status).toBe(200);
    expect(first.headers.get("x-edgeclip-layer")).toBe("generated");
    expect(first.headers.get("content-type")).toBe("audio/mp4");
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(bytes.subarray(4, 8).toString("latin1")).toBe("ftyp");
    const etag = first.headers.get("etag");
    await filled(30_000);

    const cached = await edge.fetch(clipPath(30_000));
    expect(cached.headers.get("x-edgeclip-layer")).toBe("edge-cache");
    expect(cached.headers.get("content-type")).toBe("audio/mp4");
    expect(cached.headers.get("etag")).toBe(etag);

    const object = await (await edge.bucket()).head(clipKey(30_000));
    expect(object?.httpMetadata).toMatchObject({ contentType: "audio/mp4" });
    expect(await (await edge.bucket()).head(clipKey(30_000).replace(/\.m4a$/, ".mp3"))).toBeNull();
    await edge.evict(clipPath(30_000));
    const fromR2 = await edge.fetch(clipPath(30_000));
    expect(fromR2.headers.get("x-edgeclip-layer")).toBe("r2");
    expect(fromR2.headers.get("content-type")).toBe("audio/mp4");
    expect(Buffer.from(await fromR2.arrayBuffer()).equals(bytes)).toBe(true);

    await edge.evict(clipPath(30_000));
    await spoilR2(edge, clipKey(30_000));
    const originHit = await edge.fetch(clipPath(30_000));
    expect(originHit.headers.get("x-edgeclip-layer")).toBe("origin-hit");
    expect(originHit.headers.get("content-type")).toBe("audio/mp4");
    expect(Buffer.from(await originHit.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("answers Range with 206 audio/mp4, and JSON mode with the clip's type", async () => {
    const whole = Buffer.from(await (await edge.fetch(clipPath(60_000))).arrayBuffer());
    const part = await edge.fetch(clipPath(60_000), { headers: { range: "bytes=0-99" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-type")).toBe("audio/mp4");
    expect(part.headers.get("content-range")).toBe(`bytes 0-99/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(0, 100))).toBe(true);

    const json = await edge.fetch(clipPath(60_000), { headers: { accept: "application/json" } });
    expect(await json.json()).toMatchObject({
      clip_start_ms: 60_000,
      clip_end_ms: 63_000,
      file_size_bytes: whole.length,
    });
  });
});
