/**
 * The one error of the data readers: a file the user named is missing, unreadable or malformed.
 * One line, `<file>: [<where>: ]<problem>`, so the user can open the file at the right place;
 * a {@link UsageError}, which the CLI prints without a stack trace and exits with code 2.
 *
 * @module
 */
import { UsageError } from "../errors.js";

export class DataFileError extends UsageError {
  constructor(
    /** The file as the user named it. */
    readonly file: string,
    /** What is wrong (one line). */
    readonly problem: string,
    /** Where in the file, e.g. `line 7, column "x"` or `element [3, 17]`; empty for the whole file. */
    readonly where = "",
  ) {
    super(`${file}: ${where === "" ? "" : `${where}: `}${oneLine(problem)}`);
  }
}

/** Collapses line breaks (e.g. from a library's message or a quoted cell) so the message stays one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** A cell or label as it appears in a message: quoted, and cut short when long. */
export function quoteCell(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
