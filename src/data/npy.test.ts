import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { expectDataError, HAVE_NUMPY, npyBytes, python, tempDir, writeBytes } from "../../test/helpers/dataFiles.js";
import { readDataset } from "./read.js";

const dir = tempDir("npy-");

describe("NPY written by hand (from the format's specification)", () => {
  test("float64 X of shape (4, 2, 3) is flattened per row; int32 labels; float32 N×2 targets", async () => {
    const x = Float64Array.from({ length: 24 }, (_, i) => i * 0.25 - 3);
    const X = writeBytes(dir, "x.npy", npyBytes("<f8", [4, 2, 3], x));
    const y = writeBytes(dir, "y.npy", npyBytes("<i4", [4], Int32Array.from([2, 0, 1, 2])));
    const d = await readDataset({ data: X, labels: y });
    expect([d.size, d.features, d.task, d.classes]).toEqual([4, 6, "classification", 3]);
    expect(d.inputs).toEqual(x);
    expect(Array.from(d.labels!)).toEqual([2, 0, 1, 2]);
    const t = Float32Array.from([0.5, -1.25, 2, 3, 4.5, 5, 6, 7]);
    const yr = writeBytes(dir, "yr.npy", npyBytes("<f4", [4, 2], t));
    const r = await readDataset({ data: X, labels: yr });
    expect([r.task, r.targetDims]).toEqual(["regression", 2]);
    expect(r.targets).toEqual(Float64Array.from(t));
  });

  test("uint8 features are used as stored (no ÷255, unlike IDX); a gzipped .npy.gz reads the same", async () => {
    const x = Uint8Array.from({ length: 6 }, (_, i) => i * 50);
    const y = npyBytes("<i8", [3], BigInt64Array.from([0n, 1n, 1n]));
    for (const gz of ["", ".gz"]) {
      const d = await readDataset({ data: writeBytes(dir, `u8.npy${gz}`, npyBytes("|u1", [3, 2], x)), labels: writeBytes(dir, `yl.npy${gz}`, y) });
      expect(Array.from(d.inputs)).toEqual(Array.from(x));
      expect(Array.from(d.labels!)).toEqual([0, 1, 1]);
    }
  });
});

describe.skipIf(!HAVE_NUMPY)("NPY written by numpy", () => {
  let expected: Record<string, number[] | string[]>;
  beforeAll(() => {
    // numpy writes the files and, independently, their values as JSON.
    const out = python(
      dir,
      `import json
rng = np.random.default_rng(7)
X = rng.normal(size=(20, 4, 3))
np.save("X32.npy", X.astype(np.float32)); np.save("X64.npy", X)
np.save("Xu16.npy", rng.integers(0, 60000, size=(20, 5)).astype(np.uint16))
np.save("y64.npy", (np.arange(20) % 4).astype(np.int64)); np.save("yu8.npy", (np.arange(20) % 4).astype(np.uint8))
np.save("ys.npy", np.array(["dog", "cat", "emu", "ant"] * 5))
np.save("yreg.npy", rng.normal(size=(20, 3)))
np.save("Xf.npy", np.asfortranarray(X.reshape(20, 12)))
np.save("Xbe.npy", X.astype(">f8")); np.save("Xb.npy", X > 0); np.save("Xc.npy", X.astype(np.complex64))
np.save("Xnan.npy", np.where(np.arange(240).reshape(20, 4, 3) == 137, np.nan, X))
np.save("y19.npy", np.arange(19) % 2)
print(json.dumps({"X32": X.astype(np.float32).astype(float).ravel().tolist(), "X64": X.ravel().tolist(),
  "Xu16": np.load("Xu16.npy").ravel().tolist(), "yreg": np.load("yreg.npy").ravel().tolist()}))`,
    );
    expected = JSON.parse(out) as Record<string, number[]>;
  });
  const at = (name: string) => join(dir, name);

  test("float32 and float64 X (N×4×3 → 12 features), uint16 X, int64/uint8/text labels, N×3 targets", async () => {
    for (const [x, y] of [["X32", "y64"], ["X64", "yu8"]]) {
      const d = await readDataset({ data: at(`${x}.npy`), labels: at(`${y}.npy`) });
      expect([d.size, d.features, d.classes]).toEqual([20, 12, 4]);
      expect(Array.from(d.inputs)).toEqual(expected[x]);
      expect(Array.from(d.labels!)).toEqual(Array.from({ length: 20 }, (_, i) => i % 4));
    }
    const u = await readDataset({ data: at("Xu16.npy"), labels: at("ys.npy") });
    expect(Array.from(u.inputs)).toEqual(expected.Xu16);
    expect(u.classNames).toEqual(["ant", "cat", "dog", "emu"]);
    expect(Array.from(u.labels!.slice(0, 4), (k) => u.classNames![k])).toEqual(["dog", "cat", "emu", "ant"]);
    const r = await readDataset({ data: at("X64.npy"), labels: at("yreg.npy") });
    expect([r.task, r.targetDims]).toEqual(["regression", 3]);
    expect(Array.from(r.targets!)).toEqual(expected.yreg);
  });

  test("Fortran order, big-endian, bool and complex dtypes, NaN, a label count that differs", async () => {
    const y = at("y64.npy");
    await expectDataError(readDataset({ data: at("Xf.npy"), labels: y }), at("Xf.npy"), "Fortran-order", "C order");
    await expectDataError(readDataset({ data: at("Xbe.npy"), labels: y }), at("Xbe.npy"), "unsupported NPY dtype '>f8'");
    await expectDataError(readDataset({ data: at("Xb.npy"), labels: y }), at("Xb.npy"), "unsupported NPY dtype 'b1'");
    await expectDataError(readDataset({ data: at("Xc.npy"), labels: y }), at("Xc.npy"), "unsupported NPY dtype 'c8'");
    await expectDataError(readDataset({ data: at("Xnan.npy"), labels: y }), at("Xnan.npy"), "element [11, 1, 2]", "NaN");
    await expectDataError(readDataset({ data: at("X64.npy"), labels: at("y19.npy") }), at("y19.npy"), "19 labels", "has 20 rows");
  });
});

describe("NPY bad input", () => {
  const x = npyBytes("<f8", [3, 2], Float64Array.from([1, 2, 3, 4, 5, 6]));
  const y = writeBytes(dir, "ok-y.npy", npyBytes("<i4", [3], Int32Array.from([0, 1, 0])));

  test("a truncated file names the expected and actual bytes; extra bytes too", async () => {
    const cut = writeBytes(dir, "cut.npy", x.subarray(0, x.length - 5));
    await expectDataError(readDataset({ data: cut, labels: y }), cut, "truncated NPY file", "needs 48 bytes of data, the file has 43");
    const header = writeBytes(dir, "head.npy", x.subarray(0, 30));
    await expectDataError(readDataset({ data: header, labels: y }), header, "truncated NPY file", `the header needs ${x.length - 48} bytes, the file has 30`);
    const longer = new Uint8Array(x.length + 8);
    longer.set(x);
    const extra = writeBytes(dir, "extra.npy", longer);
    await expectDataError(readDataset({ data: extra, labels: y }), extra, "malformed NPY file", "8 more");
  });

  test("wrong magic, missing labels option, --label-column with NPY, text features", async () => {
    const bad = writeBytes(dir, "bad.npy", Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    await expectDataError(readDataset({ data: bad, labels: y }), bad, "not an NPY file", "wrong magic number", "got 01 02 03 04 05 06");
    const ok = writeBytes(dir, "ok-x.npy", x);
    await expectDataError(readDataset({ data: ok }), ok, "need a labels file (--labels)");
    await expectDataError(readDataset({ data: ok, labels: y, labelColumn: "y" }), ok, "--label-column is for CSV");
    const text = new Uint32Array(3 * 2);
    text.set([97, 0, 98, 0, 99, 0]);
    const xs = writeBytes(dir, "text-x.npy", npyBytes("<U2", [3], text));
    await expectDataError(readDataset({ data: xs, labels: y }), xs, "features are text");
  });
});
