/**
 * Image classifiers on jax-js (docs/theory.md#data-and-models): multinomial logistic
 * regression, a small LeNet and a small tanh MLP, each a per-datum loss `l_i(θ)` over the
 * images of an {@link ImageDataset}, with derivatives of every order by automatic
 * differentiation.
 *
 * @module
 */
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
  type DataMatrix,
  type JaxArray,
  type LossFunction,
  type NumericsPolicy,
  type OwnedFunction,
  type Transcendentals,
} from "../numerics/index.js";
import { Rng } from "../stats/rng.js";
import type { ImageDataset } from "./datasets.js";
import type { DerivativeOracle } from "./derivativeOracle.js";
import { lenetArchitecture, logisticArchitecture, mlpArchitecture } from "./imageArchitectures.js";
import { imageBatchLoss } from "./imageBatchLoss.js";
import { IMAGE_MODEL_POLICY } from "./imageModelPolicies.js";
import {
  IMAGE_DATUM_FEATURES,
  IMAGE_MODEL_KINDS,
  PIXELS,
  type BatchLossFunction,
  type ImageModelKind,
  type LogitsFunction,
  type ParameterBlock,
} from "./imageModelTypes.js";

export { IMAGE_MODEL_EXACT_POLICY, IMAGE_MODEL_POLICY } from "./imageModelPolicies.js";
export {
  IMAGE_CLASSES,
  IMAGE_DATUM_FEATURES,
  IMAGE_MODEL_KINDS,
  type BatchLossFunction,
  type ImageModelKind,
  type ParameterBlock,
} from "./imageModelTypes.js";

/** Options of {@link createImageModel}. */
export interface ImageModelOptions {
  /**
   * dtype, device and jit choice for the derivative oracles and batched means (missing fields
   * from {@link IMAGE_MODEL_POLICY}).
   * @defaultValue {@link IMAGE_MODEL_POLICY}
   */
  readonly policy?: Partial<NumericsPolicy>;
  /**
   * Batched calls are split into chunks of at most this many images; chunks are padded to a
   * power of two so that `jit` compiles few shapes (one per power of two used; small batches are
   * not padded to a large shape: on the LeNet a third-order mean over 4 images costs ~16 ms
   * padded to 4 rows against ~80 ms padded to 16).
   * @defaultValue 256
   */
  readonly maxBatchRows?: number;
  /**
   * Width of the MLP's hidden layer (`mlp` only).
   * @defaultValue 32
   */
  readonly hidden?: number;
}

/**
 * An image classifier `l_i(θ) = logsumexp(z) − z_{y_i}` with logits `z = f_θ(x_i)`, as a
 * {@link DerivativeOracle} over data-set indices (the datum is the index `i` of an image in
 * `data`) plus batched means for training and evaluation.
 *
 * ## Parameterization
 * `θ` is one flat vector of {@link ImageModel.dim} entries, split into
 * {@link ImageModel.blocks}. Each layer's weights *and* bias are multiplied inside the model
 * by the Xavier scale `s = √(2/(fan_in + fan_out))` (for a `k×k` convolution
 * `fan_in = C_in·k²`, `fan_out = C_out·k²`), so θ's entries are standard normal at init
 * ({@link ImageModel.theta0}) and a scalar learning rate `η` is a natural metric.
 *
 * ## Datum features
 * The jax-level losses take a datum as {@link IMAGE_DATUM_FEATURES} `= 794` features: the 784
 * pixel intensities in `[0, 1]` (row-major 28×28), then the one-hot label (10 entries).
 * {@link ImageModel.features} builds them from an index.
 *
 * ## Architectures
 * - `logistic`: `z = s·W·(x, 1)` with `W` of shape `10 × 785` (the bias is the last column),
 *   the layout of the analytic `LogisticModel`; zero init. 7850 weights.
 * - `lenet`: conv 5×5 stride 2 (VALID), 10 channels → tanh → conv 5×5 stride 2, 10 channels →
 *   tanh → dense 160→10 → tanh → dense 10→10; spatial sizes 28 → 12 → 4. Conv kernels are
 *   `[C_out, C_in, 5, 5]`, dense weights `[out, in]` (`z = W h + b`), biases `[out, 1]`, and
 *   the second conv's output is flattened in `(C, H, W)` order. 4490 weights.
 * - `mlp`: dense 784→`hidden` → tanh → dense `hidden`→10 (25,450 weights for `hidden = 32`).
 *
 * ## Method
 * Every layer is computed for a whole batch with the images in the *last* axis (activations
 * `[channels, images·positions]`), where jax-js's wasm matrix products are fastest, and with
 * an optional leading lane axis for many models at once ({@link BatchLossFunction}). The
 * convolutions are matrix products with patch matrices (im2col) gathered by one `take` with
 * precomputed indices; the map is linear, so all derivatives are those of the convolution (a
 * test checks the loss against `lax.conv`). In jax-js 0.1.25 this is much faster than
 * `lax.conv` once differentiated or batched over weights (LeNet gradient 3 ms against 6 ms,
 * meanGradient over 1000 images 0.6 s against 4.7 s, 2000-lane test evaluation ~15× faster),
 * and than a `vmap` over lanes (a `vmap`ped matrix product is ~25× slower than the same
 * product with a leading batch axis).
 *
 * Call {@link ImageModel.dispose} when done (frees jit-compiled functions).
 */
export class ImageModel implements DerivativeOracle<number> {
  /** Number of weights `P`. */
  readonly dim: number;
  /** Features of one datum: 784 pixels + 10 one-hot label entries. */
  readonly dataDim = IMAGE_DATUM_FEATURES;
  readonly policy: NumericsPolicy;
  readonly maxBatchRows: number;
  /**
   * The per-image losses of a batch (see {@link BatchLossFunction}). It takes the dtype of
   * `θ`, writes no float32-inexact literal, and can be traced by `grad`, `jvp`, `vmap` and
   * `jit`; trainers build their batched steps from it.
   */
  readonly batchLoss: BatchLossFunction;
  /**
   * The per-datum loss `(θ [P], x [794]) → []` (the `LossFunction` ownership contract:
   * consumes both arguments): {@link ImageModel.batchLoss} on a batch of one.
   */
  readonly loss: LossFunction;
  readonly #oracle: LossOracle;
  readonly #means = new Map<string, MeanFunction>();
  readonly #batchedFns = new Map<string, BatchedFunction | OwnedFunction<BatchedFunction>>();

  /** Use {@link createImageModel}. */
  constructor(
    readonly kind: ImageModelKind,
    readonly data: ImageDataset,
    /** The blocks of θ, in order, covering `[0, dim)`. */
    readonly blocks: readonly ParameterBlock[],
    logits: LogitsFunction,
    options: { policy: NumericsPolicy; maxBatchRows: number; math: Transcendentals },
  ) {
    this.dim = blocks.reduce((n, b) => n + b.size, 0);
    this.policy = options.policy;
    this.maxBatchRows = options.maxBatchRows;
    this.batchLoss = imageBatchLoss(blocks, this.dim, logits, options.math);
    this.loss = (theta, x) => this.batchLoss(theta, x.reshape([1, IMAGE_DATUM_FEATURES])).reshape([]);
    this.#oracle = new LossOracle(this.loss, this.dim, this.dataDim, { policy: this.policy, maxBatchRows: this.maxBatchRows });
  }

  /**
   * Initial weights for seed `initSeed`: independent standard normals (the Xavier init in
   * this parameterization), or zeros for `logistic`.
   */
  theta0(initSeed = 0): Float64Array {
    if (this.kind === "logistic") return new Float64Array(this.dim);
    return new Rng(initSeed).normals(this.dim);
  }

  /** The 794 features of image `i` (pixels, then the one-hot label). */
  features(i: number): Float64Array {
    this.#checkIndex(i, "features");
    const out = new Float64Array(this.dataDim);
    this.#writeFeatures(i, out, 0);
    return out;
  }

  /** Features of the images `indices`, one row each (row-major `indices.length × 794`). */
  featureRows(indices: readonly number[]): Float64Array {
    const out = new Float64Array(indices.length * this.dataDim);
    indices.forEach((i, r) => {
      this.#checkIndex(i, "featureRows");
      this.#writeFeatures(i, out, r * this.dataDim);
    });
    return out;
  }

  /** {@link ImageModel.featureRows} as a `DataMatrix`. */
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
   * {@link ImageModel.maxBatchRows} images: with shared directions, `k` nested `jvp`s of the
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
   * directions as in {@link ImageModel.directionalDerivatives}. Computed on one lane (a copy of
   * θ) per image: the gradient of `Σ_r ∇^k l_{x_r}(θ_r)[…]` with respect to the lanes `θ_r`.
   */
  directionalGradients(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): Float64Array {
    return this.#batched("gradient", "directionalGradients", theta, indices, directions);
  }

  /**
   * `(1/n) Σ_r l_{indices[r]}(θ)`, one batched call ({@link ImageModel.batchLoss}, `jit` per the
   * policy) per chunk of at most {@link ImageModel.maxBatchRows} images.
   *
   * @throws InvalidArgumentError for an empty index list, a bad index or a θ of wrong length.
   */
  meanLoss(theta: Float64Array, indices: readonly number[]): number {
    return this.#mean("value", "meanLoss", theta, indices)[0];
  }

  /** `(1/n) Σ_r ∇l_{indices[r]}(θ)` (length `P`), batched like {@link ImageModel.meanLoss}. */
  meanGradient(theta: Float64Array, indices: readonly number[]): Float64Array {
    return this.#mean("gradient", "meanGradient", theta, indices);
  }

  /**
   * `(1/n) Σ_r ∇^{k+1} l_{indices[r]}(θ)[v_1..v_k, ·]` (length `P`; `k = 0` is
   * {@link ImageModel.meanGradient}, `k = 1` a batch-mean Hessian-vector product): the
   * `DerivativeOracle` fast path the predictors use for batch means. One call per chunk of at
   * most {@link ImageModel.maxBatchRows} images, each the directional gradient of the chunk's
   * summed loss (shared directions, so one copy of θ); equal to the mean of the rows of
   * {@link ImageModel.directionalGradients} and ~2–3× cheaper.
   *
   * @throws InvalidArgumentError for an empty index list, a bad index, a θ or direction of
   *   wrong length, or more than 8 directions.
   */
  meanDirectionalGradient(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): Float64Array {
    return this.#mean("gradient", "meanDirectionalGradient", theta, indices, directions);
  }

  /**
   * `(1/n) Σ_r ∇^k l_{indices[r]}(θ)[v_1..v_k]` (`k = 0` is {@link ImageModel.meanLoss}): the
   * batch mean of a diagram's root, batched like {@link ImageModel.meanDirectionalGradient}
   * (~5× cheaper than one {@link ImageModel.directionalDerivative} call per image).
   *
   * @throws InvalidArgumentError as {@link ImageModel.meanDirectionalGradient}.
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
    requireNumerics(`ImageModel.${where}`);
    const P = this.dim;
    if (!(theta instanceof Float64Array) || theta.length !== P) {
      throw new InvalidArgumentError(`ImageModel.${where}`, "theta", `a Float64Array of length ${P}`, theta?.length);
    }
    if (!Array.isArray(indices)) throw new InvalidArgumentError(`ImageModel.${where}`, "indices", "a list of image indices", indices);
    for (const i of indices) this.#checkIndex(i, where);
    if (!Array.isArray(directions) || directions.length > MAX_DIRECTIONAL_ORDER) {
      throw new InvalidArgumentError(`ImageModel.${where}`, "directions", `a list of at most ${MAX_DIRECTIONAL_ORDER} vectors`, directions);
    }
    const n = indices.length;
    const perRow = directions.map((v, j) => {
      if (v instanceof Float64Array && v.length === P) return false;
      if (v instanceof Float64Array && v.length === n * P) return true;
      throw new InvalidArgumentError(`ImageModel.${where}`, `directions[${j}]`, `a Float64Array of length ${P} or ${n}·${P}`, v?.length);
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
    requireNumerics(`ImageModel.${where}`);
    if (!(theta instanceof Float64Array) || theta.length !== this.dim) {
      throw new InvalidArgumentError(`ImageModel.${where}`, "theta", `a Float64Array of length ${this.dim}`, theta?.length);
    }
    if (!Array.isArray(indices) || indices.length === 0) {
      throw new InvalidArgumentError(`ImageModel.${where}`, "indices", "a non-empty list of image indices", indices);
    }
    for (const i of indices) this.#checkIndex(i, where);
    if (!Array.isArray(directions) || directions.length > MAX_DIRECTIONAL_ORDER) {
      throw new InvalidArgumentError(`ImageModel.${where}`, "directions", `a list of at most ${MAX_DIRECTIONAL_ORDER} vectors`, directions);
    }
    directions.forEach((v, j) => {
      if (!(v instanceof Float64Array) || v.length !== this.dim) {
        throw new InvalidArgumentError(`ImageModel.${where}`, `directions[${j}]`, `a Float64Array of length ${this.dim}`, v?.length);
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
   * weighted sum on one copy of θ — no lane per image as in {@link ImageModel.directionalGradients}.
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
    const px = this.data.pixels;
    const src = i * PIXELS;
    for (let j = 0; j < PIXELS; j++) out[offset + j] = px[src + j];
    out[offset + PIXELS + this.data.labels[i]] = 1;
  }

  #checkIndex(i: number, where: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.data.size) {
      throw new InvalidArgumentError(`ImageModel.${where}`, "datum", `an index in [0, ${this.data.size})`, i);
    }
  }
}

/** `(θ [P], x [R, D], v_1..v_k ([P] or [R, P])) → [R]` or `[R, P]`; consumes every argument. */
type BatchedFunction = (theta: JaxArray, x: JaxArray, ...directions: JaxArray[]) => JaxArray;

type MeanFunction =
  | OwnedFunction<(theta: JaxArray, x: JaxArray, w: JaxArray, ...directions: JaxArray[]) => JaxArray>
  | ((theta: JaxArray, x: JaxArray, w: JaxArray, ...directions: JaxArray[]) => JaxArray);

/**
 * Builds one of the image classifiers of docs/theory.md#experiments on `data` (see {@link ImageModel}).
 *
 * @throws InvalidArgumentError for an unknown kind, a data set whose images are not 28×28,
 *   or bad options.
 *
 * @example
 * ```ts
 * await initNumerics();
 * const model = createImageModel("lenet", loadDataset("mnist"));
 * const theta = model.theta0(1);
 * model.meanLoss(theta, [0, 1, 2]);            // mean NLL of three images
 * model.directionalGradient(theta, 0, [theta]); // a Hessian-vector product
 * model.dispose();
 * ```
 */
export function createImageModel(kind: ImageModelKind, data: ImageDataset, options: ImageModelOptions = {}): ImageModel {
  if (!(IMAGE_MODEL_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError("createImageModel", "kind", `one of ${IMAGE_MODEL_KINDS.join(", ")}`, kind);
  }
  if (data.features !== PIXELS) {
    throw new InvalidArgumentError("createImageModel", "data.features", `${PIXELS} (28×28 images)`, data.features);
  }
  const policy = completePolicy({ ...IMAGE_MODEL_POLICY, ...options.policy }, "createImageModel");
  const maxBatchRows = requireInt(options.maxBatchRows ?? 256, "createImageModel", "maxBatchRows", 1, 2 ** 20);
  const hidden = requireInt(options.hidden ?? 32, "createImageModel", "hidden", 1, 1 << 16);
  const math = transcendentalsFor(policy);
  const arch = kind === "logistic" ? logisticArchitecture() : kind === "lenet" ? lenetArchitecture(math) : mlpArchitecture(hidden, math);
  return new ImageModel(kind, data, arch.blocks, arch.logits, { policy, maxBatchRows, math });
}

/** Rows a chunk of `n` images is padded to: the next power of two ≥ `n`, capped at `max` (or `n` if larger). */
function paddedRows(n: number, max: number): number {
  let rows = 1;
  while (rows < n) rows *= 2;
  return Math.min(rows, Math.max(max, n));
}
