/**
 * Untied chains of vanilla SGD summed to all orders from HVPs only (docs/theory.md#resummation), as an
 * unbiased estimate with an honest error bar.
 *
 * The untied chains of one epoch of batch-1 SGD (`T` steps, test loss) sum to
 * `G_S·f(H)·G_D` with `f(h) = −(1 − (1 − ηh)^T)/h = Σ_{d=1}^{T} (−η)^d C(T,d) h^{d−1}`, a
 * polynomial of degree `T − 1` in `H`: the whole resummation needs only the moments
 * `m_j = G_S·H^j·G_D`, `j < T`. A *chain* estimates all of them at once, unbiasedly, as
 * `v_0 = G_D`, `v_j = H_{b_j} v_{j−1}`, `m̂_j = G_S·v_j` with an independent batch `b_j` for
 * every power (so that `E[H_{b_j}⋯H_{b_1}] = H^j`); independent chains give the error bar.
 *
 * @module
 */
import { InvalidArgumentError, requireInt } from "../errors.js";
import type { Estimate } from "../stats/estimate.js";

/**
 * `chains` independent unbiased estimates of `m_j = u·H^j·w`, `j = 0..maxPower`:
 * `samples[c][j]`. `matvec` must apply the batch-mean Hessian of a *fresh, independent* batch
 * on every call (an unbiased estimate of `H·v`); it is called `maxPower` times per chain.
 *
 * @throws InvalidArgumentError for `maxPower` outside `[0, 1000]`, `chains < 2`, or `u`, `w` of
 *   different lengths.
 */
export function chainMomentSamples(matvec: (v: Float64Array) => Float64Array, u: Float64Array, w: Float64Array, maxPower: number, chains: number): Float64Array[] {
  requireInt(maxPower, "chainMomentSamples", "maxPower", 0, 1000);
  requireInt(chains, "chainMomentSamples", "chains", 2, 1e7);
  if (u.length !== w.length) throw new InvalidArgumentError("chainMomentSamples", "w", `of length ${u.length}`, w.length);
  return Array.from({ length: chains }, () => {
    const m = new Float64Array(maxPower + 1);
    let v = w;
    for (let j = 0; j <= maxPower; j++) {
      if (j > 0) v = matvec(v);
      let s = 0;
      for (let i = 0; i < u.length; i++) s += u[i] * v[i];
      m[j] = s;
    }
    return m;
  });
}

/** `C(T, d)` in floating point. */
function binomial(T: number, d: number): number {
  let r = 1;
  for (let i = 0; i < d; i++) r = (r * (T - i)) / (i + 1);
  return r;
}

/**
 * The part of the resummed untied chains beyond order `order` at each `η`:
 * `Σ_{d=order+1}^{T} (−η)^d C(T,d) m_{d−1}`, i.e. `G_S·[f(H) − p(H)]·G_D` with `p` the
 * truncation of `f` at order `order` (already in an order-`order` polynomial prediction), from
 * per-chain moment samples (see {@link chainMomentSamples}, `maxPower ≥ T − 1`): mean over
 * chains ± standard error.
 *
 * @throws InvalidArgumentError for `T` not a positive integer, `order < 0`, or samples with
 *   fewer than `T` moments.
 */
export function resummedChainTail(samples: readonly Float64Array[], T: number, order: number, etas: readonly number[]): Estimate[] {
  requireInt(T, "resummedChainTail", "T", 1, 1000);
  requireInt(order, "resummedChainTail", "order", 0, 1000);
  if (samples.length < 2) throw new InvalidArgumentError("resummedChainTail", "samples", "at least 2 chains", samples.length);
  samples.forEach((m, c) => {
    if (m.length < T) throw new InvalidArgumentError("resummedChainTail", `samples[${c}]`, `at least ${T} moments (maxPower ≥ T − 1)`, m.length);
  });
  return etas.map((eta) => {
    const per = samples.map((m) => {
      let acc = 0;
      for (let d = order + 1; d <= T; d++) acc += (-eta) ** d * binomial(T, d) * m[d - 1];
      return acc;
    });
    const n = per.length;
    const mean = per.reduce((s, x) => s + x, 0) / n;
    const ss = per.reduce((s, x) => s + (x - mean) ** 2, 0);
    return { value: mean, stderr: Math.sqrt(ss / (n - 1) / n), n };
  });
}
