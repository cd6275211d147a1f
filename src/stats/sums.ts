/**
 * Mergeable sufficient statistics of a sample (count, sum, sum of squares), so that chunks of
 * runs can be checkpointed in a few numbers and combined into one {@link Estimate}.
 *
 * @module
 */
import { InsufficientSamplesError } from "../errors.js";
import type { Estimate } from "./estimate.js";

export interface Sums {
  readonly n: number;
  readonly s: number;
  readonly s2: number;
}

/** The sums of a sample. */
export function sumsOf(xs: ArrayLike<number>): Sums {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < xs.length; i++) {
    s += xs[i];
    s2 += xs[i] * xs[i];
  }
  return { n: xs.length, s, s2 };
}

/** The sums of the union of samples. */
export function mergeSums(parts: readonly Sums[]): Sums {
  return parts.reduce((a, b) => ({ n: a.n + b.n, s: a.s + b.s, s2: a.s2 + b.s2 }), { n: 0, s: 0, s2: 0 });
}

/**
 * The mean with its standard error from sums (`variance = (s2 − n·mean²)/(n − 1)`, clamped at 0).
 * @throws InsufficientSamplesError for fewer than 2 samples.
 */
export function estimateFromSums(x: Sums): Estimate {
  if (x.n < 2) throw new InsufficientSamplesError("estimateFromSums", x.n, 2);
  const mean = x.s / x.n;
  const variance = Math.max(0, (x.s2 - x.n * mean * mean) / (x.n - 1));
  return { value: mean, stderr: Math.sqrt(variance / x.n), n: x.n };
}
