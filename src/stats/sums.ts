/**
 * Mergeable sufficient statistics of a sample (count, mean, sum of squared deviations), so that
 * chunks of runs can be checkpointed in a few numbers and combined into one {@link Estimate}.
 * The same numerics as {@link MeanAccumulator} (Welford within a sample, Chan–Golub–LeVeque to
 * merge), never the cancelling `Σx² − n·mean²`.
 *
 * @module
 */
import { InsufficientSamplesError } from "../errors.js";
import type { Estimate } from "./estimate.js";

export interface Sums {
  readonly n: number;
  readonly mean: number;
  /** Sum of squared deviations from the mean. */
  readonly m2: number;
}

const EMPTY: Sums = { n: 0, mean: 0, m2: 0 };

/** The sums of a sample (Welford's update). */
export function sumsOf(xs: ArrayLike<number>): Sums {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < xs.length; i++) {
    const delta = xs[i] - mean;
    mean += delta / (i + 1);
    m2 += delta * (xs[i] - mean);
  }
  return { n: xs.length, mean, m2 };
}

/** The sums of the union of samples (pairwise merge of Chan, Golub & LeVeque). */
export function mergeSums(parts: readonly Sums[]): Sums {
  return parts.reduce((a, b) => {
    if (b.n === 0) return a;
    const n = a.n + b.n;
    const delta = b.mean - a.mean;
    return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
  }, EMPTY);
}

/**
 * The mean with its standard error from sums.
 * @throws InsufficientSamplesError for fewer than 2 samples.
 */
export function estimateFromSums(x: Sums): Estimate {
  if (x.n < 2) throw new InsufficientSamplesError("estimateFromSums", x.n, 2);
  return { value: x.mean, stderr: Math.sqrt(x.m2 / (x.n - 1) / x.n), n: x.n };
}
