/**
 * float64-accurate `exp`, `tanh` and `logsumexp` built from arithmetic only, for the `wasm`
 * device.
 *
 * jax-js 0.1.25 evaluates float64 `exp`/`log` in a wasm kernel by demoting to float32 and
 * using a 5th-order polynomial (relative error ~1e-7), and its `tanh` is built on `exp`
 * (see `src/numerics/jax.ts`). The `cpu` device is exact but, for a convolutional network,
 * about a thousand times slower. Float64 `+ − × ÷` and `floor` are exact on both devices,
 * so the functions here compute the transcendentals from those and stay accurate to a few
 * ulp *and* so do their derivatives of every order (automatic differentiation goes through
 * the same arithmetic: the derivative of a degree-`n` Taylor polynomial is the degree-`n−1`
 * one).
 *
 * All constants are written with `constant()` (exact under `jit`); every function consumes its
 * argument and returns a new array. Divisions make *eager* derivatives leak one buffer per
 * call in jax-js 0.1.25 (the `reciprocal` JVP); run them under `jit`.
 *
 * ## References
 * - W. J. Cody, W. Waite, *Software Manual for the Elementary Functions*, 1980 (the split
 *   `ln 2 = LN2_HI + LN2_LO` range reduction).
 * - fdlibm `e_exp.c` (the constants `LN2_HI`, `LN2_LO`).
 *
 * @module
 */
import { constant, lax, np, type JaxArray } from "../numerics/index.js";

/** `ln 2` to 32 significant bits (its low 21 bits are zero, so `k·LN2_HI` is exact for `|k| < 2^21`). */
const LN2_HI = 6.93147180369123816490e-1;
/** `ln 2 − LN2_HI`. */
const LN2_LO = 1.90821492927058770002e-10;
/** Degree of the Taylor polynomial of `e^r` on `|r| ≤ ln2/2`: the 4th derivative still has error < 1e-17. */
const TAYLOR_DEGREE = 17;
/** Arguments below this give `exp = 0` to float64 accuracy relative to the values they are added to. */
const EXP_FLOOR = -700;
/** `2^{-2^i}` factors cover `k ∈ [−1023, 0]`. */
const SCALE_BITS = 10;

const INVERSE_FACTORIALS: readonly number[] = (() => {
  const out = [1];
  for (let j = 1; j <= TAYLOR_DEGREE; j++) out.push(out[j - 1] / j);
  return out;
})();

/**
 * `e^x` for `x ≤ 0` to ~2 ulp (arguments below −700 are clamped there: `e^{−700} ≈ 1e−304`).
 *
 * ## Method
 * `k = round(x / ln 2)`, `r = x − k·LN2_HI − k·LN2_LO` (`|r| ≤ 0.347`), `e^x = 2^k · P(r)` with
 * `P` the Taylor polynomial of degree 17; `2^k` (`k ≤ 0`) is the product of `2^{−2^i}` over
 * the binary digits of `−k`, found with `floor` (all exact). `k` is piecewise constant, so its
 * derivative is zero and `d/dx e^x = 2^k P'(r)`.
 */
export function expNonPositive(x: JaxArray): JaxArray {
  const c = (v: number): JaxArray => constant(x, v);
  const xc = np.maximum(x, c(EXP_FLOOR));
  const k = np.floor(xc.ref.mul(c(1 / Math.LN2)).add(c(0.5)));
  const r = xc.sub(k.ref.mul(c(LN2_HI))).sub(k.ref.mul(c(LN2_LO)));
  let p = c(INVERSE_FACTORIALS[TAYLOR_DEGREE]);
  for (let j = TAYLOR_DEGREE - 1; j >= 0; j--) p = p.mul(j === 0 ? r : r.ref).add(c(INVERSE_FACTORIALS[j]));
  // 2^k = Π_i 2^{−b_i 2^i} with b_i the binary digits of q = −k ∈ [0, 1010].
  let q = k.neg();
  for (let i = 0; i < SCALE_BITS; i++) {
    const half = np.floor(q.ref.mul(c(0.5)));
    const bit = q.sub(half.ref.mul(c(2)));
    // A select, not (1 − b) + b·2^{−2^i}: jit's simplifier rewrites that to 1 + b(2^{−2^i} − 1),
    // which rounds 2^{−2^i} away for i ≥ 6.
    p = p.mul(np.where(bit.greater(c(0.5)), c(2 ** -(2 ** i)), c(1)));
    q = half;
  }
  q.dispose();
  return p;
}

/**
 * `tanh x` to a few ulp for `|x| ≳ 1e−3` (absolute error ~1e−16 near 0), with derivatives of
 * every order as accurate.
 *
 * `tanh x = s·(1 − e)/(1 + e)` with `s = sign x` (taken as +1 at 0, so that `s² = 1` and the
 * derivative at 0 is right) and `e = e^{−2|x|}` from {@link expNonPositive}.
 */
export function tanhPrecise(x: JaxArray): JaxArray {
  const c = (v: number): JaxArray => constant(x, v);
  const s = np.where(x.ref.less(c(0)), c(-1), c(1));
  const e = expNonPositive(x.mul(s.ref).mul(c(-2)));
  return c(1).sub(e.ref).div(c(1).add(e)).mul(s);
}

/**
 * `log Σ_c e^{z_c}` of a vector, to a few ulp, with accurate derivatives; consumes `z`.
 *
 * ## Method
 * With `m = max z` (gradient stopped: the result does not depend on it), `S = Σ e^{z_c − m} ∈
 * [1, n]` by {@link expNonPositive}; `log S` starts from the device's `log` (~1e−7) and takes
 * two Newton steps `y ← y + S e^{−y} − 1` (the error squares each step). The derivative of
 * the start value is exact (`1/S`) and the Newton map has zero slope at the root, so the
 * derivatives are as accurate as the value.
 */
export function logSumExpPrecise(z: JaxArray): JaxArray {
  const c = (v: number): JaxArray => constant(z, v);
  const m = lax.stopGradient(z.ref.max());
  const S = expNonPositive(z.sub(m.ref)).sum();
  let y = np.log(S.ref);
  for (let step = 0; step < 2; step++) {
    y = y.ref.add(S.ref.mul(expNonPositive(y.neg()))).sub(c(1));
  }
  S.dispose();
  return y.add(m);
}

/** `tanh` in the dtype of `x`: {@link tanhPrecise} for float64, the device's `tanh` otherwise. */
export function tanh(x: JaxArray): JaxArray {
  return x.dtype === "float64" ? tanhPrecise(x) : np.tanh(x);
}

/**
 * `logsumexp` of a vector in the dtype of `z`: {@link logSumExpPrecise} for float64, the
 * max-shifted device formula otherwise.
 */
export function logSumExp(z: JaxArray): JaxArray {
  if (z.dtype === "float64") return logSumExpPrecise(z);
  const m = lax.stopGradient(z.ref.max());
  return np.log(np.exp(z.sub(m.ref)).sum()).add(m);
}
