import { hmacSha256Hex, verifyHmacSha256Hex } from "./hmac.js";

/**
 * How the Worker proves to the origin that it sent a request: an HMAC over the canonical request
 * and a timestamp. Signing the canonical form (not the raw URL) means unknown parameters and
 * alternative spellings cannot be used to replay a signature onto another clip.
 */
export const TIMESTAMP_HEADER = "x-edgeclip-timestamp";
export const SIGNATURE_HEADER = "x-edgeclip-signature";
export const MAX_CLOCK_SKEW_S = 300;

export interface OriginSignedRequest {
  method: string;
  /** `canonicalPath(req)`: path plus canonical query. */
  canonicalPath: string;
}

function message(req: OriginSignedRequest, timestampS: number): string {
  return `edgeclip-origin-v1\n${timestampS}\n${req.method.toUpperCase()}\n${req.canonicalPath}`;
}

export async function signOriginRequest(
  req: OriginSignedRequest,
  secret: string,
  nowMs: number = Date.now(),
): Promise<Record<string, string>> {
  const timestampS = Math.floor(nowMs / 1000);
  return {
    [TIMESTAMP_HEADER]: String(timestampS),
    [SIGNATURE_HEADER]: `v1=${await hmacSha256Hex(secret, message(req, timestampS))}`,
  };
}

export type OriginAuthResult = { ok: true } | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" };

/** Header lookup is case-insensitive by contract: callers pass a getter over their header type. */
export async function verifyOriginRequest(
  req: OriginSignedRequest,
  header: (name: string) => string | undefined,
  secrets: readonly string[],
  nowMs: number = Date.now(),
): Promise<OriginAuthResult> {
  const ts = header(TIMESTAMP_HEADER);
  const sig = header(SIGNATURE_HEADER);
  if (ts === undefined || sig === undefined) return { ok: false, reason: "missing" };
  if (!/^[0-9]{1,12}$/.test(ts) || !sig.startsWith("v1=")) return { ok: false, reason: "malformed" };
  const timestampS = Number(ts);
  if (Math.abs(nowMs / 1000 - timestampS) > MAX_CLOCK_SKEW_S) return { ok: false, reason: "stale" };
  const valid = await verifyHmacSha256Hex(secrets, message(req, timestampS), sig.slice(3));
  return valid ? { ok: true } : { ok: false, reason: "mismatch" };
}
