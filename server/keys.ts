import { createHash, timingSafeEqual } from "node:crypto";

/** A stable public id for a member of a table; the secret key cannot be read back from it. */
export function memberIdFor(tableId: string, memberKey: string): string {
  return createHash("sha256").update(`${tableId}\0${memberKey}`).digest("base64url").slice(0, 16);
}

/** Facilitator keys are random (≥ 96 bits), so a plain SHA-256 is enough to keep them unreadable. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Whether a key is the one whose hash is stored, compared in constant time. */
export function keyMatches(key: string | undefined, hash: string): boolean {
  if (!key) return false;
  const a = Buffer.from(hashKey(key), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
