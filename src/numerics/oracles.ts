/**
 * Derivative oracles of a per-datum loss, with `Float64Array` in and out.
 *
 * @module
 */
import { InvalidArgumentError, requireInt } from "../errors.js";
import { type DataMatrix } from "./dataMatrix.js";
import {
  directionalDerivativeFn,
  directionalGradientFn,
  MAX_DIRECTIONAL_ORDER,
  type DirectionalFunction,
  type LossFunction,
} from "./directional.js";
import {
  completePolicy,
  jit,
  requireNumerics,
  toFloat64Array,
  vmap,
  withArrays,
  type NumericsPolicy,
  type OwnedFunction,
} from "./jax.js";

/** Options of {@link LossOracle}. */
export interface LossOracleOptions {
  /**
   * dtype, device and jit choice (missing fields from `PRECISE_POLICY`).
   * @defaultValue `PRECISE_POLICY` (float64, cpu, eager)
   */
  readonly policy?: Partial<NumericsPolicy>;
  /**
   * Batched calls are split into chunks of at most this many rows (bounds memory; with `jit`,
   * at most two shapes get compiled per function).
   * @defaultValue 4096
   */
  readonly maxBatchRows?: number;
}

type Kind = "gradient" | "derivative";

/**
 * Derivative oracles for a loss family `l_x(θ)` (docs/theory.md#setting, #estimators), all by automatic
 * differentiation with jax-js, never forming a `P^k` tensor:
 *
 * - `∇^k l_x(θ)[v_1..v_k]` (a number): {@link LossOracle.directionalDerivative}; `k = 0` is the loss;
 * - `∇^{k+1} l_x(θ)[v_1..v_k, ·]` (a vector in `R^P`): {@link LossOracle.directionalGradient};
 *   `k = 0` is the gradient, `k = 1` the Hessian-vector product;
 * - batched variants over the rows of a {@link DataMatrix} (one `vmap`ped call per chunk), where
 *   every direction is either shared (length `P`) or per row (length `rows·P`).
 *
 * Inputs are `Float64Array`s (converted to the policy's dtype); outputs are new
 * `Float64Array`s. No jax-js array escapes: every array created for a call is consumed or
 * released before the call returns, also when it throws.
 *
 * Call {@link LossOracle.dispose} when done if the policy uses `jit` (frees compiled kernels).
 *
 * Policy advice (facts in `./jax.ts`): the default (float64, cpu, eager) gives every digit of
 * `exp`/`log`/`sin`/`cos`; `jit: true` on cpu gives the same digits 2–10× faster provided the
 * loss writes float32-inexact literals with `constant()`; on wasm, transcendentals are only
 * float32-accurate. In jax-js 0.1.25, eager derivatives through `log`, `sqrt` or division by
 * an array leak device memory; use `jit: true` for such losses.
 *
 * @example
 * ```ts
 * await initNumerics();
 * const cubic: LossFunction = (w, x) => w.ref.mul(w.ref).mul(w.ref).sub(w.mul(x.ref.mul(x).sub(1))).sum();
 * const oracle = new LossOracle(cubic, 1, 1);
 * oracle.directionalGradient([0.5], [2], [[1]]); // ∇²l = 6w → [3]
 * ```
 */
export class LossOracle {
  /** Number of weights `P`. */
  readonly dim: number;
  /** Number of features per datum `D`. */
  readonly dataDim: number;
  readonly policy: NumericsPolicy;
  readonly maxBatchRows: number;
  readonly #loss: LossFunction;
  readonly #cache = new Map<string, DirectionalFunction | OwnedFunction<DirectionalFunction>>();

  /**
   * @param loss - the per-datum loss; see {@link LossFunction} for its ownership contract.
   * @param dim - `P`, the length of `θ`.
   * @param dataDim - `D`, the number of features of one datum.
   * @throws InvalidArgumentError for a non-function loss, bad dimensions or options.
   */
  constructor(loss: LossFunction, dim: number, dataDim: number, options: LossOracleOptions = {}) {
    if (typeof loss !== "function") throw new InvalidArgumentError("LossOracle", "loss", "a function", loss);
    this.dim = requireInt(dim, "LossOracle", "dim", 1, 2 ** 31 - 1);
    this.dataDim = requireInt(dataDim, "LossOracle", "dataDim", 1, 2 ** 31 - 1);
    this.policy = completePolicy(options.policy, "LossOracle");
    this.maxBatchRows = requireInt(options.maxBatchRows ?? 4096, "LossOracle", "maxBatchRows", 1, 2 ** 24);
    this.#loss = (theta, x) => {
      const out = loss(theta, x);
      if (out.ndim !== 0) {
        const shape = out.shape;
        out.dispose();
        throw new InvalidArgumentError("LossOracle", "loss", "a function returning a rank-0 array (shape [])", shape);
      }
      return out;
    };
  }

  /** `l_x(θ)`. */
  value(theta: ArrayLike<number>, x: ArrayLike<number>): number {
    return this.directionalDerivative(theta, x, []);
  }

  /** `l_{x_i}(θ)` for every row `x_i` of `data`. */
  values(theta: ArrayLike<number>, data: DataMatrix): Float64Array {
    return this.directionalDerivatives(theta, data, []);
  }

  /** `∇l_x(θ)`, length `P`. */
  gradient(theta: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
    return this.directionalGradient(theta, x, []);
  }

  /** Per-datum gradients `∇l_{x_i}(θ)`, row-major `rows × P` (one `vmap`ped call per chunk). */
  gradients(theta: ArrayLike<number>, data: DataMatrix): Float64Array {
    return this.directionalGradients(theta, data, []);
  }

  /** Hessian-vector product `∇²l_x(θ) v` (jvp of the gradient). */
  hvp(theta: ArrayLike<number>, x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
    return this.directionalGradient(theta, x, [v]);
  }

  /** Per-datum `∇²l_{x_i}(θ) v_i`, row-major `rows × P`; `v` is shared (length `P`) or per row. */
  hvps(theta: ArrayLike<number>, data: DataMatrix, v: ArrayLike<number>): Float64Array {
    return this.directionalGradients(theta, data, [v]);
  }

  /**
   * `∇^{k+1} l_x(θ)[v_1, …, v_k, ·]` with `k = directions.length` (length `P`).
   *
   * @throws InvalidArgumentError for wrong lengths or more than `MAX_DIRECTIONAL_ORDER` directions.
   */
  directionalGradient(
    theta: ArrayLike<number>,
    x: ArrayLike<number>,
    directions: readonly ArrayLike<number>[],
  ): Float64Array {
    return this.#single("gradient", "directionalGradient", theta, x, directions);
  }

  /**
   * `∇^k l_x(θ)[v_1, …, v_k]` with `k = directions.length`.
   *
   * @throws InvalidArgumentError for wrong lengths or more than `MAX_DIRECTIONAL_ORDER` directions.
   */
  directionalDerivative(theta: ArrayLike<number>, x: ArrayLike<number>, directions: readonly ArrayLike<number>[]): number {
    return this.#single("derivative", "directionalDerivative", theta, x, directions)[0];
  }

  /**
   * Row `i` of the result is `∇^{k+1} l_{x_i}(θ)[v_1^{(i)}, …, v_k^{(i)}, ·]`, row-major `rows × P`.
   * Each direction has length `P` (shared by all rows) or `rows·P` (row `i` used with datum `i`).
   */
  directionalGradients(theta: ArrayLike<number>, data: DataMatrix, directions: readonly ArrayLike<number>[]): Float64Array {
    return this.#batched("gradient", "directionalGradients", theta, data, directions);
  }

  /** Entry `i` is `∇^k l_{x_i}(θ)[v_1^{(i)}, …, v_k^{(i)}]`; directions as in {@link LossOracle.directionalGradients}. */
  directionalDerivatives(theta: ArrayLike<number>, data: DataMatrix, directions: readonly ArrayLike<number>[]): Float64Array {
    return this.#batched("derivative", "directionalDerivatives", theta, data, directions);
  }

  /** Frees jit-compiled functions. The oracle stays usable (it recompiles on demand). */
  dispose(): void {
    for (const f of this.#cache.values()) {
      if ("dispose" in f && typeof f.dispose === "function") f.dispose();
    }
    this.#cache.clear();
  }

  #single(
    kind: Kind,
    where: string,
    theta: ArrayLike<number>,
    x: ArrayLike<number>,
    directions: readonly ArrayLike<number>[],
  ): Float64Array {
    requireNumerics(`LossOracle.${where}`);
    this.#checkTheta(where, theta);
    this.#checkOrder(where, directions);
    requireLength(where, "x", x, this.dataDim);
    directions.forEach((v, j) => requireLength(where, `directions[${j}]`, v, this.dim));
    const fn = this.#function(kind, directions.length, null);
    return withArrays(this.policy, (s) => {
      const out = s.adopt(fn(s.array(toF64(theta)), s.array(toF64(x)), ...directions.map((v) => s.array(toF64(v)))));
      return toFloat64Array(out);
    });
  }

  #batched(
    kind: Kind,
    where: string,
    theta: ArrayLike<number>,
    data: DataMatrix,
    directions: readonly ArrayLike<number>[],
  ): Float64Array {
    requireNumerics(`LossOracle.${where}`);
    this.#checkTheta(where, theta);
    this.#checkOrder(where, directions);
    if (data.cols !== this.dataDim || data.values.length !== data.rows * data.cols) {
      throw new InvalidArgumentError(
        `LossOracle.${where}`,
        "data",
        `a DataMatrix with ${this.dataDim} columns`,
        `${data.rows}×${data.cols} (${data.values.length} values)`,
      );
    }
    const n = data.rows;
    const P = this.dim;
    const perRow = directions.map((v, j) => {
      if (v.length === P) return false;
      if (v.length === n * P) return true;
      throw new InvalidArgumentError(`LossOracle.${where}`, `directions[${j}].length`, `${P} or rows·P = ${n * P}`, v.length);
    });
    const outCols = kind === "gradient" ? P : 1;
    const result = new Float64Array(n * outCols);
    if (n === 0) return result;
    const fn = this.#function(kind, directions.length, perRow);
    const thetaF64 = toF64(theta);
    const shared = directions.map((v, j) => (perRow[j] ? null : toF64(v)));
    for (let start = 0; start < n; start += this.maxBatchRows) {
      const stop = Math.min(n, start + this.maxBatchRows);
      const rows = stop - start;
      const chunk = withArrays(this.policy, (s) => {
        const xs = s.array(data.values.subarray(start * this.dataDim, stop * this.dataDim), [rows, this.dataDim]);
        const vs = directions.map((v, j) =>
          perRow[j] ? s.array(sliceRows(v, start, stop, P), [rows, P]) : s.array(shared[j] as Float64Array),
        );
        const out = s.adopt(fn(s.array(thetaF64), xs, ...vs));
        return toFloat64Array(out);
      });
      result.set(chunk, start * outCols);
    }
    return result;
  }

  #function(kind: Kind, k: number, perRow: readonly boolean[] | null): DirectionalFunction {
    const key = `${kind}/${k}/${perRow === null ? "single" : perRow.map((b) => (b ? 0 : "-")).join("")}`;
    let fn = this.#cache.get(key);
    if (fn === undefined) {
      const base = kind === "gradient" ? directionalGradientFn(this.#loss, k) : directionalDerivativeFn(this.#loss, k);
      const mapped: DirectionalFunction =
        perRow === null ? base : (vmap(base, [null, 0, ...perRow.map((b) => (b ? 0 : null))]) as DirectionalFunction);
      fn = this.policy.jit ? (jit(mapped) as OwnedFunction<DirectionalFunction>) : mapped;
      this.#cache.set(key, fn);
    }
    return fn;
  }

  #checkTheta(where: string, theta: ArrayLike<number>): void {
    requireLength(where, "theta", theta, this.dim);
  }

  #checkOrder(where: string, directions: readonly ArrayLike<number>[]): void {
    if (!Array.isArray(directions)) {
      throw new InvalidArgumentError(`LossOracle.${where}`, "directions", "an array of vectors", directions);
    }
    if (directions.length > MAX_DIRECTIONAL_ORDER) {
      throw new InvalidArgumentError(
        `LossOracle.${where}`,
        "directions.length",
        `at most ${MAX_DIRECTIONAL_ORDER}`,
        directions.length,
      );
    }
  }
}

function requireLength(where: string, arg: string, v: ArrayLike<number>, n: number): void {
  if (v === null || typeof v !== "object" || typeof v.length !== "number") {
    throw new InvalidArgumentError(`LossOracle.${where}`, arg, `a vector of length ${n}`, v);
  }
  if (v.length !== n) throw new InvalidArgumentError(`LossOracle.${where}`, `${arg}.length`, `${n}`, v.length);
}

function toF64(v: ArrayLike<number>): Float64Array {
  return v instanceof Float64Array ? v : Float64Array.from(v);
}

function sliceRows(v: ArrayLike<number>, start: number, stop: number, cols: number): Float64Array {
  return v instanceof Float64Array
    ? v.subarray(start * cols, stop * cols)
    : Float64Array.from(Array.prototype.slice.call(v, start * cols, stop * cols) as number[]);
}
