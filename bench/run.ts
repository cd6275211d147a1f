/**
 * `npm run bench`: runs every benchmark group, prints one table per group and writes
 * `bench/results/<group>.json` (medians of repeated runs, measured in this run).
 * Select groups with `npm run bench -- diagrams series`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCHES, type BenchGroup } from "./groups.js";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const groups: BenchGroup[] = BENCHES.filter((g) => wanted.length === 0 || wanted.includes(g.name));
if (groups.length === 0) {
  console.error(`bench: unknown group(s) ${wanted.join(", ")}; groups: ${BENCHES.map((g) => g.name).join(", ")}`);
  process.exit(2);
}
mkdirSync(join(here, "results"), { recursive: true });
for (const g of groups) {
  console.log(`\n== ${g.name}: ${g.description}`);
  const rows = await g.run();
  const cols = Object.keys(rows[0] ?? {});
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  console.log(cols.map((c, j) => c.padStart(widths[j])).join("  "));
  for (const r of rows) console.log(cols.map((c, j) => String(r[c]).padStart(widths[j])).join("  "));
  const file = join(here, "results", `${g.name}.json`);
  writeFileSync(file, JSON.stringify({ group: g.name, description: g.description, date: new Date().toISOString(), node: process.version, rows }, null, 2));
  console.log(`saved ${file}`);
}
