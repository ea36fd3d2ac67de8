import { expect } from "vitest";

/**
 * Words that only an operator may read: what a public answer (body or header) must never contain. The
 * fixed words catch classes of internals whatever the test's servers are called; `names` adds this test's
 * own (bucket names, loopback endpoints, temp folders, FFmpeg's path).
 */
const ALWAYS = [
  "s3://",
  "s3:",
  "GetObject",
  "HeadObject",
  "PutObject",
  "ListObjects",
  "mongodb://",
  "MongoDB",
  "FFmpeg",
  "ffmpeg",
  "stderr",
  "127.0.0.1",
  "localhost",
  "ORIGIN_",
  "SOURCE_",
  "EPISODE_FIELD",
  "/tmp/",
  "    at ", // a stack frame
  "Conversion failed",
  "SIG", // SIGSEGV, SIGKILL: how a process died
];

export interface PublicAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Fails when a public error answer names an internal; returns the answer's text for further checks. */
export function expectNoInternals(answer: PublicAnswer, names: readonly string[] = []): void {
  const text = [answer.body, ...Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}`)].join("\n");
  const found = [...ALWAYS, ...names.filter((n) => n.length >= 3)].filter((word) => text.includes(word));
  expect(found, `public ${answer.status} answer names internals:\n${text}`).toEqual([]);
}
