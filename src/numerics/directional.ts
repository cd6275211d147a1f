/**
 * Jax-level builders for directional derivatives of a per-datum loss by nested forward mode.
 *
 * These return functions of jax arrays (usable under `vmap` and `jit`); {@link LossOracle}
 * in `./oracles.ts` wraps them for `Float64Array` callers.
 *
 * @module
 */
import { requireInt } from "../errors.js";
import { grad, jvp, type JaxArray } from "./jax.js";

/**
 * A per-datum loss `l_x(θ)` as a jax-js function.
 *
 * - `theta`: shape `[P]`, the weights;
 * - `x`: shape `[D]`, one datum's features;
 * - returns a rank-0 array.
 *
 * Ownership: consumes `theta` and `x` exactly once each (use `.ref` for all uses but the last)
 * and returns a new array owned by the caller. It must be a pure function of its arguments
 * (closed-over constants are fine), so that `grad`, `jvp`, `vmap` and `jit` may trace it.
 */
export type LossFunction = (theta: JaxArray, x: JaxArray) => JaxArray;

/** `(theta, x, v_1, …, v_k) → array`; consumes every argument. */
export type DirectionalFunction = (theta: JaxArray, x: JaxArray, ...directions: JaxArray[]) => JaxArray;

/** Largest k the builders accept; nested forward mode costs ~2^k times a gradient. */
export const MAX_DIRECTIONAL_ORDER = 8;

/**
 * Applies `k` nested Jacobian-vector products to `f`: with `f_0 = f` and
 * `f_j(θ) = d/dε f_{j−1}(θ + ε v_j)|_{ε=0}` (the tangent output of `jvp`), returns `f_k`.
 * Direction arrays are used through `.ref`; the caller disposes them.
 */
function nestJvp(f: (theta: JaxArray) => JaxArray, directions: readonly JaxArray[]): (theta: JaxArray) => JaxArray {
  let g = f;
  for (const v of directions) {
    const inner = g;
    g = (theta: JaxArray) => {
      const [primal, tangent] = jvp(inner, [theta], [v.ref]);
      primal.dispose();
      return tangent;
    };
  }
  return g;
}

/**
 * Builds `(θ, x, v_1..v_k) ↦ ∇^{k+1} l_x(θ)[v_1, …, v_k, ·]`, a vector of shape `[P]`:
 * forward-over-reverse, `k` nested `jvp`s of `grad l_x`, so no `P^k` tensor is ever formed
 * (docs/theory.md#estimators: a diagram node with children `v_1..v_k`). `k = 0` is the gradient, `k = 1`
 * a Hessian-vector product.
 *
 * @throws InvalidArgumentError if `k` is not an integer in `[0, MAX_DIRECTIONAL_ORDER]`.
 */
export function directionalGradientFn(loss: LossFunction, k: number): DirectionalFunction {
  requireInt(k, "directionalGradientFn", "k", 0, MAX_DIRECTIONAL_ORDER);
  return (theta, x, ...directions) => {
    try {
      checkArity("directionalGradientFn", k, directions.length);
      const gradient = (t: JaxArray): JaxArray => grad(loss)(t, x.ref);
      return nestJvp(gradient, directions)(theta);
    } finally {
      x.dispose();
      for (const v of directions) v.dispose();
    }
  };
}

/**
 * Builds `(θ, x, v_1..v_k) ↦ ∇^k l_x(θ)[v_1, …, v_k]`, a scalar (docs/theory.md#estimators: the root of a
 * diagram), by `k` nested `jvp`s of the loss. `k = 0` is the loss value.
 *
 * @throws InvalidArgumentError if `k` is not an integer in `[0, MAX_DIRECTIONAL_ORDER]`.
 */
export function directionalDerivativeFn(loss: LossFunction, k: number): DirectionalFunction {
  requireInt(k, "directionalDerivativeFn", "k", 0, MAX_DIRECTIONAL_ORDER);
  return (theta, x, ...directions) => {
    try {
      checkArity("directionalDerivativeFn", k, directions.length);
      const value = (t: JaxArray): JaxArray => loss(t, x.ref);
      return nestJvp(value, directions)(theta);
    } finally {
      x.dispose();
      for (const v of directions) v.dispose();
    }
  };
}

function checkArity(where: string, k: number, got: number): void {
  requireInt(got, where, "number of directions", k, k);
}
