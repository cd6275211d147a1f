/**
 * The numerics policies of the image classifiers: fast (`wasm`) or exact in every digit
 * (`cpu`), with their measured accuracy and speed.
 *
 * @module
 */
import type { NumericsPolicy } from "../numerics/index.js";
import type { createImageModel } from "./imageModels.js";

/**
 * float64 on the `wasm` device, jit-compiled: the default of {@link createImageModel}.
 *
 * jax-js 0.1.25 evaluates the float64 `exp`, `log` and `tanh` of a wasm kernel through
 * float32 (relative error ~1e−7), so under this policy the models are written with the
 * accurate functions of `numerics/accurateMath.ts` instead (`transcendentalsFor`): built from
 * exact float64 arithmetic, ≤ 3 ulp, with derivatives from the same accurate values. Losses and
 * derivatives of every order then agree with {@link IMAGE_MODEL_EXACT_POLICY} to ~5e−16
 * relative (test: ≤ 1e−12 for the loss, gradient, Hessian-vector product and third-order
 * contractions of the LeNet and the MLP; measured at θ0: LeNet loss 2e−16, gradient 2e−16,
 * HVP 5e−16, `∇³l[v,v,v]` 3e−16, against 1e−8 … 1e−7 with jax-js's own functions). `jit`
 * because eager derivatives through `log` leak a buffer per call in jax-js 0.1.25 and are
 * slower; the losses write no float32-inexact literal (scales go through `constant()`).
 *
 * Cost against jax-js's own (float32-accurate) functions, LeNet / MLP at θ0, one image, CPU
 * time per call, median of 41 after 40 warm-up calls: loss ×1.27 / ×1.56 (0.98 → 1.25 ms,
 * 0.23 → 0.35 ms), gradient ×1.17 / ×0.8, Hessian-vector product ×1.0 / ×1.2, `∇³l[v,v,v]`
 * ×0.96 / ×1.06 (LeNet: 1.9, 4.2, 7 ms). First calls compile for ~0.5–3 s per shape.
 */
export const IMAGE_MODEL_POLICY: NumericsPolicy = Object.freeze({ dtype: "float64", device: "wasm", jit: true });

/**
 * float64 on the `cpu` device, jit-compiled: every digit (`exp`/`log`/`tanh` from `Math.*`,
 * jax-js's own functions, so an independent reference for the accurate ones), 15–70× slower
 * than {@link IMAGE_MODEL_POLICY} (LeNet, one image: loss 74 ms, gradient
 * 105 ms, Hessian-vector product 310 ms). For exactness checks and small amounts of work.
 */
export const IMAGE_MODEL_EXACT_POLICY: NumericsPolicy = Object.freeze({ dtype: "float64", device: "cpu", jit: true });
