/** The seed every stochastic test uses; set DEFAULT_SEED to reproduce a failure. */
export const SEED: number = process.env.DEFAULT_SEED !== undefined ? Number(process.env.DEFAULT_SEED) : 20261127;

/** A small seeded PRNG for tests (mulberry32); returns floats in [0, 1). */
export function seededRandom(seed: number = SEED): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
