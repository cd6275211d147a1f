/**
 * Standardization of features: zero mean and unit variance over the population (`--standardize`).
 *
 * @module
 */
import type { FeatureStandardization } from "./types.js";

/**
 * Fits the per-feature mean and population standard deviation (divisor N, two passes for
 * accuracy) of the row-major `inputs` (`features` per row). A constant feature (every value
 * equal) gets its exact value as mean and scale 1: it is centred to exactly 0, never divided
 * by 0 (nor by the rounding residue a computed variance would leave).
 */
export function fitStandardization(inputs: Float64Array, features: number): FeatureStandardization {
  const rows = inputs.length / features;
  const mean = new Float64Array(features);
  const min = new Float64Array(features).fill(Infinity);
  const max = new Float64Array(features).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    const o = r * features;
    for (let j = 0; j < features; j++) {
      const x = inputs[o + j];
      mean[j] += x;
      if (x < min[j]) min[j] = x;
      if (x > max[j]) max[j] = x;
    }
  }
  for (let j = 0; j < features; j++) mean[j] = min[j] === max[j] ? min[j] : mean[j] / rows;
  const scale = new Float64Array(features);
  for (let r = 0; r < rows; r++) {
    const o = r * features;
    for (let j = 0; j < features; j++) {
      const d = inputs[o + j] - mean[j];
      scale[j] += d * d;
    }
  }
  for (let j = 0; j < features; j++) {
    const sd = Math.sqrt(scale[j] / rows);
    scale[j] = min[j] === max[j] || sd === 0 ? 1 : sd;
  }
  return { mean, scale };
}

/** Applies `x' = (x − mean) / scale` to every row of `inputs`, in place. */
export function applyStandardization(inputs: Float64Array, st: FeatureStandardization): void {
  const features = st.mean.length;
  for (let o = 0; o < inputs.length; o += features) {
    for (let j = 0; j < features; j++) inputs[o + j] = (inputs[o + j] - st.mean[j]) / st.scale[j];
  }
}
