import { InvalidArgumentError } from "../errors.js";
import { type LogisticModel, logSumExp } from "../landscapes/logistic.js";
import type { Schedule } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import type { RunResult } from "./runResult.js";
import { momentumOf, realiseBatches, stepRates } from "./trainingSteps.js";


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
  /** Test images pixel-major: `testPixels[k·S + q]` is pixel `k` of test image `q`. */
  readonly #testPixels: Float64Array;
  /** Logits at θ0 of the test images, `S × 10` row-major. */
  readonly #testLogits0: Float64Array;
  readonly #testLabels: Int32Array;
  readonly #s2: number;
  /** Scratch for {@link gramRow}: offsets and values of one image's nonzero pixels. */
  readonly #nonzero: Int32Array;
  readonly #values: Float64Array;

  constructor(
    readonly model: LogisticModel,
    readonly theta0: Float64Array,
    /** Population indices of the held-out test images. */
    readonly testSet: readonly number[],
  ) {
    const CLASSES = this.model.classes;
    if (testSet.length === 0) throw new InvalidArgumentError("LogisticKernelTrainer", "testSet", "non-empty", 0);
    this.#s2 = model.scale * model.scale;
    const S = testSet.length;
    const F = model.data.features;
    const px = model.data.pixels;
    this.#testPixels = new Float64Array(F * S);
    this.#testLogits0 = new Float64Array(S * CLASSES);
    this.#testLabels = Int32Array.from(testSet, (j) => model.data.labels[j]);
    this.#nonzero = new Int32Array(F);
    this.#values = new Float64Array(F);
    testSet.forEach((j, q) => {
      for (let k = 0; k < F; k++) this.#testPixels[k * S + q] = px[j * F + k];
      this.#testLogits0.set(model.logits(theta0, j), q * CLASSES);
    });
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
   * Gram row of population image `i` against the test set, written into `row`:
   * `row[q] = 1 + Σ_k x_i[k]·x_q[k]` over the nonzero pixels `k` of image `i` in increasing
   * order. MNIST-like images are mostly zero, so this is ≈5× fewer multiplications than a
   * dense product, and each nonzero pixel is one contiguous `row += v·(pixel k of every test
   * image)` over the pixel-major test matrix, which keeps the loop streaming through memory.
   * Every `row[q]` sees the same additions in the same order as the plain per-pair sum.
   */
  gramRow(i: number, row: Float64Array = new Float64Array(this.testSet.length)): Float64Array {
    const F = this.model.data.features;
    const px = this.model.data.pixels;
    const S = this.testSet.length;
    const T = this.#testPixels;
    row.fill(1);
    // Nonzero pixels of image i, then four at a time: (((r + a·x) + b·y) + c·u) + d·w is the
    // same sum in the same order as four passes, with a quarter of the row traffic.
    const nz = this.#nonzero;
    const val = this.#values;
    let count = 0;
    for (let k = 0; k < F; k++) {
      const v = px[i * F + k];
      if (v !== 0) (nz[count] = k * S), (val[count++] = v);
    }
    let p = 0;
    for (; p + 4 <= count; p += 4) {
      const a = val[p], b = val[p + 1], c = val[p + 2], d = val[p + 3];
      const oa = nz[p], ob = nz[p + 1], oc = nz[p + 2], od = nz[p + 3];
      for (let q = 0; q < S; q++) row[q] = row[q] + a * T[oa + q] + b * T[ob + q] + c * T[oc + q] + d * T[od + q];
    }
    for (; p < count; p++) {
      const a = val[p];
      const oa = nz[p];
      for (let q = 0; q < S; q++) row[q] += a * T[oa + q];
    }
    return row;
  }

  /**
   * Trains on the training images `train` (population indices) with `schedule` at each
   * learning rate in `etas` (same training set and order for all: paired), returning the
   * final test and train losses, or the step at which the run diverged.
   *
   * Everything that depends on the training set but not on η — the Gram matrix of the
   * training images, their Gram block against the test set (scaled by `s²`, laid out per test
   * image) and the logits at θ0 — is computed once per call and shared by every η.
   */
  run(train: readonly number[], schedule: Schedule, etas: readonly number[], rng: Rng): RunResult[] {
    const CLASSES = this.model.classes;
    const N = train.length;
    if (N !== schedule.N) throw new InvalidArgumentError("LogisticKernelTrainer.run", "train", `${schedule.N} images`, N);
    const batches = realiseBatches(schedule, rng);
    const rates = stepRates(schedule);
    const beta = momentumOf(schedule);
    const K = new Float64Array(N * N);
    for (let a = 0; a < N; a++) for (let b = a; b < N; b++) K[a * N + b] = K[b * N + a] = this.dot(train[a], train[b]);
    const z0 = train.map((i) => this.model.logits(this.theta0, i));
    const labels = train.map((i) => this.model.data.labels[i]);
    const S = this.testSet.length;
    const s2 = this.#s2;
    // kt[j·N + n] = s²·(x̃_n·x̃_j): the coefficient of A_n in test image j's logits.
    const kt = new Float64Array(S * N);
    const row = new Float64Array(S);
    for (let n = 0; n < N; n++) {
      this.gramRow(train[n], row);
      for (let j = 0; j < S; j++) kt[j * N + n] = s2 * row[j];
    }
    const A = new Float64Array(N * CLASSES);
    const V = new Float64Array(N * CLASSES);
    const G = new Float64Array(N * CLASSES);
    const z = new Float64Array(CLASSES);
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
      const result = { eta, test: this.#testLoss(kt, A, N) / S, train: train / N };
      return Number.isFinite(result.test) && Number.isFinite(result.train) ? result : { eta, diverged: batches.length };
    });
  }

  /**
   * `Σ_j loss(z0_j + Σ_n kt[j,n]·A_n)` over the test images: the same operations, in the same
   * order, as {@link logSumExp} on each image's logits (inlined: this loop is the hot spot).
   */
  #testLoss(kt: Float64Array, A: Float64Array, N: number): number {
    const CLASSES = this.model.classes;
    const S = this.testSet.length;
    const base = this.#testLogits0;
    const labels = this.#testLabels;
    let test = 0;
    // The ten logits live in locals (this loop is the hot spot of the whole simulation).
    for (let j = 0; j < S; j++) {
      const o = j * CLASSES;
      let z0 = base[o], z1 = base[o + 1], z2 = base[o + 2], z3 = base[o + 3], z4 = base[o + 4];
      let z5 = base[o + 5], z6 = base[o + 6], z7 = base[o + 7], z8 = base[o + 8], z9 = base[o + 9];
      for (let n = 0; n < N; n++) {
        const k = kt[j * N + n];
        const a = n * CLASSES;
        z0 += k * A[a];
        z1 += k * A[a + 1];
        z2 += k * A[a + 2];
        z3 += k * A[a + 3];
        z4 += k * A[a + 4];
        z5 += k * A[a + 5];
        z6 += k * A[a + 6];
        z7 += k * A[a + 7];
        z8 += k * A[a + 8];
        z9 += k * A[a + 9];
      }
      const m = Math.max(Math.max(Math.max(Math.max(Math.max(Math.max(Math.max(Math.max(Math.max(Math.max(-Infinity, z0), z1), z2), z3), z4), z5), z6), z7), z8), z9);
      let s = 0;
      s += Math.exp(z0 - m);
      s += Math.exp(z1 - m);
      s += Math.exp(z2 - m);
      s += Math.exp(z3 - m);
      s += Math.exp(z4 - m);
      s += Math.exp(z5 - m);
      s += Math.exp(z6 - m);
      s += Math.exp(z7 - m);
      s += Math.exp(z8 - m);
      s += Math.exp(z9 - m);
      const y = labels[j];
      const zy = y === 0 ? z0 : y === 1 ? z1 : y === 2 ? z2 : y === 3 ? z3 : y === 4 ? z4 : y === 5 ? z5 : y === 6 ? z6 : y === 7 ? z7 : y === 8 ? z8 : z9;
      test += m + Math.log(s) - zy;
    }
    return test;
  }
}

export type { RunResult } from "./runResult.js";
