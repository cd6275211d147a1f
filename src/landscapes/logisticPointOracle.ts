import { InvalidArgumentError } from "../errors.js";
import type { DerivativeOracle } from "./derivativeOracle.js";
import type { LogisticModel } from "./logistic.js";
import { addOuterSparse, readLogits } from "./logisticKernels.js";
import { logSumExp } from "./softmaxCumulants.js";

/**
 * {@link LogisticModel} at a fixed weight vector (see {@link LogisticModel.at}). Values agree
 * with the model's to rounding; `theta` is a private copy and must not be mutated.
 */
export class LogisticPointOracle implements DerivativeOracle<number> {
  readonly dim: number;
  /** The weights this oracle is frozen at (pass this very array as `theta`). */
  readonly theta: Float64Array;
  /** `probs[Ki + c]` = softmax of datum `i` at `theta` (valid where `#have[i] === 1`). */
  readonly #probs: Float64Array;
  readonly #loss: Float64Array;
  readonly #have: Uint8Array;
  readonly #zero: boolean;
  /** Classes `K`. */
  readonly #K: number;
  readonly #a: Float64Array;
  readonly #b: Float64Array;
  readonly #c: Float64Array;
  readonly #w: Float64Array;

  constructor(
    readonly model: LogisticModel,
    theta: Float64Array,
  ) {
    if (theta.length !== model.dim) throw new InvalidArgumentError("LogisticModel.at", "theta", `of length ${model.dim}`, theta.length);
    this.dim = model.dim;
    this.#K = model.classes;
    [this.#a, this.#b, this.#c, this.#w] = [0, 1, 2, 3].map(() => new Float64Array(model.classes));
    this.theta = Float64Array.from(theta);
    this.#zero = this.theta.every((x) => x === 0);
    const n = model.data.size;
    this.#probs = new Float64Array(n * this.#K);
    this.#loss = new Float64Array(n);
    this.#have = new Uint8Array(n);
  }

  /** Offset of datum `i`'s softmax in `#probs` (computed on first use). */
  #p(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.#have.length) {
      throw new InvalidArgumentError("LogisticPointOracle", "datum", `an index in [0, ${this.#have.length})`, i);
    }
    const o = i * this.#K;
    if (this.#have[i] === 0) {
      const z = this.#a;
      // Zero weights (the default init) give zero logits: no pass over the image needed.
      if (this.#zero) z.fill(0);
      else readLogits(this.theta, this.model.features, this.model.sparsePixels(i), this.model.scale, z);
      const lse = logSumExp(z);
      for (let c = 0; c < this.#K; c++) this.#probs[o + c] = Math.exp(z[c] - lse);
      this.#loss[i] = lse - z[this.model.data.labels[i]];
      this.#have[i] = 1;
    }
    return o;
  }

  /** `u = s·V·x̃_i` into `out`, centred under datum `i`'s softmax (offset `o`). */
  #centred(v: Float64Array, i: number, o: number, out: Float64Array): Float64Array {
    readLogits(v, this.model.features, this.model.sparsePixels(i), this.model.scale, out);
    const p = this.#probs;
    let m = 0;
    for (let c = 0; c < this.#K; c++) m += p[o + c] * out[c];
    for (let c = 0; c < this.#K; c++) out[c] -= m;
    return out;
  }

  /** `w` (in `#w`) with `∇^{k+1} l_i[v_1..v_k, ·] = s·w ⊗ x̃_i`, `k ≤ 2`. */
  #gradientFactor(i: number, dirs: readonly Float64Array[]): Float64Array {
    const o = this.#p(i);
    const p = this.#probs;
    const w = this.#w;
    if (dirs.length === 0) {
      for (let c = 0; c < this.#K; c++) w[c] = p[o + c];
      w[this.model.data.labels[i]] -= 1;
      return w;
    }
    const a = this.#centred(dirs[0], i, o, this.#a);
    if (dirs.length === 1) {
      for (let c = 0; c < this.#K; c++) w[c] = p[o + c] * a[c];
      return w;
    }
    const b = dirs[1] === dirs[0] ? a : this.#centred(dirs[1], i, o, this.#b);
    let cov = 0;
    for (let c = 0; c < this.#K; c++) cov += p[o + c] * a[c] * b[c];
    for (let c = 0; c < this.#K; c++) w[c] = p[o + c] * (a[c] * b[c] - cov);
    return w;
  }

  directionalGradient(theta: Float64Array, i: number, directions: readonly Float64Array[]): Float64Array {
    if (theta !== this.theta || directions.length > 2) return this.model.directionalGradient(theta, i, directions);
    const out = new Float64Array(this.dim);
    addOuterSparse(out, this.#gradientFactor(i, directions), this.model.scale, 1, this.model.features, this.model.sparsePixels(i));
    return out;
  }

  meanDirectionalGradient(theta: Float64Array, xs: readonly number[], directions: readonly Float64Array[]): Float64Array {
    const out = new Float64Array(this.dim);
    this.meanDirectionalGradientInto(out, theta, xs, directions);
    return out;
  }

  /** `out += mean_{x∈xs} ∇^{k+1} l_x(θ)[v_1..v_k, ·]` (lets a caller reuse its buffers). */
  meanDirectionalGradientInto(out: Float64Array, theta: Float64Array, xs: readonly number[], directions: readonly Float64Array[]): void {
    if (out.length !== this.dim) throw new InvalidArgumentError("LogisticPointOracle.meanDirectionalGradientInto", "out", `of length ${this.dim}`, out.length);
    if (theta !== this.theta || directions.length > 2) {
      const g = this.model.meanDirectionalGradient(theta, xs, directions);
      for (let j = 0; j < out.length; j++) out[j] += g[j];
      return;
    }
    const weight = 1 / xs.length;
    for (const i of xs) addOuterSparse(out, this.#gradientFactor(i, directions), this.model.scale, weight, this.model.features, this.model.sparsePixels(i));
  }

  directionalDerivative(theta: Float64Array, i: number, directions: readonly Float64Array[]): number {
    const k = directions.length;
    if (theta !== this.theta || k > 3) return this.model.directionalDerivative(theta, i, directions);
    const o = this.#p(i);
    if (k === 0) return this.#loss[i];
    const p = this.#probs;
    if (k === 1) {
      const u = this.#a;
      readLogits(directions[0], this.model.features, this.model.sparsePixels(i), this.model.scale, u);
      let s = -u[this.model.data.labels[i]];
      for (let c = 0; c < this.#K; c++) s += p[o + c] * u[c];
      return s;
    }
    return this.#centralMoment(i, o, directions);
  }

  /** `Σ_c p_c Π_i (u_i,c − ū_i)` for 2 or 3 directions (the second and third cumulants). */
  #centralMoment(i: number, o: number, d: readonly Float64Array[]): number {
    const p = this.#probs;
    const a = this.#centred(d[0], i, o, this.#a);
    const b = d[1] === d[0] ? a : this.#centred(d[1], i, o, this.#b);
    let s = 0;
    if (d.length === 2) {
      for (let c = 0; c < this.#K; c++) s += p[o + c] * a[c] * b[c];
      return s;
    }
    const e = d[2] === d[0] ? a : d[2] === d[1] ? b : this.#centred(d[2], i, o, this.#c);
    for (let c = 0; c < this.#K; c++) s += p[o + c] * a[c] * b[c] * e[c];
    return s;
  }

  /**
   * `mean_{x∈xs} ∇^k l_x(θ)[v_1..v_k]` for several direction sets on the same data: each
   * distinct direction (by reference) is projected once per datum and shared by the sets.
   */
  meanDirectionalDerivatives(theta: Float64Array, xs: readonly number[], sets: readonly (readonly Float64Array[])[]): number[] {
    if (theta !== this.theta || sets.some((d) => d.length > 3)) return sets.map((d) => this.meanDirectionalDerivative(theta, xs, d));
    const vecs: Float64Array[] = [];
    const slots = sets.map((d) =>
      d.map((v) => {
        let k = vecs.indexOf(v);
        if (k < 0) k = vecs.push(v) - 1;
        return k;
      }),
    );
    const us = vecs.map(() => new Float64Array(this.#K));
    const sums = new Float64Array(sets.length);
    const p = this.#probs;
    const labels = this.model.data.labels;
    for (const i of xs) {
      const o = this.#p(i);
      for (let k = 0; k < vecs.length; k++) this.#centred(vecs[k], i, o, us[k]);
      for (let q = 0; q < sets.length; q++) {
        const sl = slots[q];
        let s = 0;
        if (sl.length === 0) s = this.#loss[i];
        else if (sl.length === 1) s = -us[sl[0]][labels[i]]; // Σ_c (p_c − 1{c=y}) u_c = −ũ_y
        else if (sl.length === 2) {
          const a = us[sl[0]];
          const b = us[sl[1]];
          for (let c = 0; c < this.#K; c++) s += p[o + c] * a[c] * b[c];
        } else {
          const a = us[sl[0]];
          const b = us[sl[1]];
          const e = us[sl[2]];
          for (let c = 0; c < this.#K; c++) s += p[o + c] * a[c] * b[c] * e[c];
        }
        sums[q] += s;
      }
    }
    return Array.from(sums, (s) => s / xs.length);
  }

  /** `mean_{x∈xs} ∇^k l_x(θ)[v_1..v_k]`. */
  meanDirectionalDerivative(theta: Float64Array, xs: readonly number[], directions: readonly Float64Array[]): number {
    const k = directions.length;
    let s = 0;
    if (theta === this.theta && (k === 2 || k === 3)) for (const i of xs) s += this.#centralMoment(i, this.#p(i), directions);
    else for (const i of xs) s += this.directionalDerivative(theta, i, directions);
    return s / xs.length;
  }
}
