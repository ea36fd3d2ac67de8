/**
 * HMAC-SHA256 with WebCrypto only, so the same code runs in workerd, Node and Lambda.
 * Verification goes through `crypto.subtle.verify`, which compares in constant time; we never
 * compare signature strings with `===`.
 */
const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function importKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    // Secrets are few (one per rotation slot); the cache stays tiny.
    keyCache.set(secret, key);
  }
  return key;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const b of view) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Returns undefined for anything that is not an even-length lowercase/uppercase hex string. */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await importKey(secret);
  return toHex(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

/** Constant-time check of a hex HMAC against each secret in turn (several secrets allow rotation). */
export async function verifyHmacSha256Hex(
  secrets: readonly string[],
  message: string,
  signatureHex: string,
): Promise<boolean> {
  const signature = fromHex(signatureHex);
  if (!signature || signature.length !== 32) return false;
  const data = encoder.encode(message);
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await importKey(secret), signature, data)) return true;
  }
  return false;
}
