import { InvalidArgumentError } from "../errors.js";
import type { ImageDataset } from "./datasets.js";
import type { DerivativeOracle } from "./derivativeOracle.js";

const CLASSES = 10;

/**
 * Multinomial logistic regression on an image data set, in float64 with analytic
 * derivatives of every order (experiments.md "Models"):
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
  readonly #sparse = new Map<number, { idx: Int32Array; val: Float64Array }>();

  constructor(readonly data: ImageDataset) {
    this.features = data.features + 1;
    this.dim = CLASSES * this.features;
    this.scale = Math.sqrt(2 / (data.features + CLASSES));
  }

  /** Zero init (the seed is accepted for a uniform model interface and ignored). */
  theta0(_seed = 0): Float64Array {
    return new Float64Array(this.dim);
  }

  /** The nonzero pixels of image `i`. */
  sparsePixels(i: number): { idx: Int32Array; val: Float64Array } {
    let sp = this.#sparse.get(i);
    if (sp === undefined) {
      const P = this.features - 1;
      const px = this.data.pixels;
      const idx: number[] = [];
      const val: number[] = [];
      for (let j = 0; j < P; j++) {
        const x = px[i * P + j];
        if (x !== 0) idx.push(j), val.push(x);
      }
      sp = { idx: Int32Array.from(idx), val: Float64Array.from(val) };
      this.#sparse.set(i, sp);
    }
    return sp;
  }

  /** `u = s·V·x̃` for datum `i`. */
  logitDirection(v: Float64Array, i: number): Float64Array {
    const F = this.features;
    const { idx, val } = this.sparsePixels(i);
    const u = new Float64Array(CLASSES);
    for (let c = 0; c < CLASSES; c++) {
      const row = c * F;
      let s = v[row + F - 1];
      for (let k = 0; k < idx.length; k++) s += v[row + idx[k]] * val[k];
      u[c] = s * this.scale;
    }
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
    const F = this.features;
    const { idx, val } = this.sparsePixels(i);
    for (let c = 0; c < CLASSES; c++) {
      const a = w[c] * this.scale * weight;
      if (a === 0) continue;
      const row = c * F;
      for (let k = 0; k < idx.length; k++) out[row + idx[k]] += a * val[k];
      out[row + F - 1] += a;
    }
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
