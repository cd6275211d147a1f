import { existsSync } from "node:fs";
import { readRegularFile } from "../harness/safeFile.js";
import { parsePolynomialLandscape, type PolynomialLandscape, UsageError } from "../index.js";

/** Cap on a landscape file: 16 MiB (a polynomial landscape is a few kilobytes). */
const MAX_LANDSCAPE_BYTES = 16 * 1024 * 1024;

/** Reads `--landscape <file.json>` into a polynomial landscape (user mistakes → UsageError). */
export function polynomialLandscapeFromFlag(value: string | undefined): { name: string; landscape: PolynomialLandscape } {
  if (value === undefined) throw new UsageError("--landscape is required (a polynomial landscape JSON file or a built-in name)");
  if (!existsSync(value)) {
    throw new UsageError(`--landscape ${JSON.stringify(value)}: no such file and not a built-in landscape (gauss-fit, cubic-chi, helix, mean-estimation)`);
  }
  const text = readRegularFile(value, "--landscape", MAX_LANDSCAPE_BYTES); // /dev/zero, a FIFO, a folder → one line
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${value}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return { name: value, landscape: parsePolynomialLandscape(json, value) };
}
