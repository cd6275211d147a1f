/**
 * FNV-1a (32-bit) of a string's UTF-16 code units: a small, stable, non-cryptographic hash for
 * naming things (checkpoint files, config keys) and for deriving seeds from names. Hand-written
 * because it is eight lines and the exact core of the seeds must not depend on a package.
 *
 * @module
 */

/** FNV-1a of `text` as an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** {@link fnv1a32} as 8 lower-case hex digits. */
export function fnv1aHex(text: string): string {
  return fnv1a32(text).toString(16).padStart(8, "0");
}
