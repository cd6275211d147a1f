import type { TabularData } from "../data/types.js";
import { InvalidArgumentError } from "../errors.js";
import { Rng } from "../stats/rng.js";
import type { DerivativeOracle } from "./derivativeOracle.js";
import { addOuterSparse, CLASSES, centre, readLogits } from "./logisticKernels.js";
import { LogisticPointOracle } from "./logisticPointOracle.js";
import { jointCumulant, logSumExp, softmax } from "./softmaxCumulants.js";

export { LogisticPointOracle } from "./logisticPointOracle.js";
export { jointCumulant, logSumExp, softmax } from "./softmaxCumulants.js";

/**
 * What {@link LogisticModel} needs of a classification data set: an image set (10 classes) or a
 * user's table ({@link logisticData}).
 */
export interface ClassificationData {
  readonly name: string;
  readonly size: number;
  /** Inputs per datum `F`. */
  readonly features: number;
  /** Row-major `size × features` inputs. */
  readonly pixels: Float32Array | Float64Array;
  /** Class of each datum, in `0..classes−1`. */
  readonly labels: ArrayLike<number>;
  /** Number of classes `K`. @defaultValue 10 (MNIST, Fashion-MNIST) */
  readonly classes?: number;
}

/**
 * A user's classification table as {@link ClassificationData}.
 * @throws InvalidArgumentError for regression data.
 */
export function logisticData(data: TabularData): ClassificationData {
  if (data.task !== "classification" || data.labels === null) {
    throw new InvalidArgumentError("logistic model", "data", "classification data (integer or string labels)", `regression targets (${data.name})`);
  }
  return { name: data.name, size: data.size, features: data.features, pixels: data.inputs, labels: data.labels, classes: data.classes };
}

/**
 * Multinomial logistic regression on a classification data set (`K` classes, 10 for images), in float64 with analytic
 * derivatives of every order (docs/theory.md#data-and-models):
 * `z = s·W·x̃` with `x̃ = (pixels, 1)`, `s = √(2/(fan_in + fan_out))` (the layer's Xavier
 * scale inside the model, so that θ's entries are standard normal at Xavier init and a
 * scalar η is a natural metric), loss `l = logsumexp(z) − z_y`, zero init.
 *
 * ## Method
 * A weight direction `v` moves the logits by `u = s·V·x̃`. For `k ≥ 2`, the `k`-th
 * derivative of `logsumexp` contracted with `u_1..u_k` is the joint cumulant
 * `κ(u_1(C), …, u_k(C))` of `C ~ softmax(z)`; a gradient slot is the cumulant with the
 * indicator `1{C = c}` appended, mapped back by `⊗ x̃`. Cumulants come from moments by the
 * partition formula `κ = Σ_π (|π|−1)!(−1)^{|π|−1} Π_{B∈π} E[Π_{i∈B} X_i]`.
 * No `P^k` tensor is formed; a call costs `O(k·P)` plus a `K·Bell(k+1)` cumulant.
 */
export class LogisticModel implements DerivativeOracle<number> {
  readonly dim: number;
  /** Inputs + 1 (the bias entry of `x̃`). */
  readonly features: number;
  /** Classes `K`. */
  readonly classes: number;
  readonly scale: number;
  /** Nonzero pixels of each image (MNIST-like images are mostly zero), built lazily. */
  readonly #sparse: ({ idx: Int32Array; val: Float64Array } | undefined)[] = [];
  #rows: { readonly start: Int32Array; readonly idx: Int32Array; readonly val: Float64Array } | undefined;

  constructor(readonly data: ClassificationData) {
    this.classes = data.classes ?? CLASSES;
    this.features = data.features + 1;
    this.dim = this.classes * this.features;
    this.scale = Math.sqrt(2 / (data.features + this.classes));
  }

  /**
   * Seed 0: the zero init of docs/theory.md#experiments. Seed `k ≥ 1`: standard-normal weights from seed
   * `k` (the Xavier init of this parameterization, whose scale is inside the model).
   */
  theta0(seed = 0): Float64Array {
    return seed === 0 ? new Float64Array(this.dim) : new Rng(seed).normals(this.dim);
  }

  /** The nonzero pixels of image `i` (views into {@link sparseRows}). */
  sparsePixels(i: number): { idx: Int32Array; val: Float64Array } {
    let sp = this.#sparse[i];
    if (sp === undefined) {
      if (!Number.isInteger(i) || i < 0 || i >= this.data.size) {
        throw new InvalidArgumentError("LogisticModel.sparsePixels", "datum", `an index in [0, ${this.data.size})`, i);
      }
      const { start, idx, val } = this.sparseRows();
      sp = { idx: idx.subarray(start[i], start[i + 1]), val: val.subarray(start[i], start[i + 1]) };
      this.#sparse[i] = sp;
    }
    return sp;
  }

  /**
   * Nonzero pixels of every image in compressed-row form (built on first use, one pass over
   * the pixels): image `i` has pixel indices `idx[start[i]..start[i+1])` with values `val[…]`.
   */
  sparseRows(): { readonly start: Int32Array; readonly idx: Int32Array; readonly val: Float64Array } {
    if (this.#rows === undefined) {
      const P = this.features - 1;
      const n = this.data.size;
      const px = this.data.pixels;
      const start = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        let nnz = 0;
        for (let j = i * P; j < (i + 1) * P; j++) if (px[j] !== 0) nnz++;
        start[i + 1] = start[i] + nnz;
      }
      const idx = new Int32Array(start[n]);
      const val = new Float64Array(start[n]);
      for (let i = 0, k = 0; i < n; i++) {
        for (let j = 0; j < P; j++) {
          const x = px[i * P + j];
          if (x !== 0) (idx[k] = j), (val[k++] = x);
        }
      }
      this.#rows = { start, idx, val };
    }
    return this.#rows;
  }

  /** `u = s·V·x̃` for datum `i`. */
  logitDirection(v: Float64Array, i: number): Float64Array {
    const u = new Float64Array(this.classes);
    readLogits(v, this.features, this.sparsePixels(i), this.scale, u);
    return u;
  }

  /** Logits `z = s·W·x̃` of datum `i`. */
  logits(theta: Float64Array, i: number): Float64Array {
    return this.logitDirection(theta, i);
  }

  directionalDerivative(theta: Float64Array, i: number, directions: readonly Float64Array[]): number {
    this.#check(theta, i, "directionalDerivative");
    const z = this.logits(theta, i);
    const y = this.data.labels[i];
    if (directions.length === 0) return logSumExp(z) - z[y];
    const p = softmax(z);
    const us = directions.map((v) => this.logitDirection(v, i));
    if (us.length === 1) {
      let s = 0;
      for (let c = 0; c < this.classes; c++) s += (p[c] - (c === y ? 1 : 0)) * us[0][c];
      return s;
    }
    // Second and third cumulants are central moments: Σ_c p_c Π_i (u_i,c − ū_i).
    if (us.length <= 3) {
      const centred = us.map((u) => centre(p, u));
      let s = 0;
      for (let c = 0; c < this.classes; c++) {
        let prod = p[c];
        for (const u of centred) prod *= u[c];
        s += prod;
      }
      return s;
    }
    return jointCumulant(p, us);
  }

  directionalGradient(theta: Float64Array, i: number, directions: readonly Float64Array[]): Float64Array {
    return this.outer(this.#logitGradient(theta, i, directions), i);
  }

  /** `w` with `∇^{k+1} l_i[v_1..v_k, ·] = s·w ⊗ x̃_i`. */
  #logitGradient(theta: Float64Array, i: number, directions: readonly Float64Array[]): Float64Array {
    this.#check(theta, i, "directionalGradient");
    const z = this.logits(theta, i);
    const p = softmax(z);
    const w = new Float64Array(this.classes);
    const k = directions.length;
    if (k === 0) {
      for (let c = 0; c < this.classes; c++) w[c] = p[c];
      w[this.data.labels[i]] -= 1;
    } else if (k <= 2) {
      // κ(u_1, 1_c) = p_c ũ_c;  κ(u_1, u_2, 1_c) = p_c (ũ_1c ũ_2c − Cov(u_1, u_2)), ũ = u − E u.
      const a = centre(p, this.logitDirection(directions[0], i));
      if (k === 1) for (let c = 0; c < this.classes; c++) w[c] = p[c] * a[c];
      else {
        const b = centre(p, this.logitDirection(directions[1], i));
        let cov = 0;
        for (let c = 0; c < this.classes; c++) cov += p[c] * a[c] * b[c];
        for (let c = 0; c < this.classes; c++) w[c] = p[c] * (a[c] * b[c] - cov);
      }
    } else {
      const us = directions.map((v) => this.logitDirection(v, i));
      for (let c = 0; c < this.classes; c++) {
        const ind = new Float64Array(this.classes);
        ind[c] = 1;
        w[c] = jointCumulant(p, [...us, ind]);
      }
    }
    return w;
  }

  /** `s·w ⊗ x̃_i` as a flat weight vector. */
  outer(w: Float64Array, i: number): Float64Array {
    const out = new Float64Array(this.dim);
    this.addOuter(out, w, i, 1);
    return out;
  }

  /** `out += weight·s·w ⊗ x̃_i` (only the nonzero pixels are touched). */
  addOuter(out: Float64Array, w: Float64Array, i: number, weight: number): void {
    addOuterSparse(out, w, this.scale, weight, this.features, this.sparsePixels(i));
  }

  /**
   * An oracle frozen at `theta` (copied): per-datum softmax and loss are computed once and
   * reused, and the derivatives of orders ≤ 3 (gradients with ≤ 2 directions, derivatives
   * with ≤ 3) run allocation-free in the `K`-class logit space; higher orders fall back to
   * this model. Calls at any other `theta` (by reference) are passed to this model unchanged.
   */
  at(theta: Float64Array): LogisticPointOracle {
    return new LogisticPointOracle(this, theta);
  }

  /** `mean_{x∈xs} ∇^{k+1} l_x(θ)[v_1..v_k, ·]` accumulated in one vector (see {@link DerivativeOracle}). */
  meanDirectionalGradient(theta: Float64Array, xs: readonly number[], directions: readonly Float64Array[]): Float64Array {
    const out = new Float64Array(this.dim);
    for (const i of xs) this.addOuter(out, this.#logitGradient(theta, i, directions), i, 1 / xs.length);
    return out;
  }

  #check(theta: Float64Array, i: number, where: string): void {
    if (theta.length !== this.dim) throw new InvalidArgumentError(`LogisticModel.${where}`, "theta", `of length ${this.dim}`, theta.length);
    if (!Number.isInteger(i) || i < 0 || i >= this.data.size) {
      throw new InvalidArgumentError(`LogisticModel.${where}`, "datum", `an index in [0, ${this.data.size})`, i);
    }
  }
}
