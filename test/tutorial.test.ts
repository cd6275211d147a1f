/** docs/tutorial.md is generated: regenerating it must give the same text and pictures. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { tutorial } from "../src/figures/tutorial.js";

const DOCS = join(dirname(fileURLToPath(import.meta.url)), "..", "docs");

test("docs/tutorial.md and its pictures match what the tool computes (regenerate: npx tsx docs/generate-tutorial.ts)", () => {
  const { markdown, files } = tutorial();
  expect(readFileSync(join(DOCS, "tutorial.md"), "utf8")).toBe(markdown);
  for (const [name, text] of files) expect(readFileSync(join(DOCS, name), "utf8"), name).toBe(text);
  // Every picture the text refers to is generated.
  for (const m of markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(files.has(m[1]), m[1]).toBe(true);
  // The worked numbers agree with the closed forms they illustrate.
  expect(markdown).toContain("coefficient **-3**");
  expect(markdown).toMatch(/E\[J\[g_x,g_x,g_x\]\].*-48/);
});
