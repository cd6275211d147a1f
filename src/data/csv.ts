/**
 * CSV data files, parsed by the `csv-parse` package as a stream (never read whole into one
 * string): a header row of column names, then one data point per line. One column holds the
 * labels or targets (default: the last); every other column is a numeric feature.
 *
 * Cells are trimmed; blank lines are skipped; quotes follow RFC 4180. A feature cell must be
 * a plain decimal number (`-1.5`, `2e-3`; not empty, not hex, not `NaN`/`Inf`). Label cells
 * are kept as text: what they mean (classes or targets) is decided by `labels.ts`.
 *
 * @module
 */
import type { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { DataFileError, quoteCell } from "./dataFileError.js";
import { fileSystemProblem } from "./fileBytes.js";

/** A CSV data file once read: features as numbers, labels as text, and where each row was. */
export interface CsvTable {
  /** The header's feature columns, in file order (the label column left out). */
  readonly featureNames: readonly string[];
  /** The label column's name. */
  readonly labelName: string;
  readonly rows: number;
  /** Row-major `rows × featureNames.length` features, every one finite. */
  readonly inputs: Float64Array;
  /** The label cell of each row, trimmed, never empty. */
  readonly labelCells: readonly string[];
  /** The file line (from 1, the header being line 1) on which each row ends. */
  readonly lines: Int32Array;
}

/** A plain decimal number, as a feature cell must be. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/** The value of a numeric cell, or `null` when the cell is not a plain decimal number. */
export function numericCell(cell: string): number | null {
  return NUMBER.test(cell) ? Number(cell) : null;
}

/** Whether a cell spells NaN/±Inf or a number too large for a double (`1e400`). */
export function isNonFiniteCell(cell: string): boolean {
  return NOT_FINITE.test(cell) || (NUMBER.test(cell) && !Number.isFinite(Number(cell)));
}

/** Why a cell is not a usable number (empty, NaN/Inf, overflow, or not a number at all). */
export function cellProblem(cell: string, what: string): string {
  if (cell === "") return `empty ${what}`;
  if (NOT_FINITE.test(cell)) return `${what} ${quoteCell(cell)}: NaN and infinite values are not allowed`;
  if (NUMBER.test(cell)) return `${what} ${quoteCell(cell)} is too large to be a finite double`;
  return `${what} ${quoteCell(cell)} is not a number`;
}

/** `line 7, column "x"`: where a cell is, for messages. */
export function cellWhere(line: number, column: string): string {
  return `line ${line}, column ${quoteCell(column)}`;
}

/** Checks the header: names present and distinct; returns the label column's index. */
function labelIndexOf(file: string, header: readonly string[], labelColumn: string | undefined): number {
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    if (name === "") throw new DataFileError(file, `column ${j + 1} has an empty name`, "line 1 (header)");
    const first = seen.get(name);
    if (first !== undefined) throw new DataFileError(file, `column name ${quoteCell(name)} appears twice (columns ${first + 1} and ${j + 1})`, "line 1 (header)");
    seen.set(name, j);
  });
  if (header.length < 2) {
    throw new DataFileError(file, `the header has ${header.length} column (${header.map(quoteCell).join(", ")}); a data file needs at least one feature column and a label column`, "line 1 (header)");
  }
  if (labelColumn === undefined) return header.length - 1;
  const j = seen.get(labelColumn);
  if (j === undefined) {
    throw new DataFileError(file, `no label column ${quoteCell(labelColumn)}; the columns are ${header.map((n) => quoteCell(n)).join(", ")}`, "line 1 (header)");
  }
  return j;
}

/** A growable row-major buffer of doubles (doubling), to read a file of unknown length. */
class RowBuffer {
  private data: Float64Array;
  private used = 0;
  constructor(private readonly width: number) {
    this.data = new Float64Array(Math.max(1, width) * 1024);
  }
  reserveRow(): number {
    if (this.used + this.width > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const at = this.used;
    this.used += this.width;
    return at;
  }
  set(at: number, v: number): void {
    this.data[at] = v;
  }
  finish(): Float64Array {
    return this.data.slice(0, this.used);
  }
}

/**
 * Reads a CSV data file from `stream` (its text). `labelColumn` names the label column
 * (default: the last one).
 * @throws DataFileError naming the file and the line and column of the first bad cell.
 */
export async function readCsv(file: string, stream: Readable, labelColumn?: string): Promise<CsvTable> {
  const parser = stream.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }));
  stream.on("error", (e) => parser.destroy(e));
  let header: string[] | null = null;
  let labelAt = -1;
  let buffer: RowBuffer | null = null;
  const labelCells: string[] = [];
  let lines = new Int32Array(1024);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (header === null) {
        header = record;
        labelAt = labelIndexOf(file, header, labelColumn);
        buffer = new RowBuffer(header.length - 1);
        continue;
      }
      if (record.length !== header.length) {
        throw new DataFileError(file, `${record.length} cells, but the header has ${header.length} columns (${header.map(quoteCell).join(", ")})`, `line ${info.lines}`);
      }
      const at = buffer!.reserveRow();
      let k = 0;
      for (let j = 0; j < record.length; j++) {
        const cell = record[j];
        if (j === labelAt) continue;
        const v = numericCell(cell);
        if (v === null || !Number.isFinite(v)) throw new DataFileError(file, cellProblem(cell, "feature"), cellWhere(info.lines, header[j]));
        buffer!.set(at + k++, v);
      }
      const label = record[labelAt];
      if (label === "") throw new DataFileError(file, "empty label", cellWhere(info.lines, header[labelAt]));
      if (labelCells.length === lines.length) {
        const more = new Int32Array(lines.length * 2);
        more.set(lines);
        lines = more;
      }
      lines[labelCells.length] = info.lines;
      labelCells.push(label);
    }
  } catch (e) {
    throw csvProblem(file, e);
  } finally {
    stream.destroy();
  }
  if (header === null) throw new DataFileError(file, "no header row (the file has only blank lines)");
  if (labelCells.length === 0) throw new DataFileError(file, `a header (${header.map(quoteCell).join(", ")}) but no data rows`);
  return {
    featureNames: header.filter((_, j) => j !== labelAt),
    labelName: header[labelAt],
    rows: labelCells.length,
    inputs: buffer!.finish(),
    labelCells,
    lines: lines.slice(0, labelCells.length),
  };
}

/** A parse, gzip or file-system error as a one-line {@link DataFileError}. */
function csvProblem(file: string, e: unknown): unknown {
  if (e instanceof DataFileError) return e;
  if (e instanceof CsvError) return new DataFileError(file, `malformed CSV: ${e.message}`);
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("Z_")) return new DataFileError(file, `is not valid gzip data (${(e as Error).message})`);
  return fileSystemProblem(file, e);
}
