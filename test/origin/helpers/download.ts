import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";

/** A temp folder that (pre-signed) clip URLs are downloaded into, for FFmpeg's probes of the clip. */
export interface Downloads {
  /** Fetches the URL (it must answer 200) into a file of this name; returns the file's path. */
  download(url: string, name: string): Promise<string>;
  /** Removes the folder (call from afterAll). */
  remove(): Promise<void>;
}

export async function downloadFolder(prefix: string): Promise<Downloads> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    async download(url, name) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const file = path.join(dir, name);
      await writeFile(file, new Uint8Array(await res.arrayBuffer()));
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
