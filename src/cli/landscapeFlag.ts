import { existsSync } from "node:fs";
import { readRegularFile } from "../harness/safeFile.js";
import { BUILTIN_LANDSCAPES, parsePolynomialLandscape, type PolynomialLandscape, UsageError } from "../index.js";
import { EXPERIMENTS } from "../figures/registry.js";
import { didYouMean } from "./suggest.js";

/**
 * Why `--landscape value` names nothing `command` can read, in one line: a built-in landscape
 * that only `series` takes, an experiment id (those run under `reproduce`), or a typo.
 */
function notALandscape(value: string, command: string): string {
  const builtins = Object.keys(BUILTIN_LANDSCAPES);
  const list = `built-in landscapes: ${builtins.join(", ")}`;
  const asExperiment = EXPERIMENTS.some((e) => e.id === value) ? `; ${value} is also an experiment: sgd-diagrams reproduce ${value}` : "";
  if (builtins.includes(value)) {
    return `--landscape ${value}: ${command} needs a polynomial landscape JSON file (a finite population of polynomial losses); ${value} is a built-in landscape, which only series takes (sgd-diagrams series --landscape ${value} …)${asExperiment}`;
  }
  const kind = command === "series" ? "a polynomial landscape JSON file or a built-in landscape" : "a polynomial landscape JSON file";
  const why = asExperiment !== "" ? `${value} is a reproduce experiment, not a landscape (sgd-diagrams reproduce ${value})` : `no such file${didYouMean(value, builtins)}`;
  return `--landscape ${JSON.stringify(value)}: ${command} needs ${kind}; ${why} (${list})`;
}

/** Cap on a landscape file: 16 MiB (a polynomial landscape is a few kilobytes). */
const MAX_LANDSCAPE_BYTES = 16 * 1024 * 1024;

/** Reads `--landscape <file.json>` into a polynomial landscape (user mistakes → UsageError). */
export function polynomialLandscapeFromFlag(value: string | undefined, command: string): { name: string; landscape: PolynomialLandscape } {
  if (value === undefined) throw new UsageError(`--landscape is required (a polynomial landscape JSON file${command === "series" ? " or a built-in landscape" : ""})`);
  if (!existsSync(value)) throw new UsageError(notALandscape(value, command));
  const text = readRegularFile(value, "--landscape", MAX_LANDSCAPE_BYTES); // /dev/zero, a FIFO, a folder → one line
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${value}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return { name: value, landscape: parsePolynomialLandscape(json, value) };
}
