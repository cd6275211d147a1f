/**
 * The explorer bundles library code directly: everything web/src loads at run time (following
 * value imports transitively, not `import type`) must be pure — no jax-js, no src/numerics,
 * no `node:` module — so the page keeps working as the library grows.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Value (run-time) import specifiers of a TypeScript file. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+["']([^"']+)["']/gm)) {
    if (m[2] === undefined) out.push(m[4]);
  }
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) out.push(m[1]);
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]);
  return out;
}

test("the page's run-time imports reach no jax-js, src/numerics or node: module", () => {
  const entries = readdirSync(join(ROOT, "web/src")).filter((f) => f.endsWith(".ts")).map((f) => join(ROOT, "web/src", f));
  const seen = new Set<string>();
  const problems: string[] = [];
  const packages = new Set<string>();
  const visit = (file: string, via: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of runtimeImports(file)) {
      const where = `${relative(ROOT, file)} (from ${via})`;
      if (spec.startsWith("node:") || spec.startsWith("@jax-js")) problems.push(`${where} imports ${spec}`);
      else if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
        if (relative(ROOT, target).startsWith("src/numerics")) problems.push(`${where} imports ${relative(ROOT, target)}`);
        if (target.endsWith(".ts")) visit(target, relative(ROOT, file));
      } else packages.add(spec);
    }
  };
  for (const e of entries) visit(e, "entry");
  expect(problems).toEqual([]);
  expect([...packages].sort()).toEqual(["vega", "vega-lite"]); // the only npm packages the page loads
  expect([...seen].some((f) => f.endsWith("src/diagrams/table.ts"))).toBe(true); // the engine is bundled, not reimplemented
});
