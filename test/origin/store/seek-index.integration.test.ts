import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Binary, MongoClient, MongoNetworkError, type Collection, type Document } from "mongodb";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildSeekIndex,
  bytesSource,
  decodeSeekIndex,
  IndexMismatchError,
  spanForFrames,
  walkFrames,
  writeSyncsafe,
} from "../../../core/mp3/index.js";
import { mongoWhere } from "../../../origin/catalog/mongo-failure.js";
import { s3AudioSource } from "../../../origin/sources/audio-source.js";
import { newMeter } from "../../../origin/sources/s3-source.js";
import { SeekIndexStore } from "../../../origin/store/seek-index-store.js";
import { SIZES_CHUNK_BYTES, StoredIndexes } from "../../../origin/store/stored-index.js";
import { alignClip, expectCutFrom } from "../helpers/audio.js";
import { downloadFolder, type Downloads } from "../helpers/download.js";
import { aacPacketRange, aacSizesNeeded, planAacCut } from "../../../core/mp4/aac-cut.js";
import {
  aacTwentySeconds,
  adtsTwentySeconds,
  cbrTenMinutes,
  flacTwentySeconds,
  m4aMoovAtEnd,
  vbrWithId3,
  type Fixture,
} from "../helpers/fixtures.js";
import {
  BUCKETS,
  hasStoredIndex,
  indexDocs,
  seedEpisode,
  services,
  startTestOrigin,
  storedIndexes,
  testS3,
  type TestOrigin,
} from "../helpers/harness.js";
import { waitFor } from "../../shared/wait-for.js";

let t: TestOrigin;
let cbr: Fixture;
let vbr: Fixture;
let downloads: Downloads;

beforeAll(async () => {
  [t, cbr, vbr] = await Promise.all([startTestOrigin(), cbrTenMinutes(), vbrWithId3()]);
  downloads = await downloadFolder("edgeclip-index-test-");
});

afterAll(async () => {
  await t?.close();
  await downloads?.remove();
});

/** Puts a file's bytes under a fresh (or given) raw key and returns its location. */
async function putRaw(file: string, key = `index-test/${randomUUID()}.mp3`) {
  await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: await readFile(file) }));
  return { ...s3AudioSource(testS3, { bucket: BUCKETS.raw, key }), key, url: `s3://${BUCKETS.raw}/${key}` };
}

const clipPath = (episode: string, startMs: number, durationMs: number) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=${durationMs}`;

const newStore = () => new SeekIndexStore(storedIndexes(t.db));

/**
 * A store on its own client of the real MongoDB-wire server, counting the reads of index documents the
 * server saw (command monitoring); `failFirst` fails the first read before it is sent, as a reset
 * connection would (scripted: the real server cannot be made to fail just once).
 */
async function indexReadingStore(opts: { failFirst?: boolean } = {}) {
  const client = await new MongoClient(services.mongodbUri, { monitorCommands: true }).connect();
  const docs = indexDocs(client.db(t.db.databaseName));
  const reads = { count: 0, failed: 0 };
  client.on("commandStarted", (event) => {
    if (event.commandName === "find" && event.command.find === docs.collectionName) reads.count++;
  });
  const failing = new Proxy(docs, {
    get(target, prop, receiver) {
      if (prop === "findOne" && opts.failFirst && reads.failed === 0) {
        reads.failed++;
        return () => Promise.reject(new MongoNetworkError("scripted reset"));
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  const store = new SeekIndexStore(new StoredIndexes(failing, mongoWhere(client)));
  return { store, reads, close: () => client.close() };
}

describe("prefetching a seek index (overlaps the store check and the catalog lookup on a miss)", () => {
  async function storedIndex() {
    const loc = await putRaw(cbr.file);
    const id = `pre-${randomUUID()}`;
    await newStore().build(id, loc, newMeter());
    return { loc, id };
  }

  it("is the lookup's only read of the stored index, counted in its meter", async () => {
    const { loc, id } = await storedIndex();
    const { store, reads, close } = await indexReadingStore();
    store.prefetch(id);
    store.prefetch(id);
    const meter = newMeter();
    expect(await store.lookup(id, loc, meter)).toMatchObject({ kind: "mp3", origin: "stored" });
    expect(reads.count).toBe(1);
    expect(meter.requests).toBe(1);
    expect(meter.bytes).toBeGreaterThan(1000);
    // Once in memory, a prefetch reads nothing.
    store.prefetch(id);
    expect(await store.lookup(id, loc, newMeter())).toMatchObject({ origin: "memory" });
    expect(reads.count).toBe(1);
    await close();
  });

  it("that failed is read again by the lookup (scripted connection reset: the real server cannot fail just once)", async () => {
    const { loc, id } = await storedIndex();
    const { store, reads, close } = await indexReadingStore({ failFirst: true });
    store.prefetch(id);
    expect(await store.lookup(id, loc, newMeter())).toMatchObject({ kind: "mp3", origin: "stored" });
    expect(reads).toEqual({ failed: 1, count: 1 });
    await close();
  });

  it("of an episode without an index leads to a build, as without the prefetch", async () => {
    const loc = await putRaw(cbr.file);
    const id = `pre-${randomUUID()}`;
    const store = newStore();
    store.prefetch(id);
    expect(await store.lookup(id, loc, newMeter())).toMatchObject({ kind: "mp3", origin: "built" });
  });
});

describe("the seek index store", () => {
  it("builds once, stores the index beside the catalog, and later stores read only that small document", async () => {
    const loc = await putRaw(cbr.file);
    const id = `idx-${randomUUID()}`;
    const meter = newMeter();
    const built = await newStore().build(id, loc, meter);
    expect(built).toMatchObject({ kind: "mp3", origin: "built" });
    // Building scans every frame header once: about the whole file (the 9.6 MB of 10 minutes).
    expect(meter.bytes).toBeGreaterThan(9_000_000);

    const head = await indexDocs(t.db).findOne({ _id: id as never });
    expect(head).toMatchObject({ episode: id, build: expect.any(String) });
    const bytes = (head?.index as Binary).buffer;
    const index = decodeSeekIndex(bytes);
    // An MP3 index is one document: no chunks.
    expect(await indexDocs(t.db).countDocuments({ episode: id })).toBe(1);
    expect(index.sourceSize).toBe((await readFile(cbr.file)).length);
    expect(JSON.parse(index.sourceTag)).toMatchObject({ source: loc.url });

    const again = newMeter();
    const fresh = newStore();
    expect(await fresh.lookup(id, loc, again)).toMatchObject({ kind: "mp3", origin: "stored" });
    expect(again).toEqual({ bytes: bytes.length, requests: 1 });
    // And a third lookup in the same container costs nothing at all.
    const third = newMeter();
    expect(await fresh.lookup(id, loc, third)).toMatchObject({ kind: "mp3", origin: "memory" });
    expect(third).toEqual({ bytes: 0, requests: 0 });
  });

  it("shares one build between concurrent misses of a new episode", async () => {
    const loc = await putRaw(cbr.file);
    const store = newStore();
    const meter = newMeter();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.lookup(`idx-${loc.key}`.replace(/[/.]/g, "-"), loc, meter)),
    );
    expect(results.every((r) => r.kind === "mp3")).toBe(true);
    // One scan of the ~9.6 MB file, not five.
    expect(meter.bytes).toBeLessThan(15_000_000);
  });

  it("indexes ADTS AAC from its frame headers", async () => {
    const aac = await adtsTwentySeconds();
    const loc = await putRaw(aac.file, `index-test/${randomUUID()}.aac`);
    expect(await newStore().lookup(`idx-${randomUUID()}`, loc, newMeter())).toMatchObject({
      kind: "aac",
      origin: "built",
      index: { encoderDelay: 0, packetHeader: 7 },
    });
  });

  it("tells a source no index reads (FLAC) from its first bytes instead of scanning it", async () => {
    const flac = await flacTwentySeconds();
    const loc = await putRaw(flac.file, `index-test/${randomUUID()}.flac`);
    const meter = newMeter();
    expect(await newStore().lookup(`idx-${randomUUID()}`, loc, meter)).toEqual({
      kind: "not-mp3",
      reason: "not MPEG audio",
    });
    expect(meter.bytes).toBeLessThanOrEqual(4096 + 1024);
  });

  it("indexes an M4A from its moov, stores the AAC index under the episode's id and finds it again", async () => {
    const aac = await aacTwentySeconds();
    const loc = await putRaw(aac.file, `index-test/${randomUUID()}.m4a`);
    const id = `idx-${randomUUID()}`;
    const meter = newMeter();
    const built = await newStore().lookup(id, loc, meter);
    expect(built).toMatchObject({ kind: "aac", origin: "built" });
    // The head, the moov after mdat: far less than the file.
    expect(meter.bytes).toBeLessThan((await readFile(aac.file)).length / 2);
    const stored = await newStore().lookup(id, loc, newMeter());
    expect(stored).toMatchObject({ kind: "aac", origin: "stored" });
    if (stored.kind === "aac" && built.kind === "aac") expect(stored.index).toEqual(built.index);
  });

  it("a container without the AAC index reads its head, then only the sizes of the clip's packets", async () => {
    const m4a = await m4aMoovAtEnd();
    const loc = await putRaw(m4a.file, `index-test/${randomUUID()}.m4a`);
    const id = `idx-${randomUUID()}`;
    const built = await newStore().lookup(id, loc, newMeter());
    const store = newStore();
    const meter = newMeter();
    const head = await store.lookup(id, loc, meter);
    if (head.kind !== "aac" || built.kind !== "aac") throw new Error("not an AAC index");
    // The head alone: no sizes, a few KB.
    expect(head).toMatchObject({ origin: "stored", index: { sizesFrom: 0 } });
    expect(head.index.sizes.length).toBe(0);
    const headBytes = meter.bytes;
    expect(headBytes).toBeLessThan(4096);
    const need = aacSizesNeeded(head.index, aacPacketRange(head.index, 61_234, 91_234));
    const windowed = await store.aacWindow(id, head, need.from, need.to, meter);
    expect(planAacCut(windowed, 61_234, 91_234)).toEqual(planAacCut(built.index, 61_234, 91_234));
    // Head and the one chunk of sizes the clip's packets are in, against ~16 KB of sizes for 3 minutes.
    expect(meter.bytes).toBe(headBytes + SIZES_CHUNK_BYTES);
    expect(meter.requests).toBe(2);

    // A second clip of the episode reads its own window too, and the whole table of sizes then arrives in the
    // background (no request waits for it): this container's later cuts read no index bytes at all.
    const second = newMeter();
    const need2 = aacSizesNeeded(head.index, aacPacketRange(head.index, 100_000, 110_000));
    const windowed2 = await store.aacWindow(id, head, need2.from, need2.to, second);
    expect(planAacCut(windowed2, 100_000, 110_000)).toEqual(planAacCut(built.index, 100_000, 110_000));
    expect(second.requests).toBe(1);
    const whole = await waitFor(async () => {
      const again = await store.lookup(id, loc, newMeter());
      return again.kind === "aac" && again.index.sizes.length === built.index.packetCount && again;
    }, "the whole table of AAC packet sizes in memory");
    expect(whole).toMatchObject({ origin: "memory" });
    const later = newMeter();
    const elsewhere = aacSizesNeeded(built.index, aacPacketRange(built.index, 150_000, 170_000));
    if (whole.kind !== "aac") throw new Error("not an AAC index");
    const window2 = await store.aacWindow(id, whole, elsewhere.from, elsewhere.to, later);
    expect(planAacCut(window2, 150_000, 170_000)).toEqual(planAacCut(built.index, 150_000, 170_000));
    expect(later).toMatchObject({ requests: 0, bytes: 0 });
  });

  it("reads a window across two chunks in one read; a head read before a rewrite finds its chunks gone", async () => {
    const m4a = await m4aMoovAtEnd();
    const loc = await putRaw(m4a.file, `index-test/${randomUUID()}.m4a`);
    const id = `idx-${randomUUID()}`;
    const built = await newStore().lookup(id, loc, newMeter());
    const store = newStore();
    const head = await store.lookup(id, loc, newMeter());
    if (head.kind !== "aac" || built.kind !== "aac") throw new Error("not an AAC index");
    const perChunk = SIZES_CHUNK_BYTES / 2;
    expect(built.index.packetCount).toBeGreaterThan(perChunk + 100);
    const meter = newMeter();
    const across = await store.aacWindow(id, head, perChunk - 10, perChunk + 10, meter);
    expect(Array.from(across.sizes)).toEqual(Array.from(built.index.sizes.subarray(perChunk - 10, perChunk + 10)));
    expect(meter).toEqual({ requests: 1, bytes: Math.min(2 * SIZES_CHUNK_BYTES, 2 * built.index.packetCount) });

    // Another container rewrites the index: its head and chunks replace these, and the old chunks go.
    await newStore().build(id, loc, newMeter());
    const docs = await indexDocs(t.db).find({ episode: id }).toArray();
    const builds = new Set(docs.map((doc) => doc.build as string));
    expect(builds.size).toBe(1);
    expect(docs.length).toBe(1 + Math.ceil(built.index.packetCount / perChunk));
    await expect(store.aacWindow(id, head, 10, 20, newMeter())).rejects.toBeInstanceOf(IndexMismatchError);
  });

  it("containers writing one episode's index at once leave a head whose chunks are all there", async () => {
    const m4a = await m4aMoovAtEnd();
    const loc = await putRaw(m4a.file, `index-test/${randomUUID()}.m4a`);
    const id = `idx-${randomUUID()}`;
    const written = await Promise.all([1, 2, 3].map(() => newStore().build(id, loc, newMeter())));
    expect(written.every((found) => found.kind === "aac" && !found.storeError)).toBe(true);
    if (written[0]?.kind !== "aac") throw new Error("not an AAC index");
    const docs = await indexDocs(t.db).find({ episode: id }).toArray();
    const head = docs.find((doc) => doc._id === (id as unknown));
    const chunks = Math.ceil(written[0].index.packetCount / (SIZES_CHUNK_BYTES / 2));
    expect(docs.filter((doc) => doc.build === head?.build)).toHaveLength(1 + chunks);
    // The build the last head replaced is gone (chunks a lost race left are never read; purge removes them).
    expect(docs.length).toBeLessThanOrEqual(1 + 2 * chunks);
    const found = await newStore().lookup(id, loc, newMeter());
    if (found.kind !== "aac") throw new Error("not an AAC index");
    const at = 120_000;
    const window = await newStore().aacWindow(id, found, 0, written[0].index.packetCount, newMeter());
    expect(planAacCut(window, at, at + 20_000)).toEqual(planAacCut(written[0].index, at, at + 20_000));
  });

  it("rebuilds an index that is corrupt, or that describes another file", async () => {
    const loc = await putRaw(cbr.file);
    const id = `idx-${randomUUID()}`;
    const garbage = new Binary(new TextEncoder().encode("not an index"));
    await indexDocs(t.db).insertOne({ _id: id as never, episode: id, build: "b", index: garbage, chunk_bytes: 8192 });
    expect(await newStore().lookup(id, loc, newMeter())).toMatchObject({ kind: "mp3", origin: "built" });

    // The episode now points at another object: the stored index is for the old one.
    const moved = await putRaw(vbr.file);
    const found = await newStore().lookup(id, moved, newMeter());
    expect(found).toMatchObject({ kind: "mp3", origin: "built" });
    if (found.kind === "mp3") expect(found.index.sourceSize).toBe((await readFile(vbr.file)).length);
  });
});

describe("an index that cannot be stored", () => {
  it("with MongoDB unreachable: the cut goes on from the built index, the log line says why, nothing is stored", async () => {
    const m4a = await m4aMoovAtEnd();
    const loc = await putRaw(m4a.file, `index-test/${randomUUID()}.m4a`);
    const id = `idx-${randomUUID()}`;
    // A real client of a port nothing listens on: server selection fails as it does when the cluster is gone.
    const down = new MongoClient("mongodb://127.0.0.1:9/", { serverSelectionTimeoutMS: 300 });
    try {
      const docs = down.db(t.db.databaseName).collection(indexDocs(t.db).collectionName);
      const found = await new SeekIndexStore(new StoredIndexes(docs, mongoWhere(down))).build(id, loc, newMeter());
      expect(found).toMatchObject({ kind: "aac", origin: "built" });
      if (found.kind === "not-mp3") throw new Error("not indexed");
      expect(found.storeError).toMatch(/^MongoDB connection timeout \(host 127\.0\.0\.1:9\).*seek index write/);
    } finally {
      await down.close();
    }
    expect(await hasStoredIndex(t.db, id)).toBe(false);
  });

  it("failing after its chunks, before its head (scripted: a real server cannot fail between two writes): its chunks are removed", async () => {
    const m4a = await m4aMoovAtEnd();
    const loc = await putRaw(m4a.file, `index-test/${randomUUID()}.m4a`);
    const id = `idx-${randomUUID()}`;
    const failing = new Proxy(indexDocs(t.db), {
      get(target, prop, receiver) {
        if (prop === "findOneAndReplace") return () => Promise.reject(new MongoNetworkError("scripted reset"));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const found = await new SeekIndexStore(new StoredIndexes(failing, mongoWhere(t.db.client))).build(
      id,
      loc,
      newMeter(),
    );
    expect(found).toMatchObject({ kind: "aac", origin: "built", storeError: expect.stringMatching(/scripted reset/) });
    expect(await hasStoredIndex(t.db, id)).toBe(false);
    // The next container finds no index and builds one, as if this write had never started.
    expect(await newStore().lookup(id, loc, newMeter())).toMatchObject({ kind: "aac", origin: "built" });
  });
});

describe("an episode re-uploaded under the same key", () => {
  it("is detected by If-Match on the frame read, re-indexed once, and cut from the new audio", async () => {
    const key = `index-test/${randomUUID()}.mp3`;
    await putRaw(cbr.file, key);
    const episode = await seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs: vbr.durationMs });
    const first = await t.request(clipPath(episode, 10_000, 5_000));
    expect(first.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ seek_index: "built" });
    const headOf = (docs: Collection<Document>) => docs.findOne({ _id: episode as never });
    const before = await headOf(indexDocs(t.db));

    await putRaw(vbr.file, key);
    const res = await t.request(clipPath(episode, 100_000, 20_000));
    expect(res.status).toBe(200);
    // The memory cache still held the old index; the ranged read's If-Match caught the change.
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "frames", seek_index: "built" });
    const after = await headOf(indexDocs(t.db));
    expect(after?.build).not.toBe(before?.build);
    const file = await downloads.download(res.json.clip_url, "reuploaded.mp3");
    await expectCutFrom(vbr.file, file, 100_000, 20_000, { lengthMs: 1, startMs: 26.2 });
  });
});

/** Puts bytes under a fresh raw key; returns the episode id seeded for it. */
async function episodeOf(bytes: Uint8Array, durationMs: number): Promise<string> {
  const key = `index-test/${randomUUID()}.mp3`;
  await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: bytes }));
  return seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs });
}

/** An ID3v2.3 tag: a title frame and zero padding to `size` body bytes. */
function id3v23(size: number): Uint8Array {
  const tag = new Uint8Array(10 + size);
  tag.set([0x49, 0x44, 0x33, 3, 0, 0]);
  writeSyncsafe(size, tag, 6);
  tag.set([0x54, 0x49, 0x54, 0x32, 0, 0, 0, 4, 0, 0, 0, 0x61, 0x62, 0x63], 10); // TIT2 "abc"
  return tag;
}

describe("MP3 as the world writes it (issue 14)", () => {
  it("stacked ID3v2 tags (v2.3 then FFmpeg's v2.4): indexed and cut by copying frames, not re-encoded", async () => {
    const mp3 = new Uint8Array(await readFile(cbr.file));
    expect(mp3[3]).toBe(4);
    const stacked = new Uint8Array([...id3v23(2000), ...mp3]);
    const episode = await episodeOf(stacked, cbr.durationMs);
    const res = await t.request(clipPath(episode, 61_000, 4_000));
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "frames", seek_index: "built" });
    const file = await downloads.download(res.json.clip_url, "stacked.mp3");
    await expectCutFrom(cbr.file, file, 61_000, 4_000, { lengthMs: 1, startMs: 0.2 });
  });

  it("the Info frame, then more junk than the index searches: FFmpeg cuts it instead of a 422, and the log says why", async () => {
    const mp3 = new Uint8Array(await readFile(cbr.file));
    const index = await buildSeekIndex(bytesSource(mp3));
    const afterInfo = index.audioStart; // the format check sees the Info frame: MP3
    const junk = new Uint8Array(1536 * 1024);
    for (let i = 0, x = 12345; i < junk.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      junk[i] = x & 0xff;
    }
    const bytes = new Uint8Array([...mp3.subarray(0, afterInfo), ...junk, ...mp3.subarray(afterInfo)]);
    const episode = await episodeOf(bytes, cbr.durationMs);
    const res = await t.request(clipPath(episode, 30_000, 5_000));
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({
      cut_method: "ffmpeg",
      ffmpeg_because: "seek index refused: no MPEG audio frames after the header frame",
    });
    const file = await downloads.download(res.json.clip_url, "junk-laden.mp3");
    const aligned = await alignClip(cbr.file, file, 30_000);
    console.info(
      `[junk-laden via FFmpeg] offset ${aligned.offsetMs} ms, correlation ${aligned.correlation.toFixed(3)}`,
    );
    expect(aligned.correlation).toBeGreaterThan(0.9);
    // FFmpeg's own accuracy on this file (its re-encode adds its own delay), not the index's.
    expect(Math.abs(aligned.offsetMs)).toBeLessThanOrEqual(60);
    // Known now: the next cut of this episode goes straight to FFmpeg without scanning again.
    await t.request(clipPath(episode, 40_000, 1_000));
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "ffmpeg", downloaded: true });
    expect(t.logs.at(-1)?.seek_index).toBeUndefined();
  });

  it("free format: the index says what it found, and the cut goes to FFmpeg (which cannot decode it either: 422)", async () => {
    const mp3 = new Uint8Array(await readFile(cbr.file));
    const index = await buildSeekIndex(bytesSource(mp3));
    const { offsets } = walkFrames(index, spanForFrames(index, 0, index.frameCount - 1), mp3, 0);
    const free = mp3.slice(index.audioStart);
    for (const at of offsets) free[at - index.audioStart + 2] = (free[at - index.audioStart + 2] ?? 0) & 0x0f;
    const key = `index-test/${randomUUID()}.mp3`;
    await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: free }));
    const found = await newStore().lookup(`idx-${randomUUID()}`, await putRawBytes(free), newMeter());
    expect(found).toEqual({
      kind: "not-mp3",
      reason: "seek index refused: free-format MPEG audio (no bitrate in its frame headers) cannot be indexed",
      mp3: true,
    });
    const episode = await seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs: cbr.durationMs });
    const res = await t.request(clipPath(episode, 30_000, 5_000));
    expect(res.status).toBe(422);
    expect(res.detail).toMatch(/is not audio FFmpeg can cut/);
  });

  it.each([
    ["0 bytes", new Uint8Array(0)],
    ["an ID3 tag and no audio", id3v23(5000)],
    ["2 ID3 tags and no audio", new Uint8Array([...id3v23(5000), ...id3v23(100)])],
  ])("a file of %s: 422 that says so", async (what, bytes) => {
    const episode = await episodeOf(bytes, 60_000);
    const res = await t.request(clipPath(episode, 1_000, 5_000));
    expect(res.status).toBe(422);
    // 422 bodies carry the fixed message; the operator reads what was found on the log line.
    expect(res.detail).toBe(`The audio of episode ${episode} is ${what}`);
  });
});

async function putRawBytes(bytes: Uint8Array) {
  const key = `index-test/${randomUUID()}.mp3`;
  await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: bytes }));
  return s3AudioSource(testS3, { bucket: BUCKETS.raw, key });
}
