import { InvalidArgumentError } from "../errors.js";
import { type LogisticModel, logSumExp } from "../landscapes/logistic.js";
import type { Rng } from "../stats/rng.js";
import { LogisticKernelTrainer } from "./logisticKernel.js";
import type { RunResult } from "./runResult.js";
import { type Optimizer, optimizerBeta, sdeNoiseFactor, validateOptimizer } from "./optimizers.js";
import { realiseBatches, stepRates } from "./trainingSteps.js";


/**
 * Every {@link Optimizer} on {@link LogisticModel}, exactly, in kernel coordinates (see
 * {@link LogisticKernelTrainer}: `θ = θ0 + s·Σ_n A_n ⊗ x̃_n`, logits
 * `z(x) = z0(x) + s²·Σ_n A_n (x̃_n·x̃)`). The SGD family is delegated to
 * {@link LogisticKernelTrainer}; GDC and the Hessian update stay in the same coordinates
 * because every Hessian-vector product of the model maps into the span of the batch images:
 *
 * - `H_m V = s·[Σ_m (s V x̃_m)] ⊗ x̃_m` with `Σ_m = diag(p_m) − p_m p_mᵀ` the softmax Hessian, and
 *   `s V x̃_m = s²Σ_n K_{nm} c_n` for `V = s Σ_n c_n ⊗ x̃_n` (`K` the Gram matrix);
 * - GDC: `v = g0 − g1` has coefficients `±w_n/(B/2)`, so the regularizer gradient
 *   `β·B·H0 v` adds `2β·Σ_m(u_m)` to the coefficient of each first-half image `m`;
 * - Hessian update: `(I + ληH_b)d = g_b` is solved exactly as a `10B × 10B` linear system
 *   `a_m + (λη/B)·Σ_m(s² Σ_n K_{nm} a_n) = w_m/B` for the coefficients of `d`;
 * - ODE and SDE (`continuousTimeStep` in optimizers.ts): the drift `ḡ` and the noise
 *   `Σ_n z_n(g_n − ḡ) = Σ_n (z_n − z̄)·s·w_n ⊗ x̃_n` are combinations of per-sample gradients, so a
 *   sub-step subtracts `(h/N + σ(z_n − z̄))·w_n` from each `A_n` (same random numbers, drawn in
 *   the same order, as the θ-space trainer).
 *
 * Tests check each against {@link trainWithOptimizer} on the analytic model.
 */
export class LogisticOptimizerTrainer {
  readonly kernel: LogisticKernelTrainer;
  readonly #testLogits0: Float64Array[];
  readonly #s2: number;

  constructor(
    readonly model: LogisticModel,
    readonly theta0: Float64Array,
    readonly testSet: readonly number[],
    kernel?: LogisticKernelTrainer,
  ) {
    this.kernel = kernel ?? new LogisticKernelTrainer(model, theta0, testSet);
    this.#s2 = model.scale * model.scale;
    this.#testLogits0 = testSet.map((j) => model.logits(theta0, j));
  }

  /**
   * Trains on `train` (population indices) with `optimizer` at every η (paired: the same
   * training set and batch order), returning final test/train losses or the divergence step.
   */
  run(train: readonly number[], optimizer: Optimizer, etas: readonly number[], rng: Rng): RunResult[] {
    const CLASSES = this.model.classes;
    validateOptimizer(optimizer, "LogisticOptimizerTrainer.run");
    if (optimizer.kind === "sgd") return this.kernel.run(train, optimizer.schedule, etas, rng);
    const schedule = optimizer.schedule;
    const N = train.length;
    if (N !== schedule.N) throw new InvalidArgumentError("LogisticOptimizerTrainer.run", "train", `${schedule.N} images`, N);
    const batches = realiseBatches(schedule, rng);
    const rates = stepRates(schedule);
    const noise = optimizer.kind === "sde" ? rng.split() : undefined;
    const K = new Float64Array(N * N);
    for (let a = 0; a < N; a++) for (let b = a; b < N; b++) K[a * N + b] = K[b * N + a] = this.kernel.dot(train[a], train[b]);
    const z0 = train.map((i) => this.model.logits(this.theta0, i));
    const labels = train.map((i) => this.model.data.labels[i]);
    const s2 = this.#s2;
    const A = new Float64Array(N * CLASSES);
    const coef = new Float64Array(N * CLASSES);
    const logits = (m: number, out: Float64Array): Float64Array => {
      const base = z0[m];
      for (let c = 0; c < CLASSES; c++) out[c] = base[c];
      for (let n = 0; n < N; n++) {
        const k = s2 * K[n * N + m];
        if (k === 0) continue;
        const off = n * CLASSES;
        for (let c = 0; c < CLASSES; c++) out[c] += k * A[off + c];
      }
      return out;
    };
    const probs: Float64Array[] = Array.from({ length: N }, () => new Float64Array(CLASSES));
    const w: Float64Array[] = Array.from({ length: N }, () => new Float64Array(CLASSES));
    const zs = new Float64Array(N);
    const all = Array.from({ length: N }, (_, n) => n);
    return etas.map((eta): RunResult => {
      A.fill(0);
      const beta = optimizerBeta(optimizer, eta);
      const noiseRng = noise?.clone();
      for (let t = 0; t < batches.length; t++) {
        if (optimizer.kind === "ode" || optimizer.kind === "sde") {
          // Sub-steps of gradient flow / Euler–Maruyama on the full training loss.
          const etaT = eta * rates[t];
          const alpha = optimizer.substeps;
          const f = optimizer.kind === "sde" ? sdeNoiseFactor(N, batches[t].length) : 0;
          const h = etaT / alpha;
          const sigma = (etaT / Math.sqrt(alpha)) * Math.sqrt(f / N);
          for (let k = 0; k < alpha; k++) {
            this.#residuals(all, logits, probs, w, labels);
            let zbar = 0;
            if (f > 0) {
              noiseRng!.fillNormal(zs);
              for (let n = 0; n < N; n++) zbar += zs[n] / N;
            }
            let finite = true;
            for (let n = 0; n < N; n++) {
              const cn = h / N + (f > 0 ? sigma * (zs[n] - zbar) : 0);
              const off = n * CLASSES;
              for (let c = 0; c < CLASSES; c++) {
                A[off + c] -= cn * w[n][c];
                if (!Number.isFinite(A[off + c])) finite = false;
              }
            }
            if (!finite) return { eta, diverged: t };
          }
          continue;
        }
        const b = batches[t];
        const B = b.length;
        this.#residuals(b, logits, probs, w, labels);
        const etaT = eta * rates[t];
        coef.fill(0);
        if (optimizer.kind === "gdc") {
          for (const m of b) for (let c = 0; c < CLASSES; c++) coef[m * CLASSES + c] = w[m][c] / B;
          if (beta !== 0 && optimizer.estimator === "sample-covariance") {
            // β·(2/(B−1)) Σ_m H_m(g_m − ḡ): u_m = s²(K_mm w_m − (1/B) Σ_n K_nm w_n).
            for (const m of b) {
              const u = new Float64Array(CLASSES);
              for (const n of b) {
                const k = (s2 * K[n * N + m] * ((n === m ? 1 : 0) - 1 / B));
                for (let c = 0; c < CLASSES; c++) u[c] += k * w[n][c];
              }
              const hv = softmaxHessianTimes(probs[m], u);
              for (let c = 0; c < CLASSES; c++) coef[m * CLASSES + c] += ((2 * beta) / (B - 1)) * hv[c];
            }
          } else if (beta !== 0) {
            const h = B / 2;
            for (let i = 0; i < h; i++) {
              const m = b[i];
              // u_m = s² Σ_n K[n,m] c_n with c_n = ±w_n/h (+ for the first half, − for the second)
              const u = new Float64Array(CLASSES);
              for (let j = 0; j < B; j++) {
                const n = b[j];
                const k = (s2 * K[n * N + m] * (j < h ? 1 : -1)) / h;
                for (let c = 0; c < CLASSES; c++) u[c] += k * w[n][c];
              }
              const hv = softmaxHessianTimes(probs[m], u);
              for (let c = 0; c < CLASSES; c++) coef[m * CLASSES + c] += 2 * beta * hv[c];
            }
          }
        } else {
          const a = solveHessianSystem(b, probs, w, K, N, (optimizer.lambda * etaT * s2) / B, B);
          b.forEach((m, i) => {
            for (let c = 0; c < CLASSES; c++) coef[m * CLASSES + c] = a[i * CLASSES + c];
          });
        }
        let finite = true;
        for (let q = 0; q < A.length; q++) {
          A[q] -= etaT * coef[q];
          if (!Number.isFinite(A[q])) finite = false;
        }
        if (!finite) return { eta, diverged: t };
      }
      const z = new Float64Array(CLASSES);
      let trainLoss = 0;
      for (let m = 0; m < N; m++) {
        logits(m, z);
        trainLoss += logSumExp(z) - z[labels[m]];
      }
      const test = this.#testLoss(train, A);
      const result = { eta, test, train: trainLoss / N };
      return Number.isFinite(result.test) && Number.isFinite(result.train) ? result : { eta, diverged: batches.length };
    });
  }

  /** Softmax probabilities `p_m` and residuals `w_m = p_m − e_{y_m}` of the training positions `b` at the current `A`. */
  #residuals(b: readonly number[], logits: (m: number, out: Float64Array) => Float64Array, probs: Float64Array[], w: Float64Array[], labels: readonly number[]): void {
    const CLASSES = this.model.classes;
    for (const m of b) {
      const z = logits(m, probs[m]);
      const lse = logSumExp(z);
      for (let c = 0; c < CLASSES; c++) {
        probs[m][c] = Math.exp(z[c] - lse);
        w[m][c] = probs[m][c] - (c === labels[m] ? 1 : 0);
      }
    }
  }

  /** Mean test loss of the weights `θ0 + s·Σ_n A_n ⊗ x̃_{train[n]}`. */
  #testLoss(train: readonly number[], A: Float64Array): number {
    const CLASSES = this.model.classes;
    const grams = train.map((i) => this.kernel.gramRow(i));
    const labels = this.model.data.labels;
    const z = new Float64Array(CLASSES);
    const s2 = this.#s2;
    let total = 0;
    for (let j = 0; j < this.testSet.length; j++) {
      const base = this.#testLogits0[j];
      for (let c = 0; c < CLASSES; c++) z[c] = base[c];
      for (let n = 0; n < train.length; n++) {
        const k = s2 * grams[n][j];
        const off = n * CLASSES;
        for (let c = 0; c < CLASSES; c++) z[c] += k * A[off + c];
      }
      total += logSumExp(z) - z[labels[this.testSet[j]]];
    }
    return total / this.testSet.length;
  }
}

/** `(diag(p) − p pᵀ) u`: the Hessian of logsumexp at softmax probabilities `p`, applied to `u`. */
export function softmaxHessianTimes(p: ArrayLike<number>, u: ArrayLike<number>): Float64Array {
  let pu = 0;
  for (let c = 0; c < p.length; c++) pu += p[c] * u[c];
  const out = new Float64Array(p.length);
  for (let c = 0; c < p.length; c++) out[c] = p[c] * (u[c] - pu);
  return out;
}

/**
 * Solves `a_m + κ·Σ_m(Σ_n K_{nm} a_n) = w_m/B` (`m, n` over the batch `b`, `κ = λη s²/B`) for
 * the stacked `K·B` coefficients (`K` classes), by Gaussian elimination with partial pivoting. The matrix is
 * `I + κ·diag(Σ_m)(K ⊗ I)`, similar to `I + κ Σ^{1/2}(K⊗I)Σ^{1/2}`, hence invertible.
 */
function solveHessianSystem(b: readonly number[], probs: Float64Array[], w: Float64Array[], K: Float64Array, N: number, kappa: number, B: number): Float64Array {
  const CLASSES = w[b[0]].length;
  const n = B * CLASSES;
  const M = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  for (let i = 0; i < B; i++) {
    const m = b[i];
    const p = probs[m];
    for (let c = 0; c < CLASSES; c++) rhs[i * CLASSES + c] = w[m][c] / B;
    for (let j = 0; j < B; j++) {
      const k = kappa * K[b[j] * N + m];
      for (let c = 0; c < CLASSES; c++) {
        const row = (i * CLASSES + c) * n + j * CLASSES;
        for (let d = 0; d < CLASSES; d++) M[row + d] = k * ((c === d ? p[c] : 0) - p[c] * p[d]);
      }
    }
    for (let c = 0; c < CLASSES; c++) M[(i * CLASSES + c) * n + i * CLASSES + c] += 1;
  }
  return solveDense(M, rhs, n);
}

/** `M x = rhs` for a dense `n × n` row-major `M` (overwritten), partial pivoting. */
export function solveDense(M: Float64Array, rhs: Float64Array, n: number): Float64Array {
  const x = Float64Array.from(rhs);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r * n + col]) > Math.abs(M[piv * n + col])) piv = r;
    if (piv !== col) {
      for (let c = 0; c < n; c++) {
        const t = M[col * n + c];
        M[col * n + c] = M[piv * n + c];
        M[piv * n + c] = t;
      }
      const t = x[col];
      x[col] = x[piv];
      x[piv] = t;
    }
    const d = M[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = M[r * n + col] / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) M[r * n + c] -= f * M[col * n + c];
      x[r] -= f * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let c = r + 1; c < n; c++) s -= M[r * n + c] * x[c];
    x[r] = s / M[r * n + r];
  }
  return x;
}
