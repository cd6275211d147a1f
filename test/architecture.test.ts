/**
 * Enforces the module DAG of architecture.md §2 (with `schedule/`, the schedule types,
 * as a layer below `diagrams` that the oracle and simulators can share): every
 * `import … from` under src/ is checked against the table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");

const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  algebra: ["errors"],
  combinatorics: ["errors", "algebra"],
  schedule: ["errors", "algebra"],
  diagrams: ["errors", "algebra", "combinatorics", "schedule"],
  stats: ["errors"],
  numerics: ["errors", "stats", "@jax-js/jax", "@petamoriken/float16"],
  landscapes: ["errors", "algebra", "schedule", "stats", "numerics"],
  simulate: ["errors", "stats", "schedule", "numerics", "landscapes"],
  predict: ["errors", "algebra", "schedule", "diagrams", "stats", "numerics", "landscapes"],
  plot: ["errors", "vega", "vega-lite", "@resvg/resvg-js"],
  experiments: ["errors", "algebra", "combinatorics", "schedule", "diagrams", "stats", "numerics", "landscapes", "simulate", "predict", "plot"],
  cli: ["index", "experiments", "plot", "cli-progress", "sirv", "open"],
  index: ["errors", "algebra", "combinatorics", "schedule", "diagrams", "stats", "numerics", "landscapes", "simulate", "predict", "plot", "experiments"],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

function moduleOf(file: string): string {
  const rel = relative(SRC, file).split("/");
  return rel.length === 1 ? rel[0].replace(/\.ts$/, "") : rel[0];
}

test("imports respect the module DAG", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = moduleOf(file);
    const allowed = ALLOWED[from];
    if (allowed === undefined) {
      violations.push(`${relative(SRC, file)}: module "${from}" is not in the table`);
      continue;
    }
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2];
      let to: string;
      if (spec.startsWith(".")) to = moduleOf(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else if (spec.startsWith("node:")) continue;
      else to = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (to === from) continue;
      if (!allowed.includes(to)) violations.push(`${relative(SRC, file)}: ${from} → ${to}`);
    }
  }
  expect(violations).toEqual([]);
});

test("only numerics imports jax-js, and exact layers load no npm package", () => {
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    if (/from\s+["']@jax-js\/jax["']|import\(\s*["']@jax-js\/jax["']/.test(text)) expect(moduleOf(file), file).toBe("numerics");
  }
});
