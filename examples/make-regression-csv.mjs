// Writes a synthetic regression data set with a known answer: y = 2·x1 − x2 + 0.5 + noise,
// x1, x2 standard normal, noise normal with standard deviation 0.1 (seeded, reproducible).
//
//   node examples/make-regression-csv.mjs linear.csv [rows]
import { writeFileSync } from "node:fs";

const out = process.argv[2] ?? "linear.csv";
const rows = Number(process.argv[3] ?? 500);
let s = 12345;
const uniform = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const lines = ["x1,x2,y"];
for (let i = 0; i < rows; i++) {
  const x1 = normal();
  const x2 = normal();
  const y = 2 * x1 - x2 + 0.5 + 0.1 * normal();
  lines.push([x1, x2, y].map((v) => v.toFixed(6)).join(","));
}
writeFileSync(out, lines.join("\n") + "\n");
console.error(`wrote ${rows} rows to ${out}`);
