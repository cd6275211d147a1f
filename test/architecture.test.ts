/**
 * Enforces the module DAG of the architecture (with `schedule/`, the schedule types,
 * as a layer below `diagrams` that the oracle and simulators can share): every
 * `import … from` under src/ is checked against the table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const NODE_BUILTINS = new Set(builtinModules);

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");

const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  algebra: ["errors"],
  combinatorics: ["errors", "algebra"],
  schedule: ["errors", "algebra"],
  diagrams: ["errors", "algebra", "combinatorics", "schedule"],
  stats: ["errors"],
  numerics: ["errors", "stats", "@jax-js/jax", "@petamoriken/float16"],
  // Models take a user's data set as `data/`'s TabularData (the readers' contract).
  landscapes: ["errors", "algebra", "schedule", "stats", "numerics", "data"],
  simulate: ["errors", "stats", "schedule", "numerics", "landscapes"],
  predict: ["errors", "algebra", "schedule", "diagrams", "stats", "numerics", "landscapes"],
  plot: ["errors", "stats", "vega", "vega-lite", "@resvg/resvg-js"],
  // The user's data files (CSV, NPY, IDX) read into TabularData; below the harness.
  data: ["errors", "papaparse", "npyjs"],
  // The one harness: models, paired runs, checkpoints, control variates, output.
  harness: ["errors", "algebra", "schedule", "diagrams", "stats", "numerics", "landscapes", "simulate", "predict", "plot", "data"],
  // The main job: one experiment of the harness.
  mainJob: ["errors", "algebra", "schedule", "diagrams", "stats", "numerics", "landscapes", "simulate", "predict", "plot", "data", "harness"],
  // One file per paper figure, on the harness.
  figures: ["errors", "algebra", "combinatorics", "schedule", "diagrams", "stats", "numerics", "landscapes", "simulate", "predict", "plot", "data", "harness", "mainJob"],
  cli: ["index", "harness", "mainJob", "figures", "plot", "data", "cli-progress", "sirv", "open"],
  // The exact-core entry point (the package's "./engine" export): nothing but the exact layers.
  engine: ["errors", "algebra", "combinatorics", "schedule", "diagrams"],
  index: ["engine", "errors", "algebra", "combinatorics", "schedule", "diagrams", "stats", "numerics", "landscapes", "simulate", "predict", "plot", "data", "harness", "mainJob", "figures"],
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

/** The exact core bundles for browsers: it may load no `node:` module (nor a bare Node built-in). */
const NODE_FREE = ["errors", "algebra", "combinatorics", "schedule", "diagrams", "engine"];

test("the exact core imports no node: module", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    if (!NODE_FREE.includes(moduleOf(file))) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0])) violations.push(`${relative(SRC, file)}: ${spec}`);
    }
  }
  expect(violations).toEqual([]);
});

test("the node: rule sees a node: import (the check can fail)", () => {
  const probe = 'import { readFileSync } from "node:fs";\nimport x from "fs";';
  const specs = [...probe.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']/g)].map((m) => m[1]);
  expect(specs.filter((s) => s.startsWith("node:") || NODE_BUILTINS.has(s))).toEqual(["node:fs", "fs"]);
});
