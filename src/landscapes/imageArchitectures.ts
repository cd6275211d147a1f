/**
 * The architectures of the image classifiers (docs/theory.md#experiments): logistic
 * regression, a small LeNet and a small tanh MLP, each as parameter blocks plus a logits
 * function (see {@link ImageModel} for the layouts and the method).
 *
 * @module
 */
import { constant, np, type JaxArray, type Transcendentals } from "../numerics/index.js";
import { matrixT } from "./imageBatchLoss.js";
import type { ImageModel } from "./imageModels.js";
import { IMAGE_CLASSES, PIXELS, SIDE, type Architecture, type ParameterBlock, type Params } from "./imageModelTypes.js";

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

/**
 * Dense layer `W h + b` on columns: `W [..., out, in]`, `h [..., in, N]`, `b [..., out, 1]`
 * (leading lane axes broadcast).
 */
function dense(params: Params, name: string, h: JaxArray): JaxArray {
  return np.matmul(params(`${name}.weight`), h).add(params(`${name}.bias`));
}

export function logisticArchitecture(): Architecture {
  const F = PIXELS + 1;
  return {
    blocks: layout([["dense.weight", [IMAGE_CLASSES, F], xavier(PIXELS, IMAGE_CLASSES)]]),
    logits(params, pixels) {
      // The bias is column 784 of W (the analytic LogisticModel's layout).
      const W = params("dense.weight");
      const lanes: [][] = W.ndim === 3 ? [[]] : [];
      return np.matmul(W.ref.slice(...lanes, [], [0, PIXELS]), matrixT(pixels)).add(W.slice(...lanes, [], [PIXELS, F]));
    },
  };
}

const KERNEL = 5;
const STRIDE = 2;
const CHANNELS = 10;
/** Spatial side after a VALID `KERNEL`×`KERNEL` convolution with stride `STRIDE`. */
const convSide = (n: number): number => Math.floor((n - KERNEL) / STRIDE) + 1;

/**
 * A VALID 5×5 stride-2 convolution layer `s·(W ⋆ x) + s·b` (`s = scale`, the layer's Xavier
 * scale) as a matrix product with the patch matrix: `x [..., C, S·n·n]` (`S` images of side
 * `n` per channel) → `[..., C_out, S·m·m]`, `m = convSide(n)`. Consumes `x`.
 *
 * ## Method
 * The patch matrix `[..., C·25, S·m·m]` (row `c·25 + 5ky + kx`, column `(s, oy, ox)`, entry
 * `x[..., c, s, 2oy + ky, 2ox + kx]`) is one `take` along the last axis with a precomputed
 * index list ordered `(ky, kx, s, oy, ox)`, so it needs only a reshape. Three jax-js 0.1.25
 * workarounds, each measured or required:
 * - `take`, not 25 stacked slices: `concatenate` costs a full-size pass per input (~5×
 *   slower here);
 * - `x` is padded by one unused zero on its last axis, which makes `jit` materialize it
 *   instead of fusing its computation (the previous layer's `tanh`) into the gather, where
 *   it would be evaluated 2.8 times per element (~20% of a LeNet evaluation);
 * - the scale multiplies the patches rather than the weights (the same product): the
 *   transpose of `take` is a `scatter`, and `jit` rejects a `scatter` whose input is a view
 *   (the reshape's cotangent); the multiplication puts a computed array in between.
 */
function convLayer(params: Params, name: string, scale: number, x: JaxArray, S: number, n: number): JaxArray {
  const lead = x.shape.slice(0, -2);
  const C = x.shape[x.ndim - 2];
  const m = convSide(n);
  const idx = np.array(patchIndices(S, n), { dtype: np.int32 });
  const s = constant(x, scale);
  const padded = np.pad(x, { [x.ndim - 1]: [0, 1] });
  const cols = np.take(padded, idx, -1).mul(s).reshape([...lead, C * KERNEL * KERNEL, S * m * m]);
  return np.matmul(params(`${name}.weight`, false), cols).add(params(`${name}.bias`));
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

export function lenetArchitecture(math: Transcendentals): Architecture {
  const k2 = KERNEL * KERNEL;
  const side1 = convSide(SIDE); // 12
  const side2 = convSide(side1); // 4
  const flat = CHANNELS * side2 * side2;
  const conv1 = xavier(1 * k2, CHANNELS * k2);
  const conv2 = xavier(CHANNELS * k2, CHANNELS * k2);
  const dense1 = xavier(flat, CHANNELS);
  const dense2 = xavier(CHANNELS, IMAGE_CLASSES);
  return {
    blocks: layout([
      ["conv1.weight", [CHANNELS, 1 * k2], conv1],
      ["conv1.bias", [CHANNELS, 1], conv1],
      ["conv2.weight", [CHANNELS, CHANNELS * k2], conv2],
      ["conv2.bias", [CHANNELS, 1], conv2],
      ["dense1.weight", [CHANNELS, flat], dense1],
      ["dense1.bias", [CHANNELS, 1], dense1],
      ["dense2.weight", [IMAGE_CLASSES, CHANNELS], dense2],
      ["dense2.bias", [IMAGE_CLASSES, 1], dense2],
    ]),
    logits(params, pixels) {
      const S = pixels.shape[pixels.ndim - 2];
      const dataLead = pixels.shape.slice(0, -2);
      // Activations are [..., C, S·positions]; a conv is W [C_out, C_in·25] @ patches.
      const h1 = math.tanh(convLayer(params, "conv1", conv1, pixels.reshape([...dataLead, 1, S * PIXELS]), S, SIDE));
      const h2 = math.tanh(convLayer(params, "conv2", conv2, h1, S, side1));
      const lead = h2.shape.slice(0, -2);
      // (C, H, W) flattening per image: [..., C, S, 16] → [..., C, 16, S] → [..., 160, S].
      const perImage = matrixT(h2.reshape([...lead, CHANNELS, S, side2 * side2])).reshape([...lead, flat, S]);
      return dense(params, "dense2", math.tanh(dense(params, "dense1", perImage)));
    },
  };
}

export function mlpArchitecture(hidden: number, math: Transcendentals): Architecture {
  const s1 = xavier(PIXELS, hidden);
  const s2 = xavier(hidden, IMAGE_CLASSES);
  return {
    blocks: layout([
      ["dense1.weight", [hidden, PIXELS], s1],
      ["dense1.bias", [hidden, 1], s1],
      ["dense2.weight", [IMAGE_CLASSES, hidden], s2],
      ["dense2.bias", [IMAGE_CLASSES, 1], s2],
    ]),
    logits(params, pixels) {
      return dense(params, "dense2", math.tanh(dense(params, "dense1", matrixT(pixels))));
    },
  };
}
