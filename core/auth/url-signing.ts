import { canonicalPath } from "../contract/clip-path.js";
import type { ClipRequest } from "../contract/clip-request.js";
import { hmacSha256Hex, verifyHmacSha256Hex } from "./hmac.js";

/**
 * Optional signed public URLs, imgproxy-style: the embedding application signs the canonical request
 * with an expiry and a key id. Signing the canonical form means every spelling of the same clip
 * verifies, and since the parser ignores these parameters they never split the cache.
 */
export const URL_SIGNATURE_PARAMS = { keyId: "kid", expires: "exp", signature: "sig" } as const;

export interface UrlSigningKey {
  id: string;
  secret: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses the URL_SIGNING_KEYS secret, "id1:secret1,id2:secret2"; the first key signs. */
export function parseUrlSigningKeys(value: string): UrlSigningKey[] {
  const keys: UrlSigningKey[] = [];
  for (const entry of value.split(",").map((s) => s.trim())) {
    if (entry === "") continue;
    const colon = entry.indexOf(":");
    const id = colon < 0 ? "" : entry.slice(0, colon);
    const secret = colon < 0 ? "" : entry.slice(colon + 1);
    if (!KEY_ID.test(id))
      throw new Error(`URL_SIGNING_KEYS: each entry must be id:secret with an id of 1-32 of A-Z a-z 0-9 _ -`);
    if (secret.length < 16) throw new Error(`URL_SIGNING_KEYS: the secret of key ${id} must be at least 16 characters`);
    if (keys.some((k) => k.id === id)) throw new Error(`URL_SIGNING_KEYS: key id ${id} appears twice`);
    keys.push({ id, secret });
  }
  if (keys.length === 0) throw new Error("URL_SIGNING_KEYS: no keys given");
  return keys;
}

function message(keyId: string, expiresAtS: number, req: ClipRequest): string {
  return `edgeclip-url-v1\n${keyId}\n${expiresAtS}\n${canonicalPath(req)}`;
}

/** The canonical edge URL of the clip with kid, exp and sig appended. */
export async function signClipUrl(
  baseUrl: string,
  req: ClipRequest,
  key: UrlSigningKey,
  expiresAtS: number,
): Promise<string> {
  const url = new URL(canonicalPath(req), baseUrl);
  const sig = await hmacSha256Hex(key.secret, message(key.id, expiresAtS, req));
  url.searchParams.set(URL_SIGNATURE_PARAMS.keyId, key.id);
  url.searchParams.set(URL_SIGNATURE_PARAMS.expires, String(expiresAtS));
  url.searchParams.set(URL_SIGNATURE_PARAMS.signature, sig);
  return url.toString();
}

export type UrlSignatureResult =
  { ok: true } | { ok: false; reason: "missing" | "malformed" | "unknown_key" | "expired" | "mismatch" };

export async function verifyClipUrlSignature(
  req: ClipRequest,
  params: URLSearchParams,
  keys: readonly UrlSigningKey[],
  nowMs: number = Date.now(),
): Promise<UrlSignatureResult> {
  const values = Object.values(URL_SIGNATURE_PARAMS).map((name) => params.getAll(name));
  if (values.some((v) => v.length === 0)) return { ok: false, reason: "missing" };
  if (values.some((v) => v.length > 1)) return { ok: false, reason: "malformed" };
  const [[keyId], [exp], [sig]] = values as [[string], [string], [string]];
  if (!/^[0-9]{1,12}$/.test(exp)) return { ok: false, reason: "malformed" };
  const key = keys.find((k) => k.id === keyId);
  if (!key) return { ok: false, reason: "unknown_key" };
  const expiresAtS = Number(exp);
  if (nowMs / 1000 > expiresAtS) return { ok: false, reason: "expired" };
  const valid = await verifyHmacSha256Hex([key.secret], message(keyId, expiresAtS, req), sig);
  return valid ? { ok: true } : { ok: false, reason: "mismatch" };
}
