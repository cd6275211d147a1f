import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { expectDataError, tempDir, writeText } from "../../test/helpers/dataFiles.js";
import { Rng } from "../stats/rng.js";
import { featureValue, numericCell } from "./csv.js";
import { readDataset } from "./read.js";

const dir = tempDir("csv-");

/** A random matrix spanning several orders of magnitude (written to CSV in JavaScript's shortest round-trip form). */
function randomTable(rows: number, cols: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rng.uniform() - 0.5) * 10 ** Math.floor(rng.uniform() * 6 - 3)));
}

describe("CSV round trips", () => {
  test("features and labels read back exactly, label column chosen by name, BOM/CRLF/blank lines/spaces/quotes tolerated", async () => {
    const xs = randomTable(50, 3, 1);
    const labels = xs.map((_, i) => ["virginica", "setosa", "versicolor"][i % 3]);
    const lines = xs.map((r, i) => ` ${r[0]} , "${labels[i]}" ,${r[1]},${r[2].toExponential()}`);
    lines.splice(10, 0, "");
    const file = writeText(dir, "flowers.csv", `\uFEFFx0,"species",x1,x2\r\n${lines.join("\r\n")}\r\n\r\n`);
    const d = await readDataset({ data: file, labelColumn: "species" });
    expect(d.name).toBe("flowers");
    expect(d.featureNames).toEqual(["x0", "x1", "x2"]);
    expect(d.size).toBe(50);
    expect(d.features).toBe(3);
    expect(Array.from(d.inputs)).toEqual(xs.flat());
    expect(d.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(Array.from(d.labels!, (k) => d.classNames![k])).toEqual(labels);
  });

  test("a gzipped CSV (.csv.gz) and a file of several MiB (streamed in chunks) read the same numbers", async () => {
    const xs = randomTable(40_000, 4, 2);
    const text = `a,b,c,d,y\n${xs.map((r, i) => `${r.join(",")},${i % 2}`).join("\n")}\n`;
    expect(text.length).toBeGreaterThan(3 * 1024 * 1024);
    const plain = writeText(dir, "big.csv", text);
    const zipped = join(dir, "big.csv.gz");
    writeFileSync(zipped, gzipSync(text));
    for (const file of [plain, zipped]) {
      const d = await readDataset({ data: file });
      expect(d.size).toBe(40_000);
      expect(d.inputs.subarray(4 * 39_999)).toEqual(Float64Array.from(xs[39_999]));
      expect(d.labels![39_999]).toBe(1);
    }
  });

  test("a bad cell far into a large file is reported at its line (line counting across stream chunks)", async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i * 0.5},0`);
    rows[29_000] = "1,oops,0";
    const file = writeText(dir, "late.csv", `a,b,y\n${rows.join("\n")}\n`);
    await expectDataError(readDataset({ data: file }), file, 'line 29002, column "b"', '"oops"');
  });
});

describe("CSV bad input: one line naming the file and, where it applies, the line and column", () => {
  const cases: [string, string, string[]][] = [
    ["empty.csv", "", ["is empty"]],
    ["blank.csv", "\n\n  \n", ["no header row"]],
    ["header.csv", "a,b,y\n", ["no data rows", '"a", "b", "y"']],
    ["ragged-extra.csv", "a,b,y\n1,2,0\n1,2,3,0\n", ["line 3", "4 cells", "3 columns"]],
    ["ragged-short.csv", "a,b,y\n1,2,0\n\n1,0\n", ["line 4", "2 cells"]],
    ["word.csv", "a,b,y\n1,2,0\n1,two,1\n", ['line 3, column "b"', 'feature "two" is not a number']],
    ["empty-cell.csv", "a,b,y\n1,,0\n", ['line 2, column "b"', "empty feature"]],
    ["nan.csv", "a,b,y\n1,NaN,0\n", ['line 2, column "b"', "NaN and infinite"]],
    ["inf.csv", "a,b,y\n-inf,1,0\n", ['line 2, column "a"', "NaN and infinite"]],
    ["huge.csv", "a,b,y\n1e400,1,0\n", ['line 2, column "a"', "too large"]],
    ["hex.csv", "a,b,y\n0x10,1,0\n", ['line 2, column "a"', "not a number"]],
    ["empty-label.csv", "a,b,y\n1,2,\n", ['line 2, column "y"', "empty label"]],
    ["nan-label.csv", "a,b,y\n1,2,0\n1,2,nan\n", ['line 3, column "y"', "NaN"]],
    ["quote.csv", 'a,b,y\n1,"2,0\n', ["line 2", "malformed CSV", "unterminated"]],
    ["dup.csv", "a,a,y\n1,2,0\n", ["line 1 (header)", '"a" appears twice']],
    ["one.csv", "y\n0\n1\n", ["line 1 (header)", "at least one feature column"]],
  ];
  for (const [name, text, parts] of cases) {
    test(name, async () => {
      const file = writeText(dir, name, text);
      await expectDataError(readDataset({ data: file }), file, ...parts);
    });
  }

  test("a missing label column names the available columns", async () => {
    const file = writeText(dir, "iris.csv", "sepal,petal,species\n1,2,a\n");
    await expectDataError(readDataset({ data: file, labelColumn: "label" }), file, 'no label column "label"', '"sepal", "petal", "species"');
  });

  test("a missing file, a folder, a labels file given with a CSV", async () => {
    const missing = join(dir, "nope.csv");
    await expectDataError(readDataset({ data: missing }), missing, "no such file");
    const folder = join(dir, "folder.csv");
    mkdirSync(folder);
    await expectDataError(readDataset({ data: folder }), folder, "regular file", "a folder");
    const file = writeText(dir, "ok.csv", "a,y\n1,0\n2,1\n");
    await expectDataError(readDataset({ data: file, labels: "y.npy" }), file, "--label-column", "y.npy");
  });

  test("a corrupt .csv.gz", async () => {
    const file = join(dir, "corrupt.csv.gz");
    writeFileSync(file, gzipSync("a,y\n1,0\n").subarray(0, 12));
    await expectDataError(readDataset({ data: file }), file, "not valid gzip data");
  });

  test("a file above maxBytes is refused before it is read", async () => {
    const file = writeText(dir, "capped.csv", "a,y\n1,0\n2,1\n");
    await expectDataError(readDataset({ data: file, maxBytes: 5 }), file, "above the limit of 5 bytes");
  });
});

describe("CSV cells", () => {
  test("the fast feature parser agrees with the plain-decimal grammar on numeric-looking strings", () => {
    const pieces = ["", " ", "+", "-", "0", "1", "9", ".", "e", "E", "x", "b", "o", "0x1f", "Infinity", "NaN", "_", "\t", "12", "3.5"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 6 }), (parts) => {
        const cell = parts.join("");
        const byGrammar = numericCell(cell);
        const expected = byGrammar !== null && Number.isFinite(byGrammar) ? byGrammar : NaN;
        expect(featureValue(cell)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  test("quoted cells spanning lines keep the line count; multi-byte labels survive stream chunk boundaries", async () => {
    const multi = writeText(dir, "multi.csv", 'a,y\n1,"two\nlines"\n2,x\n3,"three\n\nlines"\nbad,x\n');
    await expectDataError(readDataset({ data: multi }), multi, 'line 8, column "a"');
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i % 7},${i % 2 === 0 ? "čaj" : "日本"}`);
    const file = writeText(dir, "utf8.csv", `a,y\n${rows.join("\n")}\n`);
    const d = await readDataset({ data: file });
    expect(d.classNames).toEqual(["čaj", "日本"]);
    expect(d.labels![199_999]).toBe(1);
  });
});
