import { describe, expect, test } from "vitest";
import { expectDataError, npyBytes, tempDir, writeBytes, writeText } from "../../test/helpers/dataFiles.js";
import { InvalidArgumentError } from "../errors.js";
import { MAX_CLASSES } from "./labels.js";
import { dataName, readDataset, readTestDataset } from "./read.js";

const dir = tempDir("read-");
/** A two-feature CSV with the given label cells. */
const csv = (name: string, labels: readonly string[]) => writeText(dir, name, `u,v,target\n${labels.map((l, i) => `${i},${-i},${l}`).join("\n")}\n`);

describe("labels: the task declared or inferred", () => {
  test("text labels → classes in sorted (code-unit) order, each row's class named by its text", async () => {
    const cells = ["b", "a", "B", "é", "a", "b"];
    const d = await readDataset({ data: csv("text.csv", cells) });
    expect(d.task).toBe("classification");
    expect(d.classNames).toEqual(["B", "a", "b", "é"]);
    expect(Array.from(d.labels!, (k) => d.classNames![k])).toEqual(cells);
  });

  test("integers ≥ 0 → classification with K = max + 1 (an absent class included); non-integers → regression", async () => {
    const c = await readDataset({ data: csv("ints.csv", ["0", "2", "2.0", "0"]) });
    expect([c.task, c.classes, c.classNames]).toEqual(["classification", 3, null]);
    expect(Array.from(c.labels!)).toEqual([0, 2, 2, 0]);
    const r = await readDataset({ data: csv("reals.csv", ["0", "1.5", "-2", "1e-3"]) });
    expect([r.task, r.targetDims, r.classes, r.labels]).toEqual(["regression", 1, 0, null]);
    expect(Array.from(r.targets!)).toEqual([0, 1.5, -2, 1e-3]);
  });

  test("the declared task wins: integer targets under regression; and classification checks each label", async () => {
    const file = csv("counts.csv", ["0", "-1", "3"]);
    await expectDataError(readDataset({ data: file }), file, 'line 3, column "target"', "negative integer");
    const r = await readDataset({ data: file, task: "regression" });
    expect(Array.from(r.targets!)).toEqual([0, -1, 3]);
    await expectDataError(readDataset({ data: file, task: "classification" }), file, 'line 3, column "target"', "class label -1 is outside 0..K−1");
    const half = csv("half.csv", ["0", "1", "0.5"]);
    await expectDataError(readDataset({ data: half, task: "classification" }), half, 'line 4, column "target"', "class label 0.5 is not an integer");
    const words = csv("words.csv", ["1.5", "x"]);
    await expectDataError(readDataset({ data: words, task: "regression" }), words, 'line 3, column "target"', 'target "x" is not a number');
  });

  test("one class only, or a label that would imply too many classes", async () => {
    const zeros = csv("zeros.csv", ["0", "0"]);
    await expectDataError(readDataset({ data: zeros }), zeros, "at least 2 classes");
    const same = csv("same.csv", ["cat", "cat"]);
    await expectDataError(readDataset({ data: same }), same, "at least 2 classes");
    const ids = csv("ids.csv", ["0", String(MAX_CLASSES + 5)]);
    await expectDataError(readDataset({ data: ids }), ids, 'line 3, column "target"', "is this really the label column");
  });

  test("NPY labels: N×d targets are regression; classification refuses them", async () => {
    const X = writeBytes(dir, "x.npy", npyBytes("<f8", [2, 1], Float64Array.from([1, 2])));
    const y = writeBytes(dir, "y2.npy", npyBytes("<f8", [2, 2], Float64Array.from([0, 1, 1, 0])));
    expect((await readDataset({ data: X, labels: y })).targetDims).toBe(2);
    await expectDataError(readDataset({ data: X, labels: y, task: "classification" }), y, "2 values per row", "one per row");
  });
});

describe("a test set matches its population", () => {
  test("text classes map through the population's names; an unknown class, numbers for text classes are errors", async () => {
    const population = await readDataset({ data: csv("pop.csv", ["b", "a", "c"]) });
    const t = await readTestDataset({ data: csv("t.csv", ["c", "c", "a"]) }, population);
    expect(Array.from(t.labels!, (k) => population.classNames![k])).toEqual(["c", "c", "a"]);
    expect(t.classNames).toBe(population.classNames);
    const unknown = csv("t-unknown.csv", ["a", "d"]);
    await expectDataError(readTestDataset({ data: unknown }, population), unknown, 'line 3, column "target"', 'class "d" is not one of the classes', '"a", "b", "c"');
  });

  test("numeric classes: a label beyond the population's K; text where numbers were; a different task", async () => {
    const population = await readDataset({ data: csv("pop-num.csv", ["0", "1", "2"]) });
    const t = await readTestDataset({ data: csv("t-num.csv", ["2", "0"]) }, population);
    expect([t.classes, Array.from(t.labels!)]).toEqual([3, [2, 0]]);
    const beyond = csv("t-beyond.csv", ["0", "3"]);
    await expectDataError(readTestDataset({ data: beyond }, population), beyond, 'line 3, column "target"', "class label 3 is outside 0..2 (the 3 classes of");
    const text = csv("t-text.csv", ["0", "cat"]);
    await expectDataError(readTestDataset({ data: text }, population), text, 'line 3, column "target"', "is text, but the classes of");
    const reals = csv("t-reals.csv", ["0.5", "1"]);
    await expectDataError(readTestDataset({ data: reals }, population), reals, "class label 0.5 is not an integer");
  });

  test("feature count, feature columns and target width must match", async () => {
    const population = await readDataset({ data: csv("pop-reg.csv", ["0.5", "1.5"]) });
    const three = writeText(dir, "t-three.csv", "u,v,w,target\n1,2,3,0.5\n");
    await expectDataError(readTestDataset({ data: three }, population), three, "3 features per row", "has 2");
    const renamed = writeText(dir, "t-renamed.csv", "u,w,target\n1,2,0.5\n");
    await expectDataError(readTestDataset({ data: renamed }, population), renamed, "line 1 (header)", 'feature column 2 is "w"', 'it is "v"');
    const X = writeBytes(dir, "tx.npy", npyBytes("<f8", [1, 2], Float64Array.from([1, 2])));
    const y = writeBytes(dir, "ty.npy", npyBytes("<f8", [1, 2], Float64Array.from([1, 2])));
    await expectDataError(readTestDataset({ data: X, labels: y }, population), y, "2 values per row", "have 1");
  });
});

describe("options", () => {
  test("names of data sets; malformed options are InvalidArgumentErrors", async () => {
    expect(["data/iris.csv", "train-images-idx3-ubyte.gz", "X.npy", "a.b.csv.gz"].map(dataName)).toEqual(["iris", "train-images", "X", "a.b"]);
    await expect(readDataset({ data: "" })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(readDataset({ data: "x.csv", maxBytes: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(readDataset({ data: "x.csv", task: "ranking" as never })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
