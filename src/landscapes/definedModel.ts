/**
 * The float64 derivative oracle of any model written with {@link defineModel} on any data set
 * (built-in images or a user's {@link TabularData}): a per-datum loss `l_i(θ)` over data-set
 * indices with derivatives of every order by automatic differentiation, plus the batched loss
 * the float32 {@link BatchedTrainer} steps with.
 *
 * @module
 */
import type { TabularData } from "../data/types.js";
import { InvalidArgumentError, requireInt } from "../errors.js";
import {
  completePolicy,
  dataMatrix,
  directionalDerivativeFn,
  directionalGradientFn,
  jit,
  LossOracle,
  MAX_DIRECTIONAL_ORDER,
  np,
  requireNumerics,
  toFloat64Array,
  transcendentalsFor,
  withArrays,
  withRationalTanh,
  type DataMatrix,
  type JaxArray,
  type LossFunction,
  type NumericsPolicy,
  type OwnedFunction,
  type Transcendentals,
} from "../numerics/index.js";
import type { ImageDataset } from "./datasets.js";
import type { DerivativeOracle } from "./derivativeOracle.js";
import { definedBatchLoss } from "./definedLoss.js";
import { imageDatumTable, isTabularData, tabularDatumTable, type DatumTable } from "./datumTable.js";
import { IMAGE_MODEL_POLICY } from "./imageModelPolicies.js";
import type { BatchLossFunction } from "./imageModelTypes.js";
import { asModelDefinition, flattenParams, initContext, type ModelDefinition, type ParamLayout } from "./modelDefinition.js";

/** Options of {@link createModel}. */
export interface ModelOptions {
  /**
   * dtype, device and jit choice for the derivative oracles and batched means (missing fields
   * from {@link IMAGE_MODEL_POLICY}).
   * @defaultValue {@link IMAGE_MODEL_POLICY}
   */
  readonly policy?: Partial<NumericsPolicy>;
  /**
   * Batched calls are split into chunks of at most this many data; chunks are padded to a
   * power of two so that `jit` compiles few shapes (one per power of two used; small batches are
   * not padded to a large shape: on the LeNet a third-order mean over 4 images costs ~16 ms
   * padded to 4 rows against ~80 ms padded to 16).
   * @defaultValue 256
   */
  readonly maxBatchRows?: number;
  /**
   * The `exp`/`log`/`tanh` the model is written with (its `apply`'s tools and the loss).
   * @defaultValue `transcendentalsFor(policy)`: accurate float64 on wasm, jax-js's own elsewhere
   * (benchmarks set jax-js's own on wasm to measure what the accurate ones cost).
   */
  readonly math?: Transcendentals;
}

/**
 * A defined model on a data set, `l_i(θ) = loss(apply(θ, x_i), y_i)`, as a
 * {@link DerivativeOracle} over data-set indices plus batched means for training and evaluation.
 *
 * ## Parameterization
 * `θ` is the flat vector of the definition's parameter tree ({@link DefinedModel.layout}),
 * {@link DefinedModel.dim} entries; {@link DefinedModel.theta0} is `init` at a seed.
 *
 * ## Datum features
 * The jax-level losses take a datum as {@link DefinedModel.dataDim} `= F + K` numbers: the `F`
 * inputs, then the one-hot class or the `K` real targets. {@link DefinedModel.features} builds
 * them from an index.
 *
 * ## Method
 * Gradients, Hessian-vector products and higher directional derivatives are nested `jvp`s
 * and `grad`s of the batch loss, jit-compiled per the policy, in chunks of at most
 * `maxBatchRows` data; per-row quantities use one lane (copy of θ) per datum, which goes
 * through `apply` directly for a definition with `lanes: true` and through `vmap` otherwise.
 *
 * Call {@link DefinedModel.dispose} when done (frees jit-compiled functions).
 */
export class DefinedModel implements DerivativeOracle<number> {
  /** Number of weights `P`. */
  readonly dim: number;
  /** Numbers per datum row: `F` inputs, then `K` target entries. */
  readonly dataDim: number;
  /** Whether `batchLoss` broadcasts lanes itself (`lanes: true`), which the batched trainer requires. */
  readonly lanesNative: boolean;
  readonly policy: NumericsPolicy;
  readonly maxBatchRows: number;
  /**
   * The per-image losses of a batch (see {@link BatchLossFunction}). It takes the dtype of
   * `θ`, writes no float32-inexact literal, and can be traced by `grad`, `jvp`, `vmap` and
   * `jit`; trainers build their batched steps from it.
   */
  readonly batchLoss: BatchLossFunction;
  /**
   * {@link DefinedModel.batchLoss} for evaluating float32 losses (not differentiated): float32
   * `tanh` by the rational `rationalTanh` (≤ 4e−7 relative, ~4× cheaper than jax-js's own);
   * other dtypes exactly as `batchLoss`.
   */
  readonly evaluationLoss: BatchLossFunction;
  /**
   * The per-datum loss `(θ [P], x [794]) → []` (the `LossFunction` ownership contract:
   * consumes both arguments): {@link DefinedModel.batchLoss} on a batch of one.
   */
  readonly loss: LossFunction;
  readonly #oracle: LossOracle;
  readonly #means = new Map<string, MeanFunction>();
  readonly #batchedFns = new Map<string, BatchedFunction | OwnedFunction<BatchedFunction>>();

  /** Use {@link createModel}. */
  constructor(
    readonly definition: ModelDefinition,
    readonly data: DatumTable,
    /** Where the parameter tree's leaves sit in θ. */
    readonly layout: ParamLayout,
    options: { policy: NumericsPolicy; maxBatchRows: number; math?: Transcendentals },
  ) {
    this.kind = definition.name;
    this.dim = layout.dim;
    this.dataDim = data.features + data.outputs;
    this.lanesNative = definition.lanes === true;
    this.policy = options.policy;
    this.maxBatchRows = options.maxBatchRows;
    const math = options.math ?? transcendentalsFor(this.policy);
    this.batchLoss = definedBatchLoss(definition, layout, data, math);
    this.evaluationLoss = definedBatchLoss(definition, layout, data, withRationalTanh(math));
    this.loss = (theta, x) => this.batchLoss(theta, x.reshape([1, this.dataDim])).reshape([]);
    this.#oracle = new LossOracle(this.loss, this.dim, this.dataDim, { policy: this.policy, maxBatchRows: this.maxBatchRows });
  }

  /** The definition's name (`"lenet"`, `"mlp"`, a user's model name). */
  readonly kind: string;

  /** Initial weights for seed `initSeed`: the definition's `init`, flattened. */
  theta0(initSeed = 0): Float64Array {
    const { theta } = flattenParams(this.definition.init(initContext(initSeed, this.data.features, this.data.outputs)));
    if (theta.length !== this.dim) throw new InvalidArgumentError(`model "${this.kind}".init`, `parameters at seed ${initSeed}`, `${this.dim} numbers (as at seed 0)`, theta.length);
    return theta;
  }

  /** The row of datum `i` (inputs, then the one-hot class or the targets). */
  features(i: number): Float64Array {
    this.#checkIndex(i, "features");
    const out = new Float64Array(this.dataDim);
    this.#writeFeatures(i, out, 0);
    return out;
  }

  /** Rows of the data `indices`, row-major `indices.length × dataDim`. */
  featureRows(indices: readonly number[]): Float64Array {
    const out = new Float64Array(indices.length * this.dataDim);
    indices.forEach((i, r) => {
      this.#checkIndex(i, "featureRows");
      this.#writeFeatures(i, out, r * this.dataDim);
    });
    return out;
  }

  /** {@link DefinedModel.featureRows} as a `DataMatrix`. */
  featureMatrix(indices: readonly number[]): DataMatrix {
    return dataMatrix(this.featureRows(indices), this.dataDim);
  }

  /** `∇^k l_i(θ)[v_1..v_k]` (`k = 0` is the loss). */
  directionalDerivative(theta: Float64Array, i: number, directions: readonly Float64Array[]): number {
    this.#checkIndex(i, "directionalDerivative");
    return this.#oracle.directionalDerivative(theta, this.features(i), directions);
  }

  /** `∇^{k+1} l_i(θ)[v_1..v_k, ·]` (`k = 0` the gradient, `k = 1` a Hessian-vector product). */
  directionalGradient(theta: Float64Array, i: number, directions: readonly Float64Array[]): Float64Array {
    this.#checkIndex(i, "directionalGradient");
    return this.#oracle.directionalGradient(theta, this.features(i), directions);
  }

  /**
   * Entry `r` is `∇^k l_{indices[r]}(θ)[v_1..v_k]`. Each direction has length `P` (shared) or
   * `indices.length·P` (row `r` used with image `indices[r]`). One call per chunk of at most
   * {@link DefinedModel.maxBatchRows} images: with shared directions, `k` nested `jvp`s of the
   * vector of losses `θ ↦ (l_{x_r}(θ))_r`; with per-row directions, the same on one lane per
   * image.
   *
   * @throws InvalidArgumentError for bad lengths, indices or more than 8 directions.
   */
  directionalDerivatives(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): Float64Array {
    return this.#batched("derivative", "directionalDerivatives", theta, indices, directions);
  }

  /**
   * Row `r` is `∇^{k+1} l_{indices[r]}(θ)[v_1..v_k, ·]`, row-major `indices.length × P`;
   * directions as in {@link DefinedModel.directionalDerivatives}. Computed on one lane (a copy of
   * θ) per image: the gradient of `Σ_r ∇^k l_{x_r}(θ_r)[…]` with respect to the lanes `θ_r`.
   */
  directionalGradients(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): Float64Array {
    return this.#batched("gradient", "directionalGradients", theta, indices, directions);
  }

  /**
   * `(1/n) Σ_r l_{indices[r]}(θ)`, one batched call ({@link DefinedModel.batchLoss}, `jit` per the
   * policy) per chunk of at most {@link DefinedModel.maxBatchRows} images.
   *
   * @throws InvalidArgumentError for an empty index list, a bad index or a θ of wrong length.
   */
  meanLoss(theta: Float64Array, indices: readonly number[]): number {
    return this.#mean("value", "meanLoss", theta, indices)[0];
  }

  /** `(1/n) Σ_r ∇l_{indices[r]}(θ)` (length `P`), batched like {@link DefinedModel.meanLoss}. */
  meanGradient(theta: Float64Array, indices: readonly number[]): Float64Array {
    return this.#mean("gradient", "meanGradient", theta, indices);
  }

  /**
   * `(1/n) Σ_r ∇^{k+1} l_{indices[r]}(θ)[v_1..v_k, ·]` (length `P`; `k = 0` is
   * {@link DefinedModel.meanGradient}, `k = 1` a batch-mean Hessian-vector product): the
   * `DerivativeOracle` fast path the predictors use for batch means. One call per chunk of at
   * most {@link DefinedModel.maxBatchRows} images, each the directional gradient of the chunk's
   * summed loss (shared directions, so one copy of θ); equal to the mean of the rows of
   * {@link DefinedModel.directionalGradients} and ~2–3× cheaper.
   *
   * @throws InvalidArgumentError for an empty index list, a bad index, a θ or direction of
   *   wrong length, or more than 8 directions.
   */
  meanDirectionalGradient(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): Float64Array {
    return this.#mean("gradient", "meanDirectionalGradient", theta, indices, directions);
  }

  /**
   * `(1/n) Σ_r ∇^k l_{indices[r]}(θ)[v_1..v_k]` (`k = 0` is {@link DefinedModel.meanLoss}): the
   * batch mean of a diagram's root, batched like {@link DefinedModel.meanDirectionalGradient}
   * (~5× cheaper than one {@link DefinedModel.directionalDerivative} call per image).
   *
   * @throws InvalidArgumentError as {@link DefinedModel.meanDirectionalGradient}.
   */
  meanDirectionalDerivative(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): number {
    return this.#mean("value", "meanDirectionalDerivative", theta, indices, directions)[0];
  }

  /** Frees jit-compiled functions; the model stays usable (it recompiles on demand). */
  dispose(): void {
    this.#oracle.dispose();
    for (const f of [...this.#means.values(), ...this.#batchedFns.values()]) {
      if ("dispose" in f && typeof f.dispose === "function") f.dispose();
    }
    this.#means.clear();
    this.#batchedFns.clear();
  }

  #batched(
    kind: "derivative" | "gradient",
    where: string,
    theta: Float64Array,
    indices: readonly number[],
    directions: readonly Float64Array[],
  ): Float64Array {
    requireNumerics(`DefinedModel.${where}`);
    const P = this.dim;
    if (!(theta instanceof Float64Array) || theta.length !== P) {
      throw new InvalidArgumentError(`DefinedModel.${where}`, "theta", `a Float64Array of length ${P}`, theta?.length);
    }
    if (!Array.isArray(indices)) throw new InvalidArgumentError(`DefinedModel.${where}`, "indices", "a list of data indices", indices);
    for (const i of indices) this.#checkIndex(i, where);
    if (!Array.isArray(directions) || directions.length > MAX_DIRECTIONAL_ORDER) {
      throw new InvalidArgumentError(`DefinedModel.${where}`, "directions", `a list of at most ${MAX_DIRECTIONAL_ORDER} vectors`, directions);
    }
    const n = indices.length;
    const perRow = directions.map((v, j) => {
      if (v instanceof Float64Array && v.length === P) return false;
      if (v instanceof Float64Array && v.length === n * P) return true;
      throw new InvalidArgumentError(`DefinedModel.${where}`, `directions[${j}]`, `a Float64Array of length ${P} or ${n}·${P}`, v?.length);
    });
    const outCols = kind === "gradient" ? P : 1;
    const result = new Float64Array(n * outCols);
    const fn = this.#batchedFunction(kind, perRow);
    for (let start = 0; start < n; start += this.maxBatchRows) {
      const chunk = indices.slice(start, start + this.maxBatchRows);
      const rows = paddedRows(chunk.length, this.maxBatchRows);
      const x = new Float64Array(rows * this.dataDim);
      x.set(this.featureRows(chunk));
      const out = withArrays(this.policy, (s) => {
        const vs = directions.map((v, j) => {
          if (!perRow[j]) return s.array(v);
          const padded = new Float64Array(rows * P);
          padded.set(v.subarray(start * P, (start + chunk.length) * P));
          return s.array(padded, [rows, P]);
        });
        return toFloat64Array(s.adopt(fn(s.array(theta), s.array(x, [rows, this.dataDim]), ...vs)));
      });
      result.set(out.subarray(0, chunk.length * outCols), start * outCols);
    }
    return result;
  }

  #batchedFunction(kind: "derivative" | "gradient", perRow: readonly boolean[]): BatchedFunction {
    const key = `${kind}/${perRow.map((b) => (b ? "r" : "s")).join("")}`;
    let fn = this.#batchedFns.get(key);
    if (fn === undefined) {
      const k = perRow.length;
      const D = this.dataDim;
      const P = this.dim;
      const lanes = kind === "gradient" || perRow.some((b) => b);
      const f: BatchedFunction = (theta, x, ...directions) => {
        const R = x.shape[0];
        if (!lanes) {
          const losses = (t: JaxArray, xs: JaxArray): JaxArray => this.batchLoss(t, xs);
          return directionalDerivativeFn(losses, k)(theta, x, ...directions);
        }
        // One lane (copy of θ) per image, so that per-row quantities are separate outputs.
        const thetaLanes = np.broadcastTo(theta, [R, P]);
        const xLanes = x.reshape([R, 1, D]);
        const vLanes = directions.map((v, j) => (perRow[j] ? v : np.broadcastTo(v, [R, P])));
        if (kind === "gradient") {
          const total = (t: JaxArray, xs: JaxArray): JaxArray => this.batchLoss(t, xs).sum();
          return directionalGradientFn(total, k)(thetaLanes, xLanes, ...vLanes);
        }
        const perLane = (t: JaxArray, xs: JaxArray): JaxArray => this.batchLoss(t, xs).reshape([R]);
        return directionalDerivativeFn(perLane, k)(thetaLanes, xLanes, ...vLanes);
      };
      fn = this.policy.jit ? jit(f) : f;
      this.#batchedFns.set(key, fn);
    }
    return fn;
  }

  #mean(
    kind: "value" | "gradient",
    where: string,
    theta: Float64Array,
    indices: readonly number[],
    directions: readonly Float64Array[] = [],
  ): Float64Array {
    requireNumerics(`DefinedModel.${where}`);
    if (!(theta instanceof Float64Array) || theta.length !== this.dim) {
      throw new InvalidArgumentError(`DefinedModel.${where}`, "theta", `a Float64Array of length ${this.dim}`, theta?.length);
    }
    if (!Array.isArray(indices) || indices.length === 0) {
      throw new InvalidArgumentError(`DefinedModel.${where}`, "indices", "a non-empty list of data indices", indices);
    }
    for (const i of indices) this.#checkIndex(i, where);
    if (!Array.isArray(directions) || directions.length > MAX_DIRECTIONAL_ORDER) {
      throw new InvalidArgumentError(`DefinedModel.${where}`, "directions", `a list of at most ${MAX_DIRECTIONAL_ORDER} vectors`, directions);
    }
    directions.forEach((v, j) => {
      if (!(v instanceof Float64Array) || v.length !== this.dim) {
        throw new InvalidArgumentError(`DefinedModel.${where}`, `directions[${j}]`, `a Float64Array of length ${this.dim}`, v?.length);
      }
    });
    if (indices.length === 1) {
      // One image: the per-datum oracle (no weights, no padding) is the cheapest call.
      const x = this.features(indices[0]);
      return kind === "value"
        ? Float64Array.of(this.#oracle.directionalDerivative(theta, x, directions))
        : this.#oracle.directionalGradient(theta, x, directions);
    }
    const fn = this.#meanFunction(kind, directions.length);
    const total = new Float64Array(kind === "value" ? 1 : this.dim);
    for (let start = 0; start < indices.length; start += this.maxBatchRows) {
      const chunk = indices.slice(start, start + this.maxBatchRows);
      const rows = paddedRows(chunk.length, this.maxBatchRows);
      const x = new Float64Array(rows * this.dataDim);
      x.set(this.featureRows(chunk));
      const w = new Float64Array(rows);
      w.fill(1, 0, chunk.length);
      const part = withArrays(this.policy, (s) =>
        toFloat64Array(s.adopt(fn(s.array(theta), s.array(x, [rows, this.dataDim]), s.array(w), ...directions.map((v) => s.array(v))))),
      );
      for (let j = 0; j < total.length; j++) total[j] += part[j];
    }
    for (let j = 0; j < total.length; j++) total[j] /= indices.length;
    return total;
  }

  /**
   * `(θ, x [R, D], w [R], v_1..v_k) → Σ_r w_r ∇^k l_{x_r}(θ)[v_1..v_k]` (`"value"`) or
   * `Σ_r w_r ∇^{k+1} l_{x_r}(θ)[v_1..v_k, ·]` (`"gradient"`): padding rows get weight 0 (so few
   * shapes get compiled). With shared directions the mean is the directional gradient of the
   * weighted sum on one copy of θ — no lane per image as in {@link DefinedModel.directionalGradients}.
   */
  #meanFunction(kind: "value" | "gradient", k: number): MeanFunction {
    const key = `${kind}/${k}`;
    let fn = this.#means.get(key);
    if (fn === undefined) {
      const weightedSum = (theta: JaxArray, x: JaxArray, w: JaxArray): JaxArray => this.batchLoss(theta, x).mul(w).sum();
      const builder = kind === "value" ? directionalDerivativeFn : directionalGradientFn;
      const f: (theta: JaxArray, x: JaxArray, w: JaxArray, ...directions: JaxArray[]) => JaxArray =
        kind === "value" && k === 0
          ? weightedSum
          : (theta, x, w, ...directions) => {
              try {
                const loss: LossFunction = (t, xs) => weightedSum(t, xs, w.ref);
                return builder(loss, k)(theta, x, ...directions);
              } finally {
                w.dispose();
              }
            };
      fn = this.policy.jit ? jit(f) : f;
      this.#means.set(key, fn);
    }
    return fn;
  }

  #writeFeatures(i: number, out: Float64Array, offset: number): void {
    this.data.writeRow(i, out, offset);
  }

  #checkIndex(i: number, where: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.data.size) {
      throw new InvalidArgumentError(`DefinedModel.${where}`, "datum", `an index in [0, ${this.data.size})`, i);
    }
  }
}

/** `(θ [P], x [R, D], v_1..v_k ([P] or [R, P])) → [R]` or `[R, P]`; consumes every argument. */
type BatchedFunction = (theta: JaxArray, x: JaxArray, ...directions: JaxArray[]) => JaxArray;

type MeanFunction =
  | OwnedFunction<(theta: JaxArray, x: JaxArray, w: JaxArray, ...directions: JaxArray[]) => JaxArray>
  | ((theta: JaxArray, x: JaxArray, w: JaxArray, ...directions: JaxArray[]) => JaxArray);

/**
 * `definition` (see {@link defineModel}) on `data` as a {@link DefinedModel}: the float64
 * oracle of the main job's predictions, and (its `batchLoss`, `dim`, `dataDim`, `featureRows`)
 * what the float32 `BatchedTrainer` trains. jax-js must be initialised (`await initNumerics()`).
 *
 * @throws InvalidArgumentError for a malformed definition, a loss that does not fit the data's
 *   task, inputs the model does not take, parameters `init` cannot flatten, or bad options.
 *
 * @example
 * ```ts
 * await initNumerics();
 * const model = createModel(myMlp, irisData);
 * const theta = model.theta0(1);
 * model.meanLoss(theta, [0, 1, 2]);            // mean loss of three rows
 * model.directionalGradient(theta, 0, [theta]); // a Hessian-vector product
 * model.dispose();
 * ```
 */
export function createModel(definition: ModelDefinition, data: TabularData | ImageDataset | DatumTable, options: ModelOptions = {}): DefinedModel {
  const def = asModelDefinition(definition, "createModel");
  const table = "writeRow" in data ? data : isTabularData(data) ? tabularDatumTable(data) : imageDatumTable(data);
  const where = `model "${def.name}"`;
  const wantTask = def.loss === "mse" ? "regression" : "classification";
  if (table.task !== wantTask) throw new InvalidArgumentError(where, "data", `${wantTask} data for the ${def.loss} loss`, `${table.task} data (${table.name})`);
  if (def.inputs !== undefined && def.inputs !== table.features) throw new InvalidArgumentError(where, "data features", `${def.inputs} (the model's inputs)`, `${table.features} (${table.name})`);
  const policy = completePolicy({ ...IMAGE_MODEL_POLICY, ...options.policy }, "createModel");
  const maxBatchRows = requireInt(options.maxBatchRows ?? 256, "createModel", "maxBatchRows", 1, 2 ** 20);
  const { layout } = flattenParams(def.init(initContext(0, table.features, table.outputs)));
  return new DefinedModel(def, table, layout, { policy, maxBatchRows, ...(options.math !== undefined ? { math: options.math } : {}) });
}

/** Rows a chunk of `n` images is padded to: the next power of two ≥ `n`, capped at `max` (or `n` if larger). */
function paddedRows(n: number, max: number): number {
  let rows = 1;
  while (rows < n) rows *= 2;
  return Math.min(rows, Math.max(max, n));
}
