/**
 * Monte-Carlo estimates of means: the `Estimate` record, a streaming accumulator, confidence
 * intervals and paired differences.
 *
 * @module
 */
import { InsufficientSamplesError, InvalidArgumentError } from "../errors.js";

/**
 * A Monte-Carlo estimate of a mean: `value ± stderr` from `n` independent samples.
 *
 * `stderr` is the sample standard deviation (with Bessel's correction) divided by `√n`.
 * Exact quantities may be reported as `{ value, stderr: 0, n: Infinity }`.
 */
export interface Estimate {
  readonly value: number;
  readonly stderr: number;
  readonly n: number;
}

/** `z = 1.959963984540054`, the two-sided 95% quantile of the standard normal. */
export const Z_95 = 1.959963984540054;

/**
 * Streaming mean and variance of a sequence of numbers.
 *
 * ## Method
 * Welford's update: with `δ = x − mean`, `mean += δ/n` and `M2 += δ·(x − mean_new)`, so the
 * sum of squared deviations `M2` never suffers the cancellation of `Σx² − n·mean²`.
 * {@link MeanAccumulator.merge} combines two accumulators with the pairwise formula of Chan,
 * Golub & LeVeque, so that batches may be accumulated separately.
 *
 * NaN policy: a NaN sample makes the estimate NaN from then on (it is not skipped);
 * ±Infinity likewise propagates (as NaN in the variance).
 *
 * ## References
 * - B. P. Welford, "Note on a method for calculating corrected sums of squares and
 *   products", Technometrics 4(3), 1962, doi:10.1080/00401706.1962.10490022.
 * - T. F. Chan, G. H. Golub, R. J. LeVeque, "Algorithms for computing the sample variance",
 *   The American Statistician 37(3), 1983.
 *
 * @example
 * ```ts
 * const acc = new MeanAccumulator().pushAll([1, 2, 3, 4]);
 * acc.estimate(); // { value: 2.5, stderr: 0.6454972243679028, n: 4 }
 * ```
 */
export class MeanAccumulator {
  #n = 0;
  #mean = 0;
  #m2 = 0;

  /** Number of samples pushed so far. */
  get count(): number {
    return this.#n;
  }

  /** Adds one sample. */
  push(x: number): this {
    this.#n += 1;
    const delta = x - this.#mean;
    this.#mean += delta / this.#n;
    this.#m2 += delta * (x - this.#mean);
    return this;
  }

  /** Adds every sample of `xs`. */
  pushAll(xs: Iterable<number> | ArrayLike<number>): this {
    if (typeof (xs as Iterable<number>)[Symbol.iterator] === "function") {
      for (const x of xs as Iterable<number>) this.push(x);
    } else {
      const a = xs as ArrayLike<number>;
      for (let i = 0; i < a.length; i++) this.push(a[i]);
    }
    return this;
  }

  /** Adds all samples summarised by `other` (which is left unchanged). */
  merge(other: MeanAccumulator): this {
    const nb = other.#n;
    if (nb === 0) return this;
    const na = this.#n;
    const n = na + nb;
    const delta = other.#mean - this.#mean;
    this.#mean += (delta * nb) / n;
    this.#m2 += other.#m2 + (delta * delta * na * nb) / n;
    this.#n = n;
    return this;
  }

  /** The running mean (NaN before the first sample). */
  get mean(): number {
    return this.#n === 0 ? NaN : this.#mean;
  }

  /**
   * Unbiased sample variance `M2/(n−1)`.
   *
   * @throws InsufficientSamplesError when fewer than 2 samples were pushed.
   */
  variance(): number {
    if (this.#n < 2) throw new InsufficientSamplesError("MeanAccumulator.variance", this.#n, 2);
    return this.#m2 / (this.#n - 1);
  }

  /**
   * The mean with its standard error `√(variance/n)`.
   *
   * @throws InsufficientSamplesError when fewer than 2 samples were pushed (a standard error
   * cannot be estimated from one sample).
   */
  estimate(): Estimate {
    if (this.#n < 2) throw new InsufficientSamplesError("MeanAccumulator.estimate", this.#n, 2);
    return { value: this.#mean, stderr: Math.sqrt(this.#m2 / (this.#n - 1) / this.#n), n: this.#n };
  }
}

/**
 * The mean of `samples` with its standard error.
 *
 * @throws InsufficientSamplesError for fewer than 2 samples.
 */
export function estimateMean(samples: ArrayLike<number>): Estimate {
  if (samples.length < 2) throw new InsufficientSamplesError("estimateMean", samples.length, 2);
  return new MeanAccumulator().pushAll(samples).estimate();
}

/** A mean with its standard error and 95% half-width, over `runs` samples (NaN where undefined). */
export interface MeanInterval {
  readonly mean: number;
  readonly stderr: number;
  readonly ci95: number;
  readonly runs: number;
}

/**
 * The mean of `samples`, its standard error and the 95% normal-approximation half-width
 * `1.96·stderr`. Unlike {@link estimateMean} it never throws: the mean is NaN without samples,
 * the error NaN with fewer than 2 (for tables of measurements where some cells are empty).
 */
export function meanInterval(samples: ArrayLike<number>): MeanInterval {
  const acc = new MeanAccumulator().pushAll(samples);
  const stderr = acc.count < 2 ? NaN : Math.sqrt(acc.variance() / acc.count);
  return { mean: acc.mean, stderr, ci95: Z_95 * stderr, runs: acc.count };
}

/**
 * The two-sided 95% normal-approximation interval `value ∓ 1.96·stderr`.
 *
 * @returns `[low, high]` (NaN bounds when `est` has NaN fields).
 */
export function confidenceInterval95(est: Estimate): [low: number, high: number] {
  const half = Z_95 * est.stderr;
  return [est.value - half, est.value + half];
}

/**
 * Distance of an estimate from a reference value in standard errors,
 * `(est.value − reference)/est.stderr`. Infinite when `stderr = 0` and the values differ; 0
 * when they agree exactly.
 */
export function zScore(est: Estimate, reference: number): number {
  const d = est.value - reference;
  if (d === 0) return 0;
  return d / est.stderr;
}

/**
 * The mean of the paired differences `a_i − b_i` with its standard error.
 *
 * Pairs come from the same random draw (common random numbers: e.g. the same seed run with
 * two optimizers), so their errors are correlated; differencing pairwise cancels the shared
 * noise, whereas subtracting two separate {@link Estimate}s would add their variances.
 *
 * @throws InvalidArgumentError when the lengths differ.
 * @throws InsufficientSamplesError for fewer than 2 pairs.
 */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>): Estimate {
  if (a.length !== b.length) {
    throw new InvalidArgumentError("pairedDifference", "b.length", `equal to a.length = ${a.length}`, b.length);
  }
  if (a.length < 2) throw new InsufficientSamplesError("pairedDifference", a.length, 2);
  const acc = new MeanAccumulator();
  for (let i = 0; i < a.length; i++) acc.push(a[i] - b[i]);
  return acc.estimate();
}

/**
 * The difference of two *independent* estimates, `x − y`, with
 * `stderr = √(x.stderr² + y.stderr²)` and `n = min(x.n, y.n)`. For paired samples use
 * {@link pairedDifference}, which is sharper.
 */
export function independentDifference(x: Estimate, y: Estimate): Estimate {
  return { value: x.value - y.value, stderr: Math.hypot(x.stderr, y.stderr), n: Math.min(x.n, y.n) };
}
