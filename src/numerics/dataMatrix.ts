/**
 * A batch of data points packed row-major into one `Float64Array`.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/**
 * `rows` data points with `cols` features each; point `i` is
 * `values.subarray(i * cols, (i + 1) * cols)`. Also used for per-datum results
 * (e.g. `rows` gradients of length `P`).
 */
export interface DataMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float64Array;
}

/**
 * Wraps `values` (not copied) as a {@link DataMatrix} with `cols` columns.
 *
 * @throws InvalidArgumentError if `cols` is not a positive integer or does not divide
 * `values.length`.
 */
export function dataMatrix(values: Float64Array, cols: number): DataMatrix {
  if (!Number.isInteger(cols) || cols < 1) {
    throw new InvalidArgumentError("dataMatrix", "cols", "a positive integer", cols);
  }
  if (values.length % cols !== 0) {
    throw new InvalidArgumentError("dataMatrix", "values.length", `a multiple of cols = ${cols}`, values.length);
  }
  return { rows: values.length / cols, cols, values };
}

/** Row `i` of `m` as a view (no copy). */
export function matrixRow(m: DataMatrix, i: number): Float64Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.rows) {
    throw new InvalidArgumentError("matrixRow", "i", `an integer in [0, ${m.rows - 1}]`, i);
  }
  return m.values.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Packs equal-length rows into a {@link DataMatrix}. */
export function packRows(rows: readonly (Float64Array | readonly number[])[], cols?: number): DataMatrix {
  const c = cols ?? (rows.length > 0 ? rows[0].length : undefined);
  if (c === undefined) throw new InvalidArgumentError("packRows", "cols", "given when rows is empty", cols);
  const values = new Float64Array(rows.length * c);
  rows.forEach((r, i) => {
    if (r.length !== c) throw new InvalidArgumentError("packRows", `rows[${i}].length`, `${c}`, r.length);
    values.set(r, i * c);
  });
  return dataMatrix(values, c);
}
