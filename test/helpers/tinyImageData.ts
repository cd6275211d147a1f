import type { ImageDataset } from "../../src/landscapes/datasets.js";
import { seededRandom } from "./seed.js";

/** A tiny synthetic image data set (uniform pixels, labels `7i mod 10`) for fast model tests. */
export function tinyImageDataset(seed: number, size = 30, features = 12): ImageDataset {
  const rnd = seededRandom(seed);
  return {
    name: "mnist",
    size,
    features,
    pixels: Float32Array.from({ length: size * features }, () => rnd()),
    labels: Uint8Array.from({ length: size }, (_, i) => (i * 7) % 10),
    skipped: [],
  };
}
