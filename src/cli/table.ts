import { HELP_WIDTH, wrap } from "./help.js";

/** A plain-text table with aligned columns (numbers right-aligned). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // A loop, not Math.max(...rows): a spread of 100 000+ rows overflows the call stack.
  const widths = header.map((h, j) => rows.reduce((w, r) => Math.max(w, (r[j] ?? "").length), h.length));
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => /^-?[\d./e+-]+$/.test(r[j] ?? "")));
  const fmt = (r: readonly string[]) =>
    r.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join("  ").trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n") + "\n";
}

/** A heading above a table, wrapped to the CLI's 100 columns, with its newline. */
export function titleLine(text: string): string {
  return wrap(text, HELP_WIDTH) + "\n";
}
