/**
 * Reading a user's data set from files: the entry point of `src/data/` (`--data`,
 * `--labels`, `--label-column`, `--standardize`, `--test-data`). See docs/data-formats.md.
 *
 * @module
 */
import { basename } from "node:path";
import { InvalidArgumentError, requireInt } from "../errors.js";
import { cellWhere, readCsv } from "./csv.js";
import { DataFileError } from "./dataFileError.js";
import { DEFAULT_MAX_DATA_BYTES, openDataStream, readDataBytes } from "./fileBytes.js";
import { isIdx, parseIdx } from "./idx.js";
import { interpretLabels, interpretTestLabels, type Labelled, type Locate, type RawLabels } from "./labels.js";
import { isNpy, parseNpy } from "./npy.js";
import { type NumericArray, requireAllFinite, shapeText, sizeOf } from "./numericArray.js";
import { applyStandardization, fitStandardization } from "./standardize.js";
import type { DataTask, TabularData } from "./types.js";

/** Which files to read and how (the CLI's `--data`, `--labels`, `--label-column`, `--standardize`). */
export interface DataFileOptions {
  /** The data file: `.csv` (or `.csv.gz`), `.npy`, or IDX (`…-idx3-ubyte`, optionally gzipped). */
  readonly data: string;
  /** The labels file, for NPY and IDX data (a second `.npy` or IDX file; either format). */
  readonly labels?: string;
  /** CSV only: the label/target column's name (default: the last column). */
  readonly labelColumn?: string;
  /** Features to zero mean and unit variance over this file (default: values as they are). */
  readonly standardize?: boolean;
  /** The task the model's loss declares (cross-entropy → classification, MSE → regression); inferred when absent. */
  readonly task?: DataTask;
  /** Cap on each file's size in bytes (and on a gzipped binary file once decompressed); default 2 GiB. */
  readonly maxBytes?: number;
}

/** A data file's features and raw labels, before the labels are interpreted. */
interface RawData extends Pick<TabularData, "source" | "name" | "size" | "features" | "inputs" | "featureNames"> {
  /** The file that holds the labels (the CSV itself, or `--labels`). */
  readonly labelsFile: string;
  readonly labels: RawLabels;
  readonly locate: Locate;
}

const CSV_NAME = /\.csv(\.gz)?$/i;
const NPY_NAME = /\.npy(\.gz)?$/i;
const IDX_NAME = /idx\d-ubyte(\.gz)?$|\.idx\d?(\.gz)?$/i;

/** `iris` for `data/iris.csv`, `train-images` for `train-images-idx3-ubyte.gz`. */
export function dataName(file: string): string {
  const base = basename(file)
    .replace(/\.gz$/i, "")
    .replace(/\.(csv|npy)$/i, "")
    .replace(/[-.]idx\d-ubyte$|\.idx\d?$/i, "");
  return base === "" ? basename(file) : base;
}

/**
 * Parses a binary data file by its magic number (NPY or IDX), or says what it expected.
 * `idxUint8Divisor`: what uint8 IDX values are divided by (255 for features, 1 for labels).
 */
function parseArrayFile(file: string, bytes: Uint8Array, idxUint8Divisor = 1): { array: NumericArray; format: "npy" | "idx" } {
  if (isNpy(bytes) || (NPY_NAME.test(file) && !isIdx(bytes))) return { array: parseNpy(file, bytes), format: "npy" };
  if (isIdx(bytes) || IDX_NAME.test(file)) return { array: parseIdx(file, bytes, idxUint8Divisor), format: "idx" };
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new DataFileError(file, `unknown data format (first bytes ${head}): expected a CSV file named .csv, a NumPy .npy file, or an IDX file such as train-images-idx3-ubyte[.gz]`);
}

/** Reads a CSV data file (labels in a column). */
async function readCsvData(options: DataFileOptions, maxBytes: number): Promise<RawData> {
  const file = options.data;
  if (options.labels !== undefined) {
    throw new DataFileError(file, `a CSV file holds its labels in a column (--label-column); a separate labels file (${options.labels}) is for NPY and IDX data`);
  }
  const table = await readCsv(file, await openDataStream(file, maxBytes), options.labelColumn);
  return {
    source: file,
    name: dataName(file),
    size: table.rows,
    features: table.featureNames.length,
    inputs: table.inputs,
    featureNames: table.featureNames,
    labelsFile: file,
    labels: { kind: "cells", cells: table.labelCells },
    locate: (i) => cellWhere(table.lines[i], table.labelName),
  };
}

/**
 * Reads NPY/IDX features and labels. Features: the first dimension counts rows, the rest is
 * flattened per row (`N × 28 × 28` → 784 features; a 1-D array is one feature). uint8 IDX
 * features are scaled to [0, 1] (÷255), as the built-in MNIST and Fashion-MNIST are; every
 * other array is used as stored.
 */
async function readArrayData(options: DataFileOptions, maxBytes: number): Promise<RawData> {
  const file = options.data;
  if (options.labelColumn !== undefined) throw new DataFileError(file, `--label-column is for CSV files; NPY and IDX data take their labels from a second file (--labels)`);
  const labelsFile = options.labels;
  if (labelsFile === undefined) throw new DataFileError(file, `NPY and IDX data need a labels file (--labels), one label (or target row) per row of this file`);
  const x = parseArrayFile(file, await readDataBytes(file, maxBytes), 255);
  const { shape } = x.array;
  if (typeof x.array.values[0] === "string") throw new DataFileError(file, `features are text (${x.array.dtype}); they must be numbers`);
  if (shape.length === 0) throw new DataFileError(file, `features are a single number (shape ()); expected rows × features`);
  const inputs = x.array.values as Float64Array;
  if (/float/.test(x.array.dtype)) requireAllFinite(file, inputs, shape);
  const size = shape[0];
  const features = sizeOf(shape.slice(1));
  if (size === 0) throw new DataFileError(file, `no rows (shape ${shapeText(shape)})`);
  if (features === 0) throw new DataFileError(file, `no features (shape ${shapeText(shape)})`);

  const y = parseArrayFile(labelsFile, await readDataBytes(labelsFile, maxBytes)).array;
  const rows = y.shape[0] ?? 1;
  if (y.shape.length === 0 || rows !== size) {
    throw new DataFileError(labelsFile, `${y.shape.length === 0 ? "a single label" : `${rows} labels (shape ${shapeText(y.shape)})`}, but ${file} has ${size} rows (shape ${shapeText(shape)})`);
  }
  const width = sizeOf(y.shape.slice(1));
  const labels: RawLabels =
    typeof y.values[0] === "string"
      ? { kind: "text", values: y.values as readonly string[], dtype: y.dtype }
      : { kind: "numbers", values: y.values as Float64Array, width, dtype: y.dtype };
  return {
    source: `${file} + ${labelsFile}`,
    name: dataName(file),
    size,
    features,
    inputs,
    labelsFile,
    labels,
    locate: (i) => `element [${i}${width > 1 ? ", …" : ""}]`,
  };
}

/** Checks the options and reads the features and raw labels of one data set. */
async function readRawData(options: DataFileOptions): Promise<RawData> {
  if (typeof options.data !== "string" || options.data === "") throw new InvalidArgumentError("readDataset", "data", "a file name", options.data);
  if (options.task !== undefined && options.task !== "classification" && options.task !== "regression") {
    throw new InvalidArgumentError("readDataset", "task", `"classification" or "regression"`, options.task);
  }
  const maxBytes = options.maxBytes === undefined ? DEFAULT_MAX_DATA_BYTES : requireInt(options.maxBytes, "readDataset", "maxBytes", 1, Number.MAX_SAFE_INTEGER);
  return CSV_NAME.test(options.data) ? readCsvData(options, maxBytes) : readArrayData(options, maxBytes);
}

function assemble(raw: RawData, labelled: Labelled, standardization: TabularData["standardization"]): TabularData {
  return {
    source: raw.source,
    name: raw.name,
    size: raw.size,
    features: raw.features,
    inputs: raw.inputs,
    ...(raw.featureNames === undefined ? {} : { featureNames: raw.featureNames }),
    ...labelled,
    ...(standardization === undefined ? {} : { standardization }),
  };
}

/**
 * Reads a data set — the population of the experiments — from files.
 *
 * Formats (by name, then by magic number):
 * - **CSV** (`.csv`, `.csv.gz`), streamed: a header row; the label/target column is
 *   `labelColumn` (default: the last); every other column a numeric feature.
 * - **NPY** (`data` = X.npy, `labels` = y.npy): float16/32/64, int8–64, uint8–64 (labels
 *   may also be unicode text), C order. X is `N × …`, flattened per row; y is `N` or `N × d`.
 * - **IDX** (`data` = `…-idx3-ubyte[.gz]`, `labels` = `…-idx1-ubyte[.gz]`), the MNIST
 *   format: items flattened per row; uint8 pixels scaled to [0, 1] (÷255) like the
 *   built-in MNIST. NPY and IDX files may be gzipped (recognised by content).
 *
 * Labels: `task` (from the model's loss) when given, else inferred — integers 0..K−1 or text
 * → classification (`K = max + 1`; text classes in sorted order, in `classNames`);
 * non-integers or `N × d` → regression. Every feature and target must be finite.
 *
 * `standardize`: each feature to zero mean and unit variance over this file (population
 * standard deviation); a constant feature is only centred (to 0), never divided by 0. The
 * fitted map is returned as `standardization`, for {@link readTestDataset}.
 *
 * @throws DataFileError (a UsageError: one line, the file and, where it applies, the line and
 *   column or the element index) for a missing, empty, truncated or malformed file, a ragged
 *   row, a non-numeric or non-finite cell, a missing label column, a label outside 0..K−1, or
 *   a labels file whose length differs from the data's rows.
 * @throws InvalidArgumentError for malformed options.
 */
export async function readDataset(options: DataFileOptions): Promise<TabularData> {
  const raw = await readRawData(options);
  const labelled = interpretLabels(raw.labelsFile, raw.labels, options.task, raw.locate);
  if (options.standardize !== true) return assemble(raw, labelled, undefined);
  const standardization = fitStandardization(raw.inputs, raw.features);
  applyStandardization(raw.inputs, standardization);
  return assemble(raw, labelled, standardization);
}

/**
 * Reads a separate test set (`--test-data`, same formats and label column) that must match
 * its `population` (from {@link readDataset}): the same number of features (and, for two CSV
 * files, the same feature columns in the same order), the same task, labels within the
 * population's classes (text labels mapped by the population's class names), the same target
 * width. It is standardized with the population's mean and scale when the population was;
 * `options.standardize` and `options.task` are not used (the population's choices hold).
 * @throws DataFileError as {@link readDataset}, and when the test set does not match.
 */
export async function readTestDataset(options: DataFileOptions, population: TabularData): Promise<TabularData> {
  const raw = await readRawData(options);
  if (raw.features !== population.features) {
    throw new DataFileError(options.data, `${raw.features} features per row, but the data set ${population.source} has ${population.features}`);
  }
  const ours = raw.featureNames;
  const theirs = population.featureNames;
  if (ours !== undefined && theirs !== undefined) {
    const j = ours.findIndex((n, k) => n !== theirs[k]);
    if (j >= 0) throw new DataFileError(options.data, `feature column ${j + 1} is "${ours[j]}", but in ${population.source} it is "${theirs[j]}" (the columns must match, in order)`, "line 1 (header)");
  }
  const labelled = interpretTestLabels(raw.labelsFile, raw.labels, population, raw.locate);
  if (population.standardization !== undefined) applyStandardization(raw.inputs, population.standardization);
  return assemble(raw, labelled, population.standardization);
}
