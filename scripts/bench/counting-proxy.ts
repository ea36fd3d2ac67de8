// A loopback HTTP proxy in front of the S3 server that counts the bytes each GET returns, so the
// benchmark measures source bytes on the wire rather than trusting the code under test to report them.
//
// It runs in a thread of its own (counting-proxy-server.ts), not on the event loop of the origin it measures:
// there every S3 request the origin made also cost the origin the proxy's work for it, which no deployed
// origin pays, and which made each extra request (edgeclip's store check, #15) look dearer than it is.
// The counts are shared memory, so reading them between misses stays synchronous.
import { Worker } from "node:worker_threads";

export interface CountingProxy {
  /** Base URL to use as the S3 endpoint. */
  url: string;
  /** Bytes of GET response bodies since the last reset, except under `ignorePrefix`. */
  bytes(): number;
  requests(): number;
  /** Every request through the proxy since the last reset, by method (the cost table's S3 operations). */
  ops(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/** What the server thread is started with. */
export interface ProxyThreadData {
  target: string;
  ignorePrefix: string;
  counters: SharedArrayBuffer;
}

export const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"] as const;
/** Slots of the shared counters: bytes, counted GETs, then one per method and one for any other. */
export const COUNTER = { bytes: 0, requests: 1, methods: 2 } as const;
const SLOTS = COUNTER.methods + METHODS.length + 1;

/** `ignorePrefix`: a path prefix (e.g. `/clips-bucket/audio_clips/`) whose downloads are not source reads. */
export async function startCountingProxy(target: string, ignorePrefix: string): Promise<CountingProxy> {
  const counters = new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
  const count = new BigInt64Array(counters);
  const data: ProxyThreadData = { target, ignorePrefix, counters };
  // tsx does not reach a worker's entry on Node 20, so the thread loads the TypeScript file through tsx's API.
  const server = new URL("./counting-proxy-server.ts", import.meta.url).href;
  const worker = new Worker(
    `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(server)}, ${JSON.stringify(server)}))`,
    { eval: true, workerData: data },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", (m: { port: number }) => resolve(m.port));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the counting proxy's thread exited (${code}) before listening`)));
  });
  const read = (slot: number) => Number(Atomics.load(count, slot));
  return {
    url: `http://127.0.0.1:${port}`,
    bytes: () => read(COUNTER.bytes),
    requests: () => read(COUNTER.requests),
    ops() {
      const ops: Record<string, number> = {};
      [...METHODS, "other"].forEach((method, i) => {
        const n = read(COUNTER.methods + i);
        if (n > 0) ops[method] = n;
      });
      return ops;
    },
    reset() {
      for (let slot = 0; slot < SLOTS; slot++) Atomics.store(count, slot, 0n);
    },
    close: async () => {
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage("close");
      await exited;
    },
  };
}
