/**
 * The built-in architectures of docs/theory.md#experiments — logistic regression, a small LeNet
 * and a small tanh MLP — written with the public {@link defineModel} API, exactly as a user's
 * model file would be (the library eats its own cooking).
 *
 * Every layer's weights and bias are multiplied inside the model by the Xavier scale
 * `s = √(2/(fan_in + fan_out))` (for a `k×k` convolution `fan_in = C_in·k²`,
 * `fan_out = C_out·k²`), so θ's entries are standard normal at init and a scalar learning rate
 * is a natural metric. Layers compute with the data in the *last* axis (activations
 * `[..., channels, S·positions]`), where jax-js's wasm matrix products are fastest, and every
 * model broadcasts a leading lane axis (`lanes: true`).
 *
 * @module
 */
import { constant, np, type JaxArray } from "../numerics/index.js";
import { PIXELS } from "./imageModelTypes.js";
import { takesSharedRows } from "./definedLoss.js";
import { defineModel as publicDefineModel, type InitContext, type ModelDefinition } from "./modelDefinition.js";

/** {@link publicDefineModel}, marked as taking lane-shared data as `[S, F]` ({@link takesSharedRows}). */
const defineModel = (d: ModelDefinition): ModelDefinition => takesSharedRows(publicDefineModel(d));

/** Side of the LeNet's square images, in pixels. */
const SIDE = 28;

const xavier = (fanIn: number, fanOut: number): number => Math.sqrt(2 / (fanIn + fanOut));

/** Swaps the last two axes. Consumes `x`. */
export function matrixT(x: JaxArray): JaxArray {
  const n = x.ndim;
  return x.transpose([...Array.from({ length: n - 2 }, (_, i) => i), n - 1, n - 2]);
}

/** `w·s` with `s` a float64-exact constant; consumes `w`. */
const scaled = (w: JaxArray, s: number): JaxArray => w.mul(constant(w, s));

/** The shape of a parameter leaf read from the tree (the fresh array the read made is freed). */
function leafShape(leaf: JaxArray): number[] {
  const shape = leaf.shape;
  leaf.dispose();
  return shape;
}

/** A dense layer's parameters: weight `[out, in]`, bias `[out, 1]` (standard normals). */
function denseInit(ctx: InitContext, out: number, inp: number) {
  return { weight: ctx.normal([out, inp]), bias: ctx.normal([out, 1]) };
}

/** Dense layer `s·W h + s·b` on columns: `h [..., in, N]` → `[..., out, N]`. Consumes `h`. */
function dense(layer: { weight: JaxArray; bias: JaxArray }, s: number, h: JaxArray): JaxArray {
  return np.matmul(scaled(layer.weight, s), h).add(scaled(layer.bias, s));
}

/**
 * Multinomial logistic regression `z = s·W·(x, 1)` with `W [K, F+1]` (the bias is the last
 * column, the layout of the analytic `LogisticModel`), zero init.
 */
export function logisticDefinition(): ModelDefinition {
  return defineModel({
    name: "logistic",
    loss: "softmax-cross-entropy",
    lanes: true,
    init: (ctx) => ({ dense: { weight: ctx.zeros([ctx.outputs, ctx.features + 1]) } }),
    apply(p, inputs) {
      const W: JaxArray = p.dense.weight;
      const [K, F1] = W.shape.slice(-2);
      const F = F1 - 1;
      const lanes: [][] = W.ndim === 3 ? [[]] : [];
      const s = xavier(F, K);
      const z = np.matmul(scaled(W.ref.slice(...lanes, [], [0, F]), s), matrixT(inputs)).add(scaled(W.slice(...lanes, [], [F, F1]), s));
      return matrixT(z);
    },
  });
}

/** A tanh MLP `features → hidden → outputs` (25,450 weights on 28×28 images with 10 classes and 32 hidden units). */
export function mlpDefinition(hidden = 32): ModelDefinition {
  return defineModel({
    name: "mlp",
    loss: "softmax-cross-entropy",
    lanes: true,
    init: (ctx) => ({ dense1: denseInit(ctx, hidden, ctx.features), dense2: denseInit(ctx, ctx.outputs, hidden) }),
    apply(p, inputs, t) {
      const F = inputs.shape[inputs.ndim - 1];
      const K = leafShape(p.dense2.bias).at(-2) as number;
      const h = t.tanh(dense(p.dense1, xavier(F, hidden), matrixT(inputs)));
      return matrixT(dense(p.dense2, xavier(hidden, K), h));
    },
  });
}

const KERNEL = 5;
const STRIDE = 2;
const CHANNELS = 10;
/** Spatial side after a VALID `KERNEL`×`KERNEL` convolution with stride `STRIDE`. */
const convSide = (n: number): number => Math.floor((n - KERNEL) / STRIDE) + 1;

/**
 * A VALID 5×5 stride-2 convolution layer `s·(W ⋆ x) + s·b` as a matrix product with the patch
 * matrix: `x [..., C, S·n·n]` (`S` images of side `n` per channel) → `[..., C_out, S·m·m]`,
 * `m = convSide(n)`. Consumes `x`.
 *
 * ## Method
 * The patch matrix `[..., C·25, S·m·m]` (row `c·25 + 5ky + kx`, column `(s, oy, ox)`, entry
 * `x[..., c, s, 2oy + ky, 2ox + kx]`) is one `take` along the last axis with a precomputed
 * index list ordered `(ky, kx, s, oy, ox)`, so it needs only a reshape. Three jax-js 0.1.25
 * workarounds, each measured or required:
 * - `take`, not 25 stacked slices: `concatenate` costs a full-size pass per input (~5× slower);
 * - `x` is padded by one unused zero on its last axis, which makes `jit` materialize it instead
 *   of fusing the previous layer's `tanh` into the gather (evaluated 2.8 times per element);
 * - the scale multiplies the patches rather than the weights (the same product): the transpose
 *   of `take` is a `scatter`, and `jit` rejects a `scatter` whose input is a view.
 */
function convLayer(layer: { weight: JaxArray; bias: JaxArray }, scale: number, x: JaxArray, S: number, n: number): JaxArray {
  const lead = x.shape.slice(0, -2);
  const C = x.shape[x.ndim - 2];
  const m = convSide(n);
  const idx = np.array(patchIndices(S, n), { dtype: np.int32 });
  const s = constant(x, scale);
  const padded = np.pad(x, { [x.ndim - 1]: [0, 1] });
  const cols = np.take(padded, idx, -1).mul(s).reshape([...lead, C * KERNEL * KERNEL, S * m * m]);
  return np.matmul(layer.weight, cols).add(scaled(layer.bias, scale));
}

const patchIndexCache = new Map<string, Int32Array<ArrayBuffer>>();

/** Flat indices `s·n² + (2oy + ky)·n + 2ox + kx` in the order `(ky, kx, s, oy, ox)`. */
function patchIndices(S: number, n: number): Int32Array<ArrayBuffer> {
  const key = `${S}/${n}`;
  let idx = patchIndexCache.get(key);
  if (idx === undefined) {
    const m = convSide(n);
    idx = new Int32Array(KERNEL * KERNEL * S * m * m);
    let q = 0;
    for (let ky = 0; ky < KERNEL; ky++)
      for (let kx = 0; kx < KERNEL; kx++)
        for (let s = 0; s < S; s++)
          for (let oy = 0; oy < m; oy++) for (let ox = 0; ox < m; ox++) idx[q++] = s * n * n + (STRIDE * oy + ky) * n + STRIDE * ox + kx;
    if (patchIndexCache.size > 64) patchIndexCache.clear();
    patchIndexCache.set(key, idx);
  }
  return idx;
}

/**
 * The LeNet on 28×28 images: conv 5×5 stride 2 (VALID), 10 channels → tanh → conv 5×5 stride 2,
 * 10 channels → tanh → dense 160→10 → tanh → dense 10→K; spatial sizes 28 → 12 → 4. Conv
 * kernels `[C_out, C_in·25]`, dense weights `[out, in]`, biases `[out, 1]`; the second conv's
 * output is flattened in `(C, H, W)` order. 4490 weights for 10 classes.
 */
export function lenetDefinition(): ModelDefinition {
  const k2 = KERNEL * KERNEL;
  const side1 = convSide(SIDE); // 12
  const side2 = convSide(side1); // 4
  const flat = CHANNELS * side2 * side2;
  const conv1 = xavier(1 * k2, CHANNELS * k2);
  const conv2 = xavier(CHANNELS * k2, CHANNELS * k2);
  return defineModel({
    name: "lenet",
    loss: "softmax-cross-entropy",
    lanes: true,
    inputs: PIXELS,
    init: (ctx) => ({
      conv1: denseInit(ctx, CHANNELS, 1 * k2),
      conv2: denseInit(ctx, CHANNELS, CHANNELS * k2),
      dense1: denseInit(ctx, CHANNELS, flat),
      dense2: denseInit(ctx, ctx.outputs, CHANNELS),
    }),
    apply(p, pixels, t) {
      const S = pixels.shape[pixels.ndim - 2];
      const dataLead = pixels.shape.slice(0, -2);
      const K = leafShape(p.dense2.bias).at(-2) as number;
      // Activations are [..., C, S·positions]; a conv is W [C_out, C_in·25] @ patches.
      const h1 = t.tanh(convLayer(p.conv1, conv1, pixels.reshape([...dataLead, 1, S * PIXELS]), S, SIDE));
      const h2 = t.tanh(convLayer(p.conv2, conv2, h1, S, side1));
      const lead = h2.shape.slice(0, -2);
      // (C, H, W) flattening per image: [..., C, S, 16] → [..., C, 16, S] → [..., 160, S].
      const perImage = matrixT(h2.reshape([...lead, CHANNELS, S, side2 * side2])).reshape([...lead, flat, S]);
      const h3 = t.tanh(dense(p.dense1, xavier(flat, CHANNELS), perImage));
      return matrixT(dense(p.dense2, xavier(CHANNELS, K), h3));
    },
  });
}
