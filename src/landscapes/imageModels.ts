/**
 * Image classifiers on jax-js (experiments.md "Data and models"): multinomial logistic
 * regression, a small LeNet and a small tanh MLP, each a per-datum loss `l_i(θ)` over the
 * images of an {@link ImageDataset}, with derivatives of every order by automatic
 * differentiation.
 *
 * @module
 */
import { InvalidArgumentError, requireInt } from "../errors.js";
import {
  completePolicy,
  constant,
  dataMatrix,
  grad,
  jit,
  lax,
  LossOracle,
  np,
  requireNumerics,
  toFloat64Array,
  vmap,
  withArrays,
  type DataMatrix,
  type JaxArray,
  type LossFunction,
  type NumericsPolicy,
  type OwnedFunction,
} from "../numerics/index.js";
import { Rng } from "../stats/rng.js";
import type { ImageDataset } from "./datasets.js";
import { logSumExp, tanh } from "./preciseMath.js";
import type { DerivativeOracle } from "./derivativeOracle.js";

/** The architectures of experiments.md. */
export const IMAGE_MODEL_KINDS = ["logistic", "lenet", "mlp"] as const;
export type ImageModelKind = (typeof IMAGE_MODEL_KINDS)[number];

/** Number of classes of MNIST and Fashion-MNIST. */
export const IMAGE_CLASSES = 10;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * float64 on the `wasm` device, jit-compiled: the default of {@link createImageModel}.
 *
 * The float64 losses compute `exp`, `log` and `tanh` with the arithmetic-only functions of
 * `./preciseMath.ts`, so values and derivatives of every order are float64-accurate although
 * the wasm kernels' own transcendentals are only float32-accurate. (The `cpu` device is
 * exact too but about a thousand times slower on the LeNet: ~4 s per gradient.) `jit`
 * because eager derivatives through `log` and division leak a buffer per call in jax-js
 * 0.1.25 and are several times slower; the losses write every float32-inexact literal with
 * `constant()`, and a test checks jit against eager evaluation.
 */
export const IMAGE_MODEL_POLICY: NumericsPolicy = Object.freeze({ dtype: "float64", device: "wasm", jit: true });

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
   * power of two (at least 16) so that `jit` compiles few shapes.
   * @defaultValue 512
   */
  readonly maxBatchRows?: number;
  /**
   * Width of the MLP's hidden layer (`mlp` only).
   * @defaultValue 32
   */
  readonly hidden?: number;
}

/**
 * One block of the flat parameter vector: `θ[offset, offset + size)` reshaped to `shape`
 * (row-major) and multiplied by `scale` inside the model.
 */
export interface ParameterBlock {
  /** e.g. `"conv1.weight"`, `"dense2.bias"`. */
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly shape: readonly number[];
  /** The layer's Xavier scale `√(2/(fan_in + fan_out))`. */
  readonly scale: number;
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
 * The jax-level {@link ImageModel.loss} takes one datum as a vector of
 * {@link ImageModel.dataDim} `= 794` features: the 784 pixel intensities in `[0, 1]`
 * (row-major 28×28), then the one-hot label (10 entries). {@link ImageModel.features} builds
 * it from an index.
 *
 * ## Architectures
 * - `logistic`: `z = s·W·(x, 1)` with `W` of shape `10 × 785` (the bias is the last column),
 *   the layout of the analytic `LogisticModel`; zero init.
 * - `lenet`: conv 5×5 stride 2 (VALID), 10 channels → tanh → conv 5×5 stride 2, 10 channels →
 *   tanh → dense 160→10 → tanh → dense 10→10. Shapes 28² → 12² → 4²; conv kernels `OIHW`,
 *   dense weights `out × in` (`z = W h + b`), flattening in `(C, H, W)` order. 4490 weights.
 * - `mlp`: dense 784→`hidden` → tanh → dense `hidden`→10 (25,450 weights for `hidden = 32`).
 *
 * Call {@link ImageModel.dispose} when done (frees jit-compiled functions).
 */
export class ImageModel implements DerivativeOracle<number> {
  /** Number of weights `P`. */
  readonly dim: number;
  /** Features of one datum: 784 pixels + 10 one-hot label entries. */
  readonly dataDim = PIXELS + IMAGE_CLASSES;
  readonly policy: NumericsPolicy;
  readonly maxBatchRows: number;
  /**
   * The per-datum loss as a jax-level function `(θ [P], x [794]) → []` (ownership contract of
   * `LossFunction`: consumes both arguments). It takes the dtype of `θ`, writes no inexact
   * literal, and can be traced by `grad`, `jvp`, `vmap` and `jit`; trainers build their own
   * batched steps from it.
   */
  readonly loss: LossFunction;
  readonly #oracle: LossOracle;
  readonly #means = new Map<string, OwnedFunction<(theta: JaxArray, x: JaxArray, w: JaxArray) => JaxArray> | ((theta: JaxArray, x: JaxArray, w: JaxArray) => JaxArray)>();

  /** Use {@link createImageModel}. */
  constructor(
    readonly kind: ImageModelKind,
    readonly data: ImageDataset,
    /** The blocks of θ, in order, covering `[0, dim)`. */
    readonly blocks: readonly ParameterBlock[],
    logits: (params: (name: string) => JaxArray, pixels: JaxArray) => JaxArray,
    options: { policy: NumericsPolicy; maxBatchRows: number },
  ) {
    this.dim = blocks.reduce((n, b) => n + b.size, 0);
    this.policy = options.policy;
    this.maxBatchRows = options.maxBatchRows;
    this.loss = (theta, x) => {
      // `params(name)` hands out one owned, scaled view of a block per use.
      const params = (name: string): JaxArray => {
        const b = blocks.find((c) => c.name === name);
        if (b === undefined) throw new InvalidArgumentError("ImageModel.loss", "block", "a known parameter block", name);
        const raw = theta.ref.slice([b.offset, b.offset + b.size]).reshape([...b.shape]);
        return raw.mul(constant(theta, b.scale));
      };
      try {
        const z = logits(params, x.ref.slice([0, PIXELS]));
        const oneHot = x.ref.slice([PIXELS, PIXELS + IMAGE_CLASSES]);
        return logSumExp(z.ref).sub(z.mul(oneHot).sum());
      } finally {
        theta.dispose();
        x.dispose();
      }
    };
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
   * Entry `r` is `∇^k l_{indices[r]}(θ)[v_1..v_k]`, one `vmap`ped call per chunk. Each direction
   * has length `P` (shared) or `indices.length·P` (row `r` used with image `indices[r]`).
   */
  directionalDerivatives(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): Float64Array {
    return this.#oracle.directionalDerivatives(theta, this.featureMatrix(indices), directions);
  }

  /** Row `r` is `∇^{k+1} l_{indices[r]}(θ)[v_1..v_k, ·]`, row-major `indices.length × P`. */
  directionalGradients(theta: Float64Array, indices: readonly number[], directions: readonly Float64Array[]): Float64Array {
    return this.#oracle.directionalGradients(theta, this.featureMatrix(indices), directions);
  }

  /**
   * `(1/n) Σ_r l_{indices[r]}(θ)`, batched (`vmap`, `jit` per the policy) in chunks of at most
   * {@link ImageModel.maxBatchRows} images.
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

  /** Frees jit-compiled functions; the model stays usable (it recompiles on demand). */
  dispose(): void {
    this.#oracle.dispose();
    for (const f of this.#means.values()) if ("dispose" in f) f.dispose();
    this.#means.clear();
  }

  #mean(kind: "value" | "gradient", where: string, theta: Float64Array, indices: readonly number[]): Float64Array {
    requireNumerics(`ImageModel.${where}`);
    if (theta.length !== this.dim) throw new InvalidArgumentError(`ImageModel.${where}`, "theta.length", `${this.dim}`, theta.length);
    if (!Array.isArray(indices) || indices.length === 0) {
      throw new InvalidArgumentError(`ImageModel.${where}`, "indices", "a non-empty list of image indices", indices);
    }
    for (const i of indices) this.#checkIndex(i, where);
    const fn = this.#meanFunction(kind);
    const total = new Float64Array(kind === "value" ? 1 : this.dim);
    for (let start = 0; start < indices.length; start += this.maxBatchRows) {
      const chunk = indices.slice(start, start + this.maxBatchRows);
      const rows = paddedRows(chunk.length, this.maxBatchRows);
      const x = new Float64Array(rows * this.dataDim);
      x.set(this.featureRows(chunk));
      const w = new Float64Array(rows);
      w.fill(1, 0, chunk.length);
      const part = withArrays(this.policy, (s) =>
        toFloat64Array(s.adopt(fn(s.array(theta), s.array(x, [rows, this.dataDim]), s.array(w)))),
      );
      for (let j = 0; j < total.length; j++) total[j] += part[j];
    }
    for (let j = 0; j < total.length; j++) total[j] /= indices.length;
    return total;
  }

  #meanFunction(kind: "value" | "gradient") {
    let fn = this.#means.get(kind);
    if (fn === undefined) {
      // Σ_r w_r l_{x_r}(θ): padding rows get weight 0 (so one compiled shape per chunk size).
      const weightedSum = (theta: JaxArray, x: JaxArray, w: JaxArray): JaxArray =>
        (vmap(this.loss, [null, 0])(theta, x) as JaxArray).mul(w).sum();
      const f = kind === "value" ? weightedSum : (theta: JaxArray, x: JaxArray, w: JaxArray) => grad(weightedSum)(theta, x, w);
      fn = this.policy.jit ? jit(f) : f;
      this.#means.set(kind, fn);
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

/**
 * Builds one of the image classifiers of experiments.md on `data` (see {@link ImageModel}).
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
  const maxBatchRows = requireInt(options.maxBatchRows ?? 512, "createImageModel", "maxBatchRows", 1, 2 ** 20);
  const hidden = requireInt(options.hidden ?? 32, "createImageModel", "hidden", 1, 1 << 16);
  const arch = kind === "logistic" ? logisticArchitecture() : kind === "lenet" ? lenetArchitecture() : mlpArchitecture(hidden);
  return new ImageModel(kind, data, arch.blocks, arch.logits, { policy, maxBatchRows });
}

interface Architecture {
  readonly blocks: ParameterBlock[];
  readonly logits: (params: (name: string) => JaxArray, pixels: JaxArray) => JaxArray;
}

/** Lays out `[name, shape, scale]` blocks consecutively. */
function layout(specs: readonly (readonly [string, readonly number[], number])[]): ParameterBlock[] {
  let offset = 0;
  return specs.map(([name, shape, scale]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const b = { name, offset, size, shape: [...shape], scale };
    offset += size;
    return b;
  });
}

const xavier = (fanIn: number, fanOut: number): number => Math.sqrt(2 / (fanIn + fanOut));

/** Dense layer `W h + b` with `W` of shape `[out, in]`. */
function dense(params: (name: string) => JaxArray, name: string, h: JaxArray): JaxArray {
  return np.matmul(params(`${name}.weight`), h).add(params(`${name}.bias`));
}

function logisticArchitecture(): Architecture {
  const F = PIXELS + 1;
  return {
    blocks: layout([["dense.weight", [IMAGE_CLASSES, F], xavier(PIXELS, IMAGE_CLASSES)]]),
    logits(params, pixels) {
      // The bias is column 784 of W (the analytic LogisticModel's layout).
      const W = params("dense.weight");
      return np.matmul(W.ref.slice([], [0, PIXELS]), pixels).add(W.slice([], PIXELS));
    },
  };
}

const KERNEL = 5;
const STRIDE = 2;
const CHANNELS = 10;
/** Spatial side after a VALID `KERNEL`×`KERNEL` convolution with stride `STRIDE`. */
const convSide = (n: number): number => Math.floor((n - KERNEL) / STRIDE) + 1;

function lenetArchitecture(): Architecture {
  const k2 = KERNEL * KERNEL;
  const side2 = convSide(convSide(SIDE)); // 28 → 12 → 4
  const flat = CHANNELS * side2 * side2;
  const conv1 = xavier(1 * k2, CHANNELS * k2);
  const conv2 = xavier(CHANNELS * k2, CHANNELS * k2);
  const dense1 = xavier(flat, CHANNELS);
  const dense2 = xavier(CHANNELS, IMAGE_CLASSES);
  return {
    blocks: layout([
      ["conv1.weight", [CHANNELS, 1, KERNEL, KERNEL], conv1],
      ["conv1.bias", [1, CHANNELS, 1, 1], conv1],
      ["conv2.weight", [CHANNELS, CHANNELS, KERNEL, KERNEL], conv2],
      ["conv2.bias", [1, CHANNELS, 1, 1], conv2],
      ["dense1.weight", [CHANNELS, flat], dense1],
      ["dense1.bias", [CHANNELS], dense1],
      ["dense2.weight", [IMAGE_CLASSES, CHANNELS], dense2],
      ["dense2.bias", [IMAGE_CLASSES], dense2],
    ]),
    logits(params, pixels) {
      const image = pixels.reshape([1, 1, SIDE, SIDE]);
      const h1 = tanh(lax.conv(image, params("conv1.weight"), [STRIDE, STRIDE], "VALID").add(params("conv1.bias")));
      const h2 = tanh(lax.conv(h1, params("conv2.weight"), [STRIDE, STRIDE], "VALID").add(params("conv2.bias")));
      const h3 = tanh(dense(params, "dense1", h2.reshape([flat])));
      return dense(params, "dense2", h3);
    },
  };
}

function mlpArchitecture(hidden: number): Architecture {
  const s1 = xavier(PIXELS, hidden);
  const s2 = xavier(hidden, IMAGE_CLASSES);
  return {
    blocks: layout([
      ["dense1.weight", [hidden, PIXELS], s1],
      ["dense1.bias", [hidden], s1],
      ["dense2.weight", [IMAGE_CLASSES, hidden], s2],
      ["dense2.bias", [IMAGE_CLASSES], s2],
    ]),
    logits(params, pixels) {
      return dense(params, "dense2", tanh(dense(params, "dense1", pixels)));
    },
  };
}

/** Rows a chunk of `n` images is padded to: the next power of two ≥ 16, capped at `max`. */
function paddedRows(n: number, max: number): number {
  let rows = 16;
  while (rows < n) rows *= 2;
  return Math.min(rows, Math.max(max, n));
}
