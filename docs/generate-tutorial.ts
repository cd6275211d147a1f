/** Rewrites docs/tutorial.md and docs/tutorial/*.svg: `npx tsx docs/generate-tutorial.ts`. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tutorial } from "../src/figures/tutorial.js";

const here = dirname(fileURLToPath(import.meta.url));
const { markdown, files } = tutorial();
writeFileSync(join(here, "tutorial.md"), markdown);
for (const [name, text] of files) {
  mkdirSync(dirname(join(here, name)), { recursive: true });
  writeFileSync(join(here, name), text);
}
console.log(`wrote docs/tutorial.md and ${files.size} pictures`);
