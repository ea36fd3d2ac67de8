import { expect } from "vitest";
import { clipKeys, tempEntries, type TestOrigin } from "./harness.js";

/** What one clip left behind in S3, MongoDB and the cutter's temp folder. */
export interface Leftovers {
  objects: string[];
  records: number;
  tempEntries: string[];
}

export async function leftovers(t: TestOrigin, episode: string, startMs: number): Promise<Leftovers> {
  return {
    objects: (await clipKeys(episode)).filter((k) => k.includes(`/${startMs}-`)),
    records: await t.db.collection("audio_clips").countDocuments({ episode_id: episode, clip_start_ms: startMs }),
    tempEntries: await tempEntries(t.tmpRoot),
  };
}

/** The fault left nothing: no clip object, no record, no temp file. */
export async function expectNothingLeft(t: TestOrigin, episode: string, startMs: number): Promise<void> {
  expect(await leftovers(t, episode, startMs)).toEqual({ objects: [], records: 0, tempEntries: [] });
}

/** After a successful retry: exactly one object and one record for the clip, and no temp file. */
export async function expectOneClip(t: TestOrigin, episode: string, startMs: number): Promise<void> {
  const found = await leftovers(t, episode, startMs);
  expect(found).toEqual({ objects: [expect.any(String)], records: 1, tempEntries: [] });
}

export const clipPath = (episode: string, startMs: number, durationMs = 10_000, extra = "") =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=${durationMs}${extra}`;
