import { InvalidArgumentError } from "../errors.js";
import { type LogisticModel, logSumExp } from "../landscapes/logistic.js";
import type { Schedule } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import type { RunResult } from "./runResult.js";
import { momentumOf, realiseBatches, stepRates } from "./trainingSteps.js";

const CLASSES = 10;

/**
 * Exact SGD-family training of {@link LogisticModel} in *kernel coordinates*.
 *
 * Every gradient of the model is `s·w ⊗ x̃_n` for a training image `x̃_n`, so the weights
 * stay `θ = θ0 + s·Σ_n A_n ⊗ x̃_n` and the logits of any image `x` are
 * `z(x) = z0(x) + s²·Σ_n A_n (x̃_n·x̃)`. Training touches only the `N × 10` matrix `A` and the
 * Gram matrix of the training images; the test loss on a held-out set needs the Gram rows
 * of the training images against it, computed once per population image and cached (shared
 * by every run and every η). The arithmetic is the same as running SGD on `θ` directly
 * (a test checks that), only reordered.
 */
export class LogisticKernelTrainer {
  readonly #gramRows = new Map<number, Float64Array>();
  readonly #testLogits0: Float64Array[];
  readonly #s2: number;

  constructor(
    readonly model: LogisticModel,
    readonly theta0: Float64Array,
    /** Population indices of the held-out test images. */
    readonly testSet: readonly number[],
  ) {
    if (testSet.length === 0) throw new InvalidArgumentError("LogisticKernelTrainer", "testSet", "non-empty", 0);
    this.#s2 = model.scale * model.scale;
    this.#testLogits0 = testSet.map((j) => model.logits(theta0, j));
  }

  /** `x̃_i · x̃_j` for population images (with the bias entry 1). */
  dot(i: number, j: number): number {
    const F = this.model.data.features;
    const px = this.model.data.pixels;
    let s = 1;
    const a = i * F;
    const b = j * F;
    for (let k = 0; k < F; k++) s += px[a + k] * px[b + k];
    return s;
  }

  /**
   * Gram row of population image `i` against the test set (cached). MNIST-like images are
   * mostly zero, so the row is computed from the nonzero pixels of image `i` (≈5× fewer
   * multiplications than a dense dot product; same sum up to rounding order).
   */
  gramRow(i: number): Float64Array {
    let row = this.#gramRows.get(i);
    if (row === undefined) {
      const F = this.model.data.features;
      const px = this.model.data.pixels;
      const idx: number[] = [];
      const val: number[] = [];
      for (let k = 0; k < F; k++) {
        const v = px[i * F + k];
        if (v !== 0) idx.push(k), val.push(v);
      }
      row = new Float64Array(this.testSet.length);
      for (let q = 0; q < this.testSet.length; q++) {
        const b = this.testSet[q] * F;
        let s = 1;
        for (let k = 0; k < idx.length; k++) s += val[k] * px[b + idx[k]];
        row[q] = s;
      }
      this.#gramRows.set(i, row);
    }
    return row;
  }

  /**
   * Trains on the training images `train` (population indices) with `schedule` at each
   * learning rate in `etas` (same training set and order for all: paired), returning the
   * final test and train losses, or the step at which the run diverged.
   */
  run(train: readonly number[], schedule: Schedule, etas: readonly number[], rng: Rng): RunResult[] {
    const N = train.length;
    if (N !== schedule.N) throw new InvalidArgumentError("LogisticKernelTrainer.run", "train", `${schedule.N} images`, N);
    const batches = realiseBatches(schedule, rng);
    const rates = stepRates(schedule);
    const beta = momentumOf(schedule);
    const K = new Float64Array(N * N);
    for (let a = 0; a < N; a++) for (let b = a; b < N; b++) K[a * N + b] = K[b * N + a] = this.dot(train[a], train[b]);
    const z0 = train.map((i) => this.model.logits(this.theta0, i));
    const labels = train.map((i) => this.model.data.labels[i]);
    const grams = train.map((i) => this.gramRow(i));
    const S = this.testSet.length;
    const testLabels = this.testSet.map((j) => this.model.data.labels[j]);
    const A = new Float64Array(N * CLASSES);
    const V = new Float64Array(N * CLASSES);
    const G = new Float64Array(N * CLASSES);
    const z = new Float64Array(CLASSES);
    const s2 = this.#s2;
    // Logits of training image m into z: z0_m + s²·Σ_n K[n,m]·A_n.
    const trainLogits = (m: number): void => {
      const base = z0[m];
      for (let c = 0; c < CLASSES; c++) z[c] = base[c];
      for (let n = 0; n < N; n++) {
        const k = s2 * K[n * N + m];
        const off = n * CLASSES;
        for (let c = 0; c < CLASSES; c++) z[c] += k * A[off + c];
      }
    };
    return etas.map((eta): RunResult => {
      A.fill(0);
      V.fill(0);
      for (let t = 0; t < batches.length; t++) {
        G.fill(0);
        const b = batches[t];
        for (const m of b) {
          trainLogits(m);
          const lse = logSumExp(z);
          for (let c = 0; c < CLASSES; c++) G[m * CLASSES + c] += (Math.exp(z[c] - lse) - (c === labels[m] ? 1 : 0)) / b.length;
        }
        const step = eta * rates[t];
        let finite = true;
        for (let q = 0; q < A.length; q++) {
          V[q] = beta * V[q] - step * G[q];
          A[q] += V[q];
          if (!Number.isFinite(A[q])) finite = false;
        }
        if (!finite) return { eta, diverged: t };
      }
      let train = 0;
      for (let m = 0; m < N; m++) {
        trainLogits(m);
        train += logSumExp(z) - z[labels[m]];
      }
      // Test logits: z0_S + s²·Σ_n gram_n[j]·A_n, accumulated image by image.
      let test = 0;
      for (let j = 0; j < S; j++) {
        const base = this.#testLogits0[j];
        for (let c = 0; c < CLASSES; c++) z[c] = base[c];
        for (let n = 0; n < N; n++) {
          const k = s2 * grams[n][j];
          const off = n * CLASSES;
          for (let c = 0; c < CLASSES; c++) z[c] += k * A[off + c];
        }
        test += logSumExp(z) - z[testLabels[j]];
      }
      const result = { eta, test: test / S, train: train / N };
      return Number.isFinite(result.test) && Number.isFinite(result.train) ? result : { eta, diverged: batches.length };
    });
  }
}

export type { RunResult } from "./runResult.js";
