/**
 * The one seed derivation: every random stream of an experiment is a *named sub-stream* of the
 * base seed, `new Rng(namedSeed(seed, name))`, so streams are independent of each other and of
 * the order in which they are drawn, and a name says what a stream is for (no magic constants).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { fnv1a32 } from "./hash.js";
import { Rng } from "./rng.js";

/**
 * The seed of the sub-stream `name` of `base`: a safe integer whose low 32 bits are the
 * FNV-1a hash of the name and whose high bits come from the base (the low 20 bits of it).
 * @throws InvalidArgumentError when `base` is not a safe integer.
 */
export function namedSeed(base: number, name: string): number {
  if (!Number.isSafeInteger(base)) throw new InvalidArgumentError("namedSeed", "base", "a safe integer", base);
  const hi = ((base % 0x100000) + 0x100000) % 0x100000;
  return hi * 0x100000000 + fnv1a32(name);
}

/** The generator of the sub-stream `name` of `base` ({@link namedSeed}). */
export function namedStream(base: number, name: string): Rng {
  return new Rng(namedSeed(base, name));
}
