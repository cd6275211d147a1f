/**
 * Image data sets at a lower input resolution (mean pooling), for the logistic models of the
 * model-selection figure.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { ImageDataset } from "./datasets.js";

const POOLS = [28, 14, 7, 4];
const pooledCache = new Map<string, ImageDataset>();

/** The data set with every image mean-pooled to `side × side` (`side` divides 28); cached per process. */
export function pooledDataset(data: ImageDataset, side: number): ImageDataset {
  if (!POOLS.includes(side)) throw new InvalidArgumentError("pooledDataset", "side", `one of ${POOLS.join(", ")}`, side);
  if (side === 28) return data;
  const key = `${data.name}:${side}`;
  const hit = pooledCache.get(key);
  if (hit !== undefined) return hit;
  const f = 28 / side;
  const out = new Float32Array(data.size * side * side);
  for (let i = 0; i < data.size; i++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) out[i * side * side + Math.floor(r / f) * side + Math.floor(c / f)] += data.pixels[i * 784 + r * 28 + c] / (f * f);
    }
  }
  const ds: ImageDataset = { ...data, features: side * side, pixels: out };
  pooledCache.set(key, ds);
  return ds;
}
