/**
 * What a data file's labels mean: class indices (classification) or real targets
 * (regression), decided from the declared task or inferred from the values, and checked.
 *
 * Rules:
 * - classification, numeric labels: integers `0..K−1` with `K = max + 1` (a label that is
 *   negative or not an integer is an error); at least 2 and at most {@link MAX_CLASSES} classes;
 * - classification, text labels: the distinct texts in sorted order (JavaScript's code-unit
 *   order, the same on every machine) are classes `0..K−1`, and `classNames` lists them;
 * - regression: numbers, one per row or `d` per row (NPY `N × d`);
 * - no declared task: text or a 2-D target → as above; integers ≥ 0 → classification;
 *   any non-integer → regression; negative integers → an error (ambiguous: say the task).
 * A test set follows its population: the same task, classes and class names, target width.
 *
 * @module
 */
import { DataFileError, quoteCell } from "./dataFileError.js";
import { cellProblem, isNonFiniteCell, numericCell } from "./csv.js";
import type { DataTask, TabularData } from "./types.js";

/** The most classes numeric labels may imply (`max + 1`): guards against an ID column taken for labels. */
export const MAX_CLASSES = 65_536;

/** The labels of a file before interpretation. */
export type RawLabels =
  /** CSV label cells: numbers or text, decided here. */
  | { readonly kind: "cells"; readonly cells: readonly string[] }
  /** NPY/IDX numeric labels: `width` per row. */
  | { readonly kind: "numbers"; readonly values: Float64Array; readonly width: number; readonly dtype: string }
  /** NPY unicode labels. */
  | { readonly kind: "text"; readonly values: readonly string[]; readonly dtype: string };

/** The label part of a {@link TabularData}. */
export type Labelled = Pick<TabularData, "task" | "classes" | "labels" | "classNames" | "targets" | "targetDims">;

/** Where row `i` is (`"line 7, column \"y\""`, `"element [7]"`), for messages. */
export type Locate = (row: number) => string;

/** Numbers of label cells when every cell is a plain decimal number, else `null` (text labels). */
function cellsAsNumbers(cells: readonly string[]): Float64Array | null {
  const out = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const v = numericCell(cells[i]);
    if (v === null) return null;
    out[i] = v;
  }
  return out;
}

/** The labels as text (CSV cells or an NPY unicode array; none for numeric arrays). */
function textsOf(raw: RawLabels): readonly string[] {
  return raw.kind === "cells" ? raw.cells : raw.kind === "text" ? raw.values : [];
}

/** Throws for the first NaN/±Infinity among numeric labels or CSV label cells. */
function requireFiniteLabels(file: string, raw: RawLabels, locate: Locate): void {
  if (raw.kind === "numbers") {
    for (let i = 0; i < raw.values.length; i++) {
      if (!Number.isFinite(raw.values[i])) throw new DataFileError(file, `label ${raw.values[i]} is not allowed`, locate(Math.floor(i / raw.width)));
    }
  } else if (raw.kind === "cells") {
    raw.cells.forEach((c, i) => {
      if (isNonFiniteCell(c)) throw new DataFileError(file, cellProblem(c, "label"), locate(i));
    });
  }
}

/** Class indices from numeric labels, each an integer in `0..classes−1`; `classes` = max+1 when not given. */
function integerClasses(file: string, values: Float64Array, locate: Locate, given?: { classes: number; of: string }): { labels: Int32Array; classes: number } {
  const labels = new Int32Array(values.length);
  let max = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const range = given === undefined ? "0..K−1" : `0..${given.classes - 1} (the ${given.classes} classes of ${given.of})`;
    if (!Number.isInteger(v)) throw new DataFileError(file, `class label ${v} is not an integer (classes are ${range})`, locate(i));
    if (v < 0 || (given !== undefined && v >= given.classes)) throw new DataFileError(file, `class label ${v} is outside ${range}`, locate(i));
    if (v >= MAX_CLASSES) throw new DataFileError(file, `class label ${v} would make ${v + 1} classes (K = max + 1), above the limit of ${MAX_CLASSES}: is this really the label column?`, locate(i));
    labels[i] = v;
    if (v > max) max = v;
  }
  const classes = given?.classes ?? max + 1;
  if (classes < 2) throw new DataFileError(file, `every class label is 0: classification needs at least 2 classes`);
  return { labels, classes };
}

function classification(classes: number, labels: Int32Array, classNames: readonly string[] | null): Labelled {
  return { task: "classification", classes, labels, classNames, targets: null, targetDims: 0 };
}

function regression(targets: Float64Array, targetDims: number): Labelled {
  return { task: "regression", classes: 0, labels: null, classNames: null, targets, targetDims };
}

/** The task a population's labels imply when none is declared (see the module's rules). */
function inferTask(file: string, raw: RawLabels, numbers: Float64Array | null, locate: Locate): DataTask {
  if (numbers === null) return "classification";
  if (raw.kind === "numbers" && raw.width !== 1) return "regression";
  if (numbers.some((v) => !Number.isInteger(v))) return "regression";
  const negative = numbers.findIndex((v) => v < 0);
  if (negative >= 0) {
    throw new DataFileError(file, `label ${numbers[negative]} is a negative integer: classes must be 0..K−1 or text; for real-valued targets use a model with the mean-squared-error loss`, locate(negative));
  }
  return "classification";
}

/**
 * Interprets a population's labels under the declared `task`, or infers the
 * task when it is `undefined`.
 * @throws DataFileError at the first label that does not fit, with its location.
 */
export function interpretLabels(file: string, raw: RawLabels, task: DataTask | undefined, locate: Locate): Labelled {
  requireFiniteLabels(file, raw, locate);
  const numbers = raw.kind === "numbers" ? raw.values : raw.kind === "cells" ? cellsAsNumbers(raw.cells) : null;
  const chosen = task ?? inferTask(file, raw, numbers, locate);
  if (chosen === "regression") return regressionTargets(file, raw, numbers, locate);
  if (raw.kind === "numbers" && raw.width !== 1) {
    throw new DataFileError(file, `labels have ${raw.width} values per row: class labels must be one per row (a 1-D array)`);
  }
  if (numbers !== null) {
    const { labels, classes } = integerClasses(file, numbers, locate);
    return classification(classes, labels, null);
  }
  const texts = textsOf(raw);
  const classNames = [...new Set(texts)].sort();
  if (classNames.length < 2) throw new DataFileError(file, `every label is ${quoteCell(classNames[0] ?? "")}: classification needs at least 2 classes`);
  const index = new Map(classNames.map((name, k) => [name, k]));
  return classification(classNames.length, Int32Array.from(texts, (t) => index.get(t)!), classNames);
}

/** Regression targets: every label a number. */
function regressionTargets(file: string, raw: RawLabels, numbers: Float64Array | null, locate: Locate): Labelled {
  if (raw.kind === "text") throw new DataFileError(file, `labels are text (${raw.dtype}) but the task is regression (real-valued targets)`);
  if (numbers === null) {
    const cells = textsOf(raw);
    const bad = cells.findIndex((c) => numericCell(c) === null);
    throw new DataFileError(file, `${cellProblem(cells[bad], "target")} (the task is regression)`, locate(bad));
  }
  return regression(numbers, raw.kind === "numbers" ? raw.width : 1);
}

/**
 * Interprets a test set's labels against its `population` (`of` names the population's file):
 * the same task; classes in the population's range; text classes among the population's names.
 */
export function interpretTestLabels(file: string, raw: RawLabels, population: TabularData, locate: Locate): Labelled {
  requireFiniteLabels(file, raw, locate);
  const of = population.source;
  if (population.task === "regression") {
    const out = interpretLabels(file, raw, "regression", locate);
    if (out.targetDims !== population.targetDims) {
      throw new DataFileError(file, `targets have ${out.targetDims} values per row, but those of ${of} have ${population.targetDims}`);
    }
    return out;
  }
  if (raw.kind === "numbers" && raw.width !== 1) {
    throw new DataFileError(file, `labels have ${raw.width} values per row: class labels must be one per row (a 1-D array)`);
  }
  const names = population.classNames;
  if (names === null) {
    const numbers = raw.kind === "numbers" ? raw.values : raw.kind === "cells" ? cellsAsNumbers(raw.cells) : null;
    if (numbers === null) {
      const texts = textsOf(raw);
      const bad = texts.findIndex((t) => numericCell(t) === null);
      throw new DataFileError(file, `class label ${quoteCell(texts[bad])} is text, but the classes of ${of} are numbers 0..${population.classes - 1}`, locate(bad));
    }
    const { labels } = integerClasses(file, numbers, locate, { classes: population.classes, of });
    return classification(population.classes, labels, null);
  }
  if (raw.kind === "numbers") throw new DataFileError(file, `labels are numbers (${raw.dtype}), but the classes of ${of} are text (${names.map(quoteCell).join(", ")})`);
  const texts = textsOf(raw);
  const index = new Map(names.map((name, k) => [name, k]));
  const labels = new Int32Array(texts.length);
  texts.forEach((t, i) => {
    const k = index.get(t);
    if (k === undefined) throw new DataFileError(file, `class ${quoteCell(t)} is not one of the classes of ${of} (${names.map(quoteCell).join(", ")})`, locate(i));
    labels[i] = k;
  });
  return classification(population.classes, labels, names);
}
