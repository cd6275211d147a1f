import { InvalidArgumentError } from "../errors.js";
import { Rng } from "../stats/rng.js";
import type { ImageDataset } from "./datasets.js";
import type { DerivativeOracle } from "./derivativeOracle.js";

const CLASSES = 10;

/**
 * Multinomial logistic regression on an image data set, in float64 with analytic
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
 * No `P^k` tensor is formed; a call costs `O(k·P)` plus a `10·Bell(k+1)` cumulant.
 */
export class LogisticModel implements DerivativeOracle<number> {
  readonly dim: number;
  readonly features: number;
  readonly scale: number;
  /** Nonzero pixels of each image (MNIST-like images are mostly zero), built lazily. */
  readonly #sparse: ({ idx: Int32Array; val: Float64Array } | undefined)[] = [];
  #rows: { readonly start: Int32Array; readonly idx: Int32Array; readonly val: Float64Array } | undefined;

  constructor(readonly data: ImageDataset) {
    this.features = data.features + 1;
    this.dim = CLASSES * this.features;
    this.scale = Math.sqrt(2 / (data.features + CLASSES));
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
    const u = new Float64Array(CLASSES);
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
      for (let c = 0; c < CLASSES; c++) s += (p[c] - (c === y ? 1 : 0)) * us[0][c];
      return s;
    }
    // Second and third cumulants are central moments: Σ_c p_c Π_i (u_i,c − ū_i).
    if (us.length <= 3) {
      const centred = us.map((u) => centre(p, u));
      let s = 0;
      for (let c = 0; c < CLASSES; c++) {
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
    const w = new Float64Array(CLASSES);
    const k = directions.length;
    if (k === 0) {
      for (let c = 0; c < CLASSES; c++) w[c] = p[c];
      w[this.data.labels[i]] -= 1;
    } else if (k <= 2) {
      // κ(u_1, 1_c) = p_c ũ_c;  κ(u_1, u_2, 1_c) = p_c (ũ_1c ũ_2c − Cov(u_1, u_2)), ũ = u − E u.
      const a = centre(p, this.logitDirection(directions[0], i));
      if (k === 1) for (let c = 0; c < CLASSES; c++) w[c] = p[c] * a[c];
      else {
        const b = centre(p, this.logitDirection(directions[1], i));
        let cov = 0;
        for (let c = 0; c < CLASSES; c++) cov += p[c] * a[c] * b[c];
        for (let c = 0; c < CLASSES; c++) w[c] = p[c] * (a[c] * b[c] - cov);
      }
    } else {
      const us = directions.map((v) => this.logitDirection(v, i));
      for (let c = 0; c < CLASSES; c++) {
        const ind = new Float64Array(CLASSES);
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
   * with ≤ 3) run allocation-free in the 10-class logit space; higher orders fall back to
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

/**
 * {@link LogisticModel} at a fixed weight vector (see {@link LogisticModel.at}). Values agree
 * with the model's to rounding; `theta` is a private copy and must not be mutated.
 */
export class LogisticPointOracle implements DerivativeOracle<number> {
  readonly dim: number;
  /** The weights this oracle is frozen at (pass this very array as `theta`). */
  readonly theta: Float64Array;
  /** `probs[10i + c]` = softmax of datum `i` at `theta` (valid where `#have[i] === 1`). */
  readonly #probs: Float64Array;
  readonly #loss: Float64Array;
  readonly #have: Uint8Array;
  readonly #zero: boolean;
  readonly #a = new Float64Array(CLASSES);
  readonly #b = new Float64Array(CLASSES);
  readonly #c = new Float64Array(CLASSES);
  readonly #w = new Float64Array(CLASSES);

  constructor(
    readonly model: LogisticModel,
    theta: Float64Array,
  ) {
    if (theta.length !== model.dim) throw new InvalidArgumentError("LogisticModel.at", "theta", `of length ${model.dim}`, theta.length);
    this.dim = model.dim;
    this.theta = Float64Array.from(theta);
    this.#zero = this.theta.every((x) => x === 0);
    const n = model.data.size;
    this.#probs = new Float64Array(n * CLASSES);
    this.#loss = new Float64Array(n);
    this.#have = new Uint8Array(n);
  }

  /** Offset of datum `i`'s softmax in `#probs` (computed on first use). */
  #p(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.#have.length) {
      throw new InvalidArgumentError("LogisticPointOracle", "datum", `an index in [0, ${this.#have.length})`, i);
    }
    const o = i * CLASSES;
    if (this.#have[i] === 0) {
      const z = this.#a;
      // Zero weights (the default init) give zero logits: no pass over the image needed.
      if (this.#zero) z.fill(0);
      else readLogits(this.theta, this.model.features, this.model.sparsePixels(i), this.model.scale, z);
      const lse = logSumExp(z);
      for (let c = 0; c < CLASSES; c++) this.#probs[o + c] = Math.exp(z[c] - lse);
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
    for (let c = 0; c < CLASSES; c++) m += p[o + c] * out[c];
    for (let c = 0; c < CLASSES; c++) out[c] -= m;
    return out;
  }

  /** `w` (in `#w`) with `∇^{k+1} l_i[v_1..v_k, ·] = s·w ⊗ x̃_i`, `k ≤ 2`. */
  #gradientFactor(i: number, dirs: readonly Float64Array[]): Float64Array {
    const o = this.#p(i);
    const p = this.#probs;
    const w = this.#w;
    if (dirs.length === 0) {
      for (let c = 0; c < CLASSES; c++) w[c] = p[o + c];
      w[this.model.data.labels[i]] -= 1;
      return w;
    }
    const a = this.#centred(dirs[0], i, o, this.#a);
    if (dirs.length === 1) {
      for (let c = 0; c < CLASSES; c++) w[c] = p[o + c] * a[c];
      return w;
    }
    const b = dirs[1] === dirs[0] ? a : this.#centred(dirs[1], i, o, this.#b);
    let cov = 0;
    for (let c = 0; c < CLASSES; c++) cov += p[o + c] * a[c] * b[c];
    for (let c = 0; c < CLASSES; c++) w[c] = p[o + c] * (a[c] * b[c] - cov);
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
      for (let c = 0; c < CLASSES; c++) s += p[o + c] * u[c];
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
      for (let c = 0; c < CLASSES; c++) s += p[o + c] * a[c] * b[c];
      return s;
    }
    const e = d[2] === d[0] ? a : d[2] === d[1] ? b : this.#centred(d[2], i, o, this.#c);
    for (let c = 0; c < CLASSES; c++) s += p[o + c] * a[c] * b[c] * e[c];
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
    const us = vecs.map(() => new Float64Array(CLASSES));
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
          for (let c = 0; c < CLASSES; c++) s += p[o + c] * a[c] * b[c];
        } else {
          const a = us[sl[0]];
          const b = us[sl[1]];
          const e = us[sl[2]];
          for (let c = 0; c < CLASSES; c++) s += p[o + c] * a[c] * b[c] * e[c];
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

/** `out[c] = scale·(v_c·x̃)` for the sparse image `x̃` (bias entry 1), `v` in class-major layout. */
function readLogits(v: Float64Array, F: number, px: { idx: Int32Array; val: Float64Array }, scale: number, out: Float64Array): void {
  const { idx, val } = px;
  const F2 = 2 * F, F3 = 3 * F, F4 = 4 * F, F5 = 5 * F, F6 = 6 * F, F7 = 7 * F, F8 = 8 * F, F9 = 9 * F;
  const bias = F - 1;
  // Same summation order as a per-class loop (bias first, then pixels in order): identical rounding.
  let s0 = v[bias], s1 = v[bias + F], s2 = v[bias + F2], s3 = v[bias + F3], s4 = v[bias + F4];
  let s5 = v[bias + F5], s6 = v[bias + F6], s7 = v[bias + F7], s8 = v[bias + F8], s9 = v[bias + F9];
  for (let k = 0; k < idx.length; k++) {
    const j = idx[k];
    const x = val[k];
    s0 += v[j] * x;
    s1 += v[j + F] * x;
    s2 += v[j + F2] * x;
    s3 += v[j + F3] * x;
    s4 += v[j + F4] * x;
    s5 += v[j + F5] * x;
    s6 += v[j + F6] * x;
    s7 += v[j + F7] * x;
    s8 += v[j + F8] * x;
    s9 += v[j + F9] * x;
  }
  out[0] = s0 * scale;
  out[1] = s1 * scale;
  out[2] = s2 * scale;
  out[3] = s3 * scale;
  out[4] = s4 * scale;
  out[5] = s5 * scale;
  out[6] = s6 * scale;
  out[7] = s7 * scale;
  out[8] = s8 * scale;
  out[9] = s9 * scale;
}

/** `out += (w·scale·weight) ⊗ x̃` for the sparse image `x̃` (bias entry 1), class-major layout. */
function addOuterSparse(out: Float64Array, w: ArrayLike<number>, scale: number, weight: number, F: number, px: { idx: Int32Array; val: Float64Array }): void {
  const { idx, val } = px;
  const F2 = 2 * F, F3 = 3 * F, F4 = 4 * F, F5 = 5 * F, F6 = 6 * F, F7 = 7 * F, F8 = 8 * F, F9 = 9 * F;
  const a0 = w[0] * scale * weight, a1 = w[1] * scale * weight, a2 = w[2] * scale * weight, a3 = w[3] * scale * weight, a4 = w[4] * scale * weight;
  const a5 = w[5] * scale * weight, a6 = w[6] * scale * weight, a7 = w[7] * scale * weight, a8 = w[8] * scale * weight, a9 = w[9] * scale * weight;
  for (let k = 0; k < idx.length; k++) {
    const j = idx[k];
    const x = val[k];
    out[j] += a0 * x;
    out[j + F] += a1 * x;
    out[j + F2] += a2 * x;
    out[j + F3] += a3 * x;
    out[j + F4] += a4 * x;
    out[j + F5] += a5 * x;
    out[j + F6] += a6 * x;
    out[j + F7] += a7 * x;
    out[j + F8] += a8 * x;
    out[j + F9] += a9 * x;
  }
  const bias = F - 1;
  out[bias] += a0;
  out[bias + F] += a1;
  out[bias + F2] += a2;
  out[bias + F3] += a3;
  out[bias + F4] += a4;
  out[bias + F5] += a5;
  out[bias + F6] += a6;
  out[bias + F7] += a7;
  out[bias + F8] += a8;
  out[bias + F9] += a9;
}

/** `u − Σ_c p_c u_c` (the direction's logit change centred under the softmax). */
function centre(p: Float64Array, u: Float64Array): Float64Array {
  let m = 0;
  for (let c = 0; c < CLASSES; c++) m += p[c] * u[c];
  const out = new Float64Array(CLASSES);
  for (let c = 0; c < CLASSES; c++) out[c] = u[c] - m;
  return out;
}

export function logSumExp(z: ArrayLike<number>): number {
  let m = -Infinity;
  for (let c = 0; c < z.length; c++) m = Math.max(m, z[c]);
  let s = 0;
  for (let c = 0; c < z.length; c++) s += Math.exp(z[c] - m);
  return m + Math.log(s);
}

export function softmax(z: ArrayLike<number>): Float64Array {
  const lse = logSumExp(z);
  return Float64Array.from(z, (v) => Math.exp(v - lse));
}

const partitionCache = new Map<number, { blocks: number[][]; weight: number }[]>();

/** Set partitions of `{0..n-1}` with their cumulant weights `(|π|−1)!(−1)^{|π|−1}`. */
function partitionsWithWeights(n: number): { blocks: number[][]; weight: number }[] {
  const hit = partitionCache.get(n);
  if (hit !== undefined) return hit;
  const out: { blocks: number[][]; weight: number }[] = [];
  const rec = (i: number, blocks: number[][]): void => {
    if (i === n) {
      const k = blocks.length;
      let f = 1;
      for (let j = 2; j < k; j++) f *= j;
      out.push({ blocks: blocks.map((b) => [...b]), weight: (k % 2 === 1 ? 1 : -1) * f });
      return;
    }
    for (const b of blocks) {
      b.push(i);
      rec(i + 1, blocks);
      b.pop();
    }
    blocks.push([i]);
    rec(i + 1, blocks);
    blocks.pop();
  };
  rec(0, []);
  partitionCache.set(n, out);
  return out;
}

/** Joint cumulant `κ(X_1..X_n)` of `X_i = u_i(C)`, `C ~ p` (categorical). */
export function jointCumulant(p: ArrayLike<number>, us: readonly ArrayLike<number>[]): number {
  const n = us.length;
  const moment = new Map<number, number>();
  const m = (mask: number): number => {
    let v = moment.get(mask);
    if (v !== undefined) return v;
    v = 0;
    for (let c = 0; c < p.length; c++) {
      let prod = p[c];
      for (let i = 0; i < n; i++) if ((mask >> i) & 1) prod *= us[i][c];
      v += prod;
    }
    moment.set(mask, v);
    return v;
  };
  let k = 0;
  for (const { blocks, weight } of partitionsWithWeights(n)) {
    let prod = weight;
    for (const b of blocks) {
      let mask = 0;
      for (const i of b) mask |= 1 << i;
      prod *= m(mask);
    }
    k += prod;
  }
  return k;
}
