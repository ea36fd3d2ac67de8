import { describe, expect, it } from "vitest";
import { strongEtag } from "../../../worker/clip/clip.js";
import { cacheRange } from "../../../worker/http/range.js";
import { EDGE_CACHE_HEADER_PREFIX, type EdgeCache } from "../../../worker/storage/clip-storage.js";
import { readEdgeCache } from "../../../worker/storage/edge-cache-read.js";

// #15: an edge cache hit leaves the clip's bytes in the cache until the response sends them: the body is the
// cache's own stream (the whole clip, or the range the Cache API cut), never read into the isolate first.
const KEY = new Request("https://edge.test/api/v1/audio_clips/ep?duration_ms=1000&start_time_ms=0");
const BYTES = new Uint8Array(1000).map((_, i) => i % 251);

/** A body that says whether anything read it or let it go. */
function trackedBody(bytes: Uint8Array) {
  const state = { pulled: false, cancelled: false };
  // highWaterMark 0: nothing is pulled until someone reads.
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulled = true;
        controller.enqueue(bytes);
        controller.close();
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

async function metadata(etag?: string | null): Promise<Record<string, string>> {
  const meta: Record<string, string> = {
    "clip-start-ms": "0",
    "clip-end-ms": "1000",
    clamped: "false",
    "file-size-bytes": String(BYTES.length),
  };
  if (etag !== null) meta.etag = etag ?? (await strongEtag(BYTES.buffer as ArrayBuffer));
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [EDGE_CACHE_HEADER_PREFIX + k, v]));
}

/** Answers as the Cache API does: a 200, or a 206 it cuts itself for a single Range. */
async function fakeCache(opts: { etag?: string | null; size?: number } = {}) {
  const asked: (string | null)[] = [];
  const bodies: ReturnType<typeof trackedBody>[] = [];
  const meta = await metadata(opts.etag);
  const cache: EdgeCache = {
    async match(req) {
      const range = req.headers.get("range");
      asked.push(range);
      const cut = range ? /^bytes=(\d+)-(\d+)$/.exec(range) : null;
      const [start, end] = cut ? [Number(cut[1]), Number(cut[2])] : [0, BYTES.length - 1];
      // `size`: an entry cut short, its length and its bytes both less than the recorded size.
      const body = trackedBody(BYTES.slice(start, Math.min(end + 1, opts.size ?? Infinity)));
      bodies.push(body);
      const headers = { ...meta, "content-length": String(opts.size ?? end - start + 1) };
      if (!cut) return new Response(body.stream, { status: 200, headers });
      return new Response(body.stream, {
        status: 206,
        headers: { ...headers, "content-range": `bytes ${start}-${end}/${BYTES.length}` },
      });
    },
    put: async () => {},
  };
  return { cache, asked, bodies };
}

const get = (headers: Record<string, string> = {}, method = "GET") => new Request(KEY, { method, headers });
const read = async (body: BodyInit) => new Uint8Array(await new Response(body).arrayBuffer());

describe("readEdgeCache", () => {
  it("a whole GET is the cache's own stream, unread until sent", async () => {
    const { cache, asked, bodies } = await fakeCache();
    const served = await readEdgeCache(cache, KEY, get());
    expect(served?.size).toBe(BYTES.length);
    expect(asked).toEqual([null]);
    expect(bodies[0]?.state.pulled).toBe(false);
    expect(await read(await served!.open())).toEqual(BYTES);
  });

  it("a single Range is cut by the cache: one lookup with that Range, its body served as it is", async () => {
    const { cache, asked } = await fakeCache();
    const served = await readEdgeCache(cache, KEY, get({ range: "bytes=100-199" }));
    expect(asked).toEqual(["bytes=100-199"]);
    expect(served?.size).toBe(BYTES.length);
    expect(await read(await served!.open({ start: 100, end: 199 }))).toEqual(BYTES.slice(100, 200));
  });

  it("HEAD reads nothing and lets the stream go", async () => {
    const { cache, asked, bodies } = await fakeCache();
    const served = await readEdgeCache(cache, KEY, get({ range: "bytes=0-9" }, "HEAD"));
    expect(asked).toEqual([null]);
    served!.release();
    expect(bodies[0]?.state).toEqual({ pulled: false, cancelled: true });
  });

  it("several ranges, or forms answered with the whole clip, are not handed to the cache", async () => {
    for (const range of ["bytes=0-1,5-6", "bytes=5-2", "bytes=-0", "items=0-1"]) {
      expect(cacheRange(range)).toBeUndefined();
      const { cache, asked } = await fakeCache();
      await readEdgeCache(cache, KEY, get({ range }));
      expect(asked).toEqual([null]);
    }
    expect(cacheRange(" bytes=-500 ")).toBe("bytes=-500");
  });

  it("an entry without a recorded ETag is read once to compute it (the old way)", async () => {
    const { cache } = await fakeCache({ etag: null });
    const served = await readEdgeCache(cache, KEY, get());
    expect(served?.etag).toBe(await strongEtag(BYTES.buffer as ArrayBuffer));
    expect(await read(await served!.open())).toEqual(BYTES);
  });

  it("an entry whose length is not the recorded size is no hit", async () => {
    const { cache } = await fakeCache({ size: 999 });
    expect(await readEdgeCache(cache, KEY, get())).toBeUndefined();
  });
});
