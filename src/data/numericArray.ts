/**
 * An n-dimensional array as read from a binary data file (NPY or IDX), before it becomes
 * features or labels, and the helpers the readers share.
 *
 * @module
 */
import { DataFileError } from "./dataFileError.js";

export interface NumericArray {
  /** Dimensions, outermost first (C order); the first is the number of rows. */
  readonly shape: readonly number[];
  /** The values in C order as numbers, or as strings for an NPY unicode array. */
  readonly values: Float64Array | readonly string[];
  /** The element type in words, e.g. `"float32"`, `"uint8"`, `"<U5 (text)"`. */
  readonly dtype: string;
}

/** Product of the dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `(60000, 28, 28)` as a message shows a shape. */
export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
}

/** The C-order index `[i, j, …]` of flat position `flat` in `shape`, as a message shows it. */
export function indexText(flat: number, shape: readonly number[]): string {
  const idx = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return `element [${idx.join(", ")}]`;
}

/** Throws for the first NaN or ±Infinity in `values`, naming its index (counted from 0). */
export function requireAllFinite(file: string, values: Float64Array, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new DataFileError(file, `${values[i]} is not allowed (indices count from 0)`, indexText(i, shape));
    }
  }
}

/**
 * Checks that a binary file holds exactly the bytes its header promises: fewer is a truncated
 * file, more is a malformed one. Both name the expected and actual counts.
 */
export function requireDataLength(file: string, format: string, shape: readonly number[], dtype: string, expected: number, actual: number): void {
  if (actual < expected) {
    throw new DataFileError(file, `truncated ${format} file: shape ${shapeText(shape)} of ${dtype} needs ${expected} bytes of data, the file has ${actual}`);
  }
  if (actual > expected) {
    throw new DataFileError(file, `malformed ${format} file: shape ${shapeText(shape)} of ${dtype} needs ${expected} bytes of data, the file has ${actual - expected} more`);
  }
}
