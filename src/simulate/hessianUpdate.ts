/**
 * The Hessian-preconditioned update of docs/theory.md#momentum-and-hessian-update,
 * `θ ← θ − (η^{-1} + λ∇²l_t)^{-1}∇l_t = θ − η(I + ληH_t)^{-1} g_t`, with `g_t`, `H_t` the
 * batch gradient and Hessian of step `t` (the same data). To leading order it adds
 * `+λη²·H_t g_t` to the SGD step — a second node type (a same-datum Hessian inserted in the
 * update) whose leading effect on the test loss is `+λη²T·G·E[H_x g_x]`.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite, requireInt } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { meanOracleGradient } from "./gdc.js";

/** Options of {@link hessianPreconditionedStep}. */
export interface HessianStepOptions {
  /** Conjugate-gradient iterations at most. @defaultValue 20 */
  readonly iterations?: number;
  /** Stop when the residual norm falls below `tolerance·‖g‖`. @defaultValue 1e-10 */
  readonly tolerance?: number;
}

/**
 * Solves `(I + ληH) d = η g` for the step `d` (the update is `θ ← θ − d`), where `g` and
 * `H` are the mean gradient and Hessian of `batch` at `θ`.
 *
 * ## Method
 * Conjugate gradients on the symmetric operator `v ↦ v + ληHv`, one Hessian-vector product
 * (`oracle.directionalGradient(θ, x, [v])`, batch-averaged) per iteration. The operator is
 * positive definite when `λη·λ_min(H) > −1` (always for convex losses with `λ ≥ 0`); if CG
 * meets non-positive curvature it stops and returns the current iterate.
 *
 * @returns the step `d` and the mean gradient `g` (from which the caller may compute the
 *   loss-free diagnostics).
 * @throws InvalidArgumentError for non-finite `eta`/`lambda`, an empty batch or bad options.
 */
export function hessianPreconditionedStep<X>(
  oracle: DerivativeOracle<X>,
  theta: Float64Array,
  batch: readonly X[],
  eta: number,
  lambda: number,
  options: HessianStepOptions = {},
): { step: Float64Array; gradient: Float64Array; iterations: number } {
  const where = "hessianPreconditionedStep";
  requireFinite(eta, where, "eta");
  requireFinite(lambda, where, "lambda");
  if (batch.length === 0) throw new InvalidArgumentError(where, "batch", "a non-empty list of data", 0);
  const iterations = requireInt(options.iterations ?? 20, where, "options.iterations", 0, 100_000);
  const tolerance = requireFinite(options.tolerance ?? 1e-10, where, "options.tolerance", 0);
  const g = meanOracleGradient(oracle, theta, batch, []);
  const b = g.map((x) => eta * x);
  const P = b.length;
  const d = Float64Array.from(b); // the λ = 0 solution is the starting point
  if (lambda === 0 || eta === 0) return { step: d, gradient: g, iterations: 0 };
  const apply = (v: Float64Array): Float64Array => {
    const hv = meanOracleGradient(oracle, theta, batch, [v]);
    const c = lambda * eta;
    return v.map((x, j) => x + c * hv[j]);
  };
  const Ad = apply(d);
  const r = b.map((x, j) => x - Ad[j]);
  const p = Float64Array.from(r);
  let rr = dot(r, r);
  const stop = (tolerance * Math.sqrt(dot(b, b))) ** 2;
  let k = 0;
  for (; k < iterations && rr > stop; k++) {
    const Ap = apply(p);
    const pAp = dot(p, Ap);
    if (!(pAp > 0)) break;
    const alpha = rr / pAp;
    for (let j = 0; j < P; j++) {
      d[j] += alpha * p[j];
      r[j] -= alpha * Ap[j];
    }
    const rrNew = dot(r, r);
    const beta = rrNew / rr;
    rr = rrNew;
    for (let j = 0; j < P; j++) p[j] = r[j] + beta * p[j];
  }
  return { step: d, gradient: g, iterations: k };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}
