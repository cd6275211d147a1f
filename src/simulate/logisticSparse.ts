import { InvalidArgumentError } from "../errors.js";
import { type LogisticModel, logSumExp } from "../landscapes/logistic.js";
import type { Schedule } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import type { RunResult } from "./runResult.js";
import { momentumOf, realiseBatches, stepRates } from "./trainingSteps.js";


/**
 * SGD-family training of {@link LogisticModel} directly on `θ`, touching only the nonzero
 * pixels of each image: a step costs `O(10·nnz·B)` (plus `O(P)` with momentum), and the test
 * loss `O(10·nnz·S)`. For long schedules on many training points (`N ≳ 100`) this beats the
 * kernel-coordinate {@link LogisticKernelTrainer}, whose steps cost `O(10·N)` and whose setup
 * costs `O(N²)` dot products; a test checks both against the dense reference trainer.
 */
export class LogisticSparseTrainer {
  readonly #testLabels: Int32Array;

  constructor(
    readonly model: LogisticModel,
    readonly theta0: Float64Array,
    /** Population indices of the held-out test images. */
    readonly testSet: readonly number[],
  ) {
    if (testSet.length === 0) throw new InvalidArgumentError("LogisticSparseTrainer", "testSet", "non-empty", 0);
    if (theta0.length !== model.dim) throw new InvalidArgumentError("LogisticSparseTrainer", "theta0", `of length ${model.dim}`, theta0.length);
    this.#testLabels = Int32Array.from(testSet, (j) => model.data.labels[j]);
  }

  /** Mean loss of `theta` over population images `xs`. */
  meanLoss(theta: Float64Array, xs: readonly number[], labels?: ArrayLike<number>): number {
    const CLASSES = this.model.classes;
    const z = new Float64Array(CLASSES);
    let total = 0;
    xs.forEach((i, q) => {
      this.#logits(theta, i, z);
      total += logSumExp(z) - z[labels === undefined ? this.model.data.labels[i] : labels[q]];
    });
    return total / xs.length;
  }

  /** Like {@link LogisticKernelTrainer.run}: every η on the same training set and batch order. */
  run(train: readonly number[], schedule: Schedule, etas: readonly number[], rng: Rng): RunResult[] {
    const CLASSES = this.model.classes;
    if (train.length !== schedule.N) throw new InvalidArgumentError("LogisticSparseTrainer.run", "train", `${schedule.N} images`, train.length);
    const batches = realiseBatches(schedule, rng);
    const rates = stepRates(schedule);
    const beta = momentumOf(schedule);
    const model = this.model;
    const F = model.features;
    const s = model.scale;
    const theta = new Float64Array(model.dim);
    const velocity = beta === 0 ? null : new Float64Array(model.dim);
    const z = new Float64Array(CLASSES);
    return etas.map((eta): RunResult => {
      theta.set(this.theta0);
      velocity?.fill(0);
      for (let t = 0; t < batches.length; t++) {
        const b = batches[t];
        const step = (eta * rates[t]) / b.length;
        // All gradients of the batch at the current θ before any update.
        let finite = true;
        const grads = b.map((m) => {
          const i = train[m];
          this.#logits(theta, i, z);
          const lse = logSumExp(z);
          if (!Number.isFinite(lse)) finite = false;
          const y = model.data.labels[i];
          const g = new Float64Array(CLASSES);
          for (let c = 0; c < CLASSES; c++) g[c] = Math.exp(z[c] - lse) - (c === y ? 1 : 0);
          return g;
        });
        if (velocity === null) {
          b.forEach((m, k) => addOuter(theta, grads[k], model.sparsePixels(train[m]), F, -step * s));
        } else {
          for (let j = 0; j < velocity.length; j++) velocity[j] *= beta;
          b.forEach((m, k) => addOuter(velocity, grads[k], model.sparsePixels(train[m]), F, -step * s));
          for (let j = 0; j < theta.length; j++) theta[j] += velocity[j];
        }
        if (!finite) return { eta, diverged: t };
      }
      const test = this.meanLoss(theta, this.testSet, this.#testLabels);
      const trainLoss = this.meanLoss(theta, train);
      return Number.isFinite(test) && Number.isFinite(trainLoss) ? { eta, test, train: trainLoss } : { eta, diverged: batches.length };
    });
  }

  #logits(theta: Float64Array, i: number, out: Float64Array): Float64Array {
    const CLASSES = this.model.classes;
    const F = this.model.features;
    const { idx, val } = this.model.sparsePixels(i);
    const s = this.model.scale;
    for (let c = 0; c < CLASSES; c++) {
      const row = c * F;
      let acc = theta[row + F - 1];
      for (let k = 0; k < idx.length; k++) acc += theta[row + idx[k]] * val[k];
      out[c] = acc * s;
    }
    return out;
  }
}

/** `out += a·w ⊗ x̃` for the sparse image `x̃` (bias entry 1). */
function addOuter(out: Float64Array, w: Float64Array, px: { idx: Int32Array; val: Float64Array }, F: number, a: number): void {
  const CLASSES = w.length;
  for (let c = 0; c < CLASSES; c++) {
    const coef = a * w[c];
    if (coef === 0) continue;
    const row = c * F;
    for (let k = 0; k < px.idx.length; k++) out[row + px.idx[k]] += coef * px.val[k];
    out[row + F - 1] += coef;
  }
}
