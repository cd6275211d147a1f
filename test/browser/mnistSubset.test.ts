/**
 * The explorer's MNIST subset: what the page decodes is, pixel for pixel (as float32), the
 * CLI's images and labels, and the draw covers every class.
 */
import { describe, expect, test } from "vitest";
import { loadDataset } from "../../src/landscapes/datasets.js";
import { Rng } from "../../src/stats/rng.js";
import { encodeSubset, SUBSET_SIZE } from "../../web/build/mnistSubset.js";
import { decodeSubset } from "../../web/src/mnistSubset.js";

describe("explorer: MNIST subset asset", () => {
  test("round-trips to the library's float32 pixels and labels", () => {
    const ds = loadDataset("mnist");
    const bytes = encodeSubset(ds, SUBSET_SIZE);
    expect(bytes.byteLength).toBeLessThan(1.3e6); // compact: ~600 bytes a digit
    const sub = decodeSubset(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(sub.size).toBe(SUBSET_SIZE);
    expect(sub.features).toBe(ds.features);
    // The same seeded draw the build uses (web/build/mnistSubset.ts).
    const chosen = Array.from(new Rng(16).permutation(ds.size).slice(0, SUBSET_SIZE));
    const F = ds.features;
    let mismatches = 0;
    chosen.forEach((src, i) => {
      expect(sub.labels[i]).toBe(ds.labels[src]);
      for (let k = 0; k < F; k++) if (sub.pixels[i * F + k] !== ds.pixels[src * F + k]) mismatches++;
    });
    expect(mismatches).toBe(0);
    const counts = new Array(10).fill(0);
    for (const y of sub.labels) counts[y]++;
    expect(Math.min(...counts)).toBeGreaterThan(SUBSET_SIZE / 20); // every class well represented
  });
  test("rejects a file that is not a subset", () => {
    expect(() => decodeSubset(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]).buffer)).toThrow(/not an MNIST subset/);
  });
});
