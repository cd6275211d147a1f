/**
 * The shapes shared by the image classifiers: the model kinds, the datum layout (pixels, then
 * the one-hot label) and the jax-level batch-loss type that connects a defined model to the
 * batched trainer.
 *
 * @module
 */
import type { JaxArray } from "../numerics/index.js";

/** The architectures of docs/theory.md#experiments. */
export const IMAGE_MODEL_KINDS = ["logistic", "lenet", "mlp"] as const;
export type ImageModelKind = (typeof IMAGE_MODEL_KINDS)[number];

/** Number of classes of MNIST and Fashion-MNIST. */
export const IMAGE_CLASSES = 10;
/** Pixels of one image. */
export const PIXELS = 28 * 28;
/** Numbers per image datum: the pixels, then the one-hot label. */
export const IMAGE_DATUM_FEATURES = PIXELS + IMAGE_CLASSES;

/**
 * The per-datum losses of a batch, as a jax-level function that consumes both arguments:
 * `(θ [P], x [S, D]) → [S]`, and with a leading *lane* axis on the weights (and optionally the
 * data), `(θ [L, P], x [S, D] or [L, S, D]) → [L, S]` (lane `ℓ` uses weights `θ[ℓ]` and data
 * `x[ℓ]`, or the shared `x`): many independent models at once.
 *
 * Lanes are an explicit axis where the model allows it because jax-js 0.1.25 batches a
 * `vmap`ped matrix product ~25× slower than the same product written with a leading batch axis.
 */
export type BatchLossFunction = (theta: JaxArray, x: JaxArray) => JaxArray;
