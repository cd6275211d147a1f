import { existsSync, readFileSync } from "node:fs";
import { parsePolynomialLandscape, type PolynomialLandscape, UsageError } from "../index.js";

/** Reads `--landscape <file.json>` into a polynomial landscape (user mistakes → UsageError). */
export function polynomialLandscapeFromFlag(value: string | undefined): { name: string; landscape: PolynomialLandscape } {
  if (value === undefined) throw new UsageError("--landscape is required (a polynomial landscape JSON file or a built-in name)");
  if (!existsSync(value)) {
    throw new UsageError(`--landscape ${JSON.stringify(value)}: no such file and not a built-in landscape (gauss-fit, cubic-chi, helix, mean-estimation)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(value, "utf8"));
  } catch (e) {
    throw new UsageError(`${value}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return { name: value, landscape: parsePolynomialLandscape(json, value) };
}
