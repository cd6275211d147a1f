/**
 * Class-major kernels of the `K`-class {@link LogisticModel} on sparse inputs: logits of a
 * weight direction, rank-one updates `w ⊗ x̃` and centring under the softmax. The 10 classes of
 * MNIST-like data run an unrolled loop; any other `K` a generic one with the same summation
 * order (so the rounding is the same).
 *
 * @module
 */
import type { LogisticModel } from "./logistic.js";

/** Classes of MNIST and Fashion-MNIST (the unrolled kernels' width). */
export const CLASSES = 10;

/** `out[c] = scale·(v_c·x̃)` for the sparse image `x̃` (bias entry 1), `v` in class-major layout. */
export function readLogits(v: Float64Array, F: number, px: { idx: Int32Array; val: Float64Array }, scale: number, out: Float64Array): void {
  if (out.length !== CLASSES) return readLogitsK(v, F, px, scale, out);
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

/** {@link readLogits} for `K = out.length` classes: per class, the bias first, then the inputs in order. */
function readLogitsK(v: Float64Array, F: number, px: { idx: Int32Array; val: Float64Array }, scale: number, out: Float64Array): void {
  const { idx, val } = px;
  for (let c = 0; c < out.length; c++) {
    const o = c * F;
    let s = v[o + F - 1];
    for (let k = 0; k < idx.length; k++) s += v[o + idx[k]] * val[k];
    out[c] = s * scale;
  }
}

/** `out += (w·scale·weight) ⊗ x̃` for the sparse image `x̃` (bias entry 1), class-major layout (`K = out.length / F` classes). */
export function addOuterSparse(out: Float64Array, w: ArrayLike<number>, scale: number, weight: number, F: number, px: { idx: Int32Array; val: Float64Array }): void {
  if (out.length !== CLASSES * F) return addOuterSparseK(out, w, scale, weight, F, px);
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

/** {@link addOuterSparse} for any number of classes. */
function addOuterSparseK(out: Float64Array, w: ArrayLike<number>, scale: number, weight: number, F: number, px: { idx: Int32Array; val: Float64Array }): void {
  const { idx, val } = px;
  const K = out.length / F;
  for (let c = 0; c < K; c++) {
    const a = w[c] * scale * weight;
    const o = c * F;
    for (let k = 0; k < idx.length; k++) out[o + idx[k]] += a * val[k];
    out[o + F - 1] += a;
  }
}

/** `u − Σ_c p_c u_c` (the direction's logit change centred under the softmax). */
export function centre(p: Float64Array, u: Float64Array): Float64Array {
  const K = u.length;
  let m = 0;
  for (let c = 0; c < K; c++) m += p[c] * u[c];
  const out = new Float64Array(K);
  for (let c = 0; c < K; c++) out[c] = u[c] - m;
  return out;
}
