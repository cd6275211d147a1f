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
 * Arithmetic (`+ − × ÷`, sums, matrix products) is exact float64, but jax-js 0.1.25 evaluates
 * the float64 `exp`, `log` and `tanh` of a wasm kernel through float32 (relative error ~1e−7),
 * so losses and derivatives of every order carry relative errors of that size (the AD
 * derivatives are consistent with each other to ~1e−15; against finite differences they agree
 * to ~1e−5). `jit` because eager derivatives through `log` leak a buffer per call in jax-js
 * 0.1.25 and are slower; the losses write no float32-inexact literal (scales go through
 * `constant()`), and a test checks jit against eager evaluation.
 *
 * Speed on the LeNet (one image, one core): loss 1 ms, gradient 3 ms, Hessian-vector product
 * 24 ms, `∇³l[v,v,v]` 11 ms; batches of 64 images ~0.5–5 ms per image.
 */
export const IMAGE_MODEL_POLICY: NumericsPolicy = Object.freeze({ dtype: "float64", device: "wasm", jit: true });

/**
 * float64 on the `cpu` device, jit-compiled: every digit (`exp`/`log`/`tanh` from `Math.*`),
 * 15–70× slower than {@link IMAGE_MODEL_POLICY} (LeNet, one image: loss 74 ms, gradient
 * 105 ms, Hessian-vector product 310 ms). For exactness checks and small amounts of work.
 */
export const IMAGE_MODEL_EXACT_POLICY: NumericsPolicy = Object.freeze({ dtype: "float64", device: "cpu", jit: true });
