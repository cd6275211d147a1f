/**
 * The shapes shared by the image classifiers and their architectures: the model kinds, the
 * datum layout (pixels, then the one-hot label), the parameter blocks of θ and the
 * jax-level function types that connect an architecture to {@link ImageModel}.
 *
 * @module
 */
import type { JaxArray } from "../numerics/index.js";
import type { ImageModel } from "./imageModels.js";

/** The architectures of docs/theory.md#experiments. */
export const IMAGE_MODEL_KINDS = ["logistic", "lenet", "mlp"] as const;
export type ImageModelKind = (typeof IMAGE_MODEL_KINDS)[number];

/** Number of classes of MNIST and Fashion-MNIST. */
export const IMAGE_CLASSES = 10;
/** Side of the square images, in pixels. */
export const SIDE = 28;
/** Pixels of one image. */
export const PIXELS = SIDE * SIDE;
/** Features of one datum: the pixels, then the one-hot label. */
export const IMAGE_DATUM_FEATURES = PIXELS + IMAGE_CLASSES;

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
 * The per-image losses of a batch, as a jax-level function that consumes both arguments:
 * `(θ [P], x [S, 794]) → [S]`, and with an optional leading *lane* axis on either argument,
 * `(θ [L, P], x [S, 794] or [L, S, 794]) → [L, S]` (lane `ℓ` uses weights `θ[ℓ]` and images
 * `x[ℓ]`, or the shared `x`): many independent models at once.
 *
 * Lanes are an explicit axis rather than a `vmap` because jax-js 0.1.25 batches a `vmap`ped
 * matrix product ~25× slower than the same product written with a leading batch axis.
 */
export type BatchLossFunction = (theta: JaxArray, x: JaxArray) => JaxArray;

/**
 * `params(name)` returns an owned block `[...lanes, ...shape]` multiplied by its scale, or
 * unscaled with `scaled = false`.
 */
export type Params = (name: string, scaled?: boolean) => JaxArray;

/**
 * `(params, pixels [..., S, 784]) → logits [..., 10, S]`; leading lane axes of weights and
 * pixels broadcast.
 */
export type LogitsFunction = (params: Params, pixels: JaxArray) => JaxArray;

/** An architecture: the blocks of θ and the logits they define. */
export interface Architecture {
  readonly blocks: ParameterBlock[];
  readonly logits: LogitsFunction;
}
