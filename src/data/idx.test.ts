import { describe, expect, test } from "vitest";
import { expectDataError, idxBytes, tempDir, writeBytes } from "../../test/helpers/dataFiles.js";
import { Rng } from "../stats/rng.js";
import { readDataset } from "./read.js";

const dir = tempDir("idx-");

describe("IDX (the MNIST format), written by hand from its specification", () => {
  const rng = new Rng(3);
  const pixels = Array.from({ length: 5 * 4 * 3 }, () => rng.int(256));
  const labels = [3, 0, 9, 1, 3];

  test("uint8 images N×4×3 → 12 features scaled to [0, 1] (÷255); uint8 labels; plain and gzipped", async () => {
    for (const gz of ["", ".gz"]) {
      const X = writeBytes(dir, `t10k-images-idx3-ubyte${gz}`, idxBytes("uint8", [5, 4, 3], pixels));
      const y = writeBytes(dir, `t10k-labels-idx1-ubyte${gz}`, idxBytes("uint8", [5], labels));
      const d = await readDataset({ data: X, labels: y });
      expect([d.name, d.size, d.features, d.task, d.classes]).toEqual(["t10k-images", 5, 12, "classification", 10]);
      expect(Array.from(d.inputs)).toEqual(pixels.map((p) => p / 255));
      expect(Array.from(d.labels!)).toEqual(labels);
    }
  });

  test("float64 IDX features are used as stored; int32 labels", async () => {
    const values = Array.from({ length: 10 }, () => rng.normal());
    const d = await readDataset({
      data: writeBytes(dir, "f64-idx2-ubyte", idxBytes("float64", [5, 2], values)),
      labels: writeBytes(dir, "i32-idx1-ubyte", idxBytes("int32", [5], [0, 1, 1, 0, 1])),
    });
    expect(Array.from(d.inputs)).toEqual(values);
    expect(d.classes).toBe(2);
  });

  test("a truncated file (expected vs actual bytes), a label count that differs, wrong magic, an unknown type, an unknown format", async () => {
    const full = idxBytes("uint8", [5, 4, 3], pixels);
    const y = writeBytes(dir, "ok-labels-idx1-ubyte", idxBytes("uint8", [5], labels));
    for (const gz of ["", ".gz"]) {
      const cut = writeBytes(dir, `cut-images-idx3-ubyte${gz}`, full.subarray(0, full.length - 7));
      await expectDataError(readDataset({ data: cut, labels: y }), cut, "truncated IDX file", "needs 60 bytes of data, the file has 53");
    }
    const shortHeader = writeBytes(dir, "hdr-images-idx3-ubyte", full.subarray(0, 9));
    await expectDataError(readDataset({ data: shortHeader, labels: y }), shortHeader, "truncated IDX file", "needs 16 bytes, the file has 9");
    const X = writeBytes(dir, "ok-images-idx3-ubyte", full);
    const y4 = writeBytes(dir, "four-labels-idx1-ubyte", idxBytes("uint8", [4], labels.slice(0, 4)));
    await expectDataError(readDataset({ data: X, labels: y4 }), y4, "4 labels (shape (4,))", "has 5 rows (shape (5, 4, 3))");
    const magic = writeBytes(dir, "bad-images-idx3-ubyte", Uint8Array.from([8, 3, 0, 0, 1, 2, 3, 4]));
    await expectDataError(readDataset({ data: magic, labels: y }), magic, "not an IDX file", "got 08 03 00 00");
    const type = writeBytes(dir, "type-images-idx3-ubyte", Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 7]));
    await expectDataError(readDataset({ data: type, labels: y }), type, "unsupported IDX type code 0x0a");
    const unknown = writeBytes(dir, "data.bin", Uint8Array.from([7, 7, 7, 7, 7]));
    await expectDataError(readDataset({ data: unknown, labels: y }), unknown, "unknown data format", "07 07 07 07");
    // gzip is recognised by content: a corrupt one under any name
    const notGzip = writeBytes(dir, "broken-images-idx3-ubyte.gzip", Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2]));
    await expectDataError(readDataset({ data: notGzip, labels: y }), notGzip, "not valid gzip data");
  });
});
