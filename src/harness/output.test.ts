import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { reportHtml, toCsv, writeExperimentOutputs } from "./output.js";
import { judge } from "./verdict.js";

describe("experiment outputs", () => {
  test("CSV: union of keys, quoting, empty cells for missing and null", () => {
    expect(toCsv([{ a: 1, b: "x,y" }, { a: null, c: 'q"t' }, { b: Infinity }])).toBe('a,b,c\n1,"x,y",\n,,"q""t"\n,Infinity,\n');
  });
  test("writes data, CSV, verdict and figures (Vega-Lite and ready-made SVG), and the report links them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "out-"));
    const spec = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] }, mark: "line", encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } };
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/></svg>';
    const w = await writeExperimentOutputs(
      { id: "demo", title: "A demo", figure: "figure 0" },
      { id: "demo", rows: [{ x: 1 }], plots: [{ name: "line", spec, caption: "The line should rise." }, { name: "drawn", spec: {}, svg, caption: "A red box." }], verdict: "fine <ok>", ...judge("demo claim", [{ criterion: "x = 1", pass: true, main: true }, { criterion: "y > 0", pass: false, main: false }]) },
      dir,
      { command: "npx sgd-diagrams reproduce demo", seconds: 1.5 },
    );
    for (const f of ["data.json", "data.csv", "verdict.txt", "line.svg", "line.png", "drawn.svg", "drawn.png"]) expect(existsSync(join(dir, "demo", f)), f).toBe(true);
    expect(readFileSync(join(dir, "demo", "verdict.txt"), "utf8")).toBe("PARTIAL — demo claim: ✓ x = 1; ✗ y > 0 (secondary)\nfine <ok>\n");
    expect(readFileSync(join(dir, "demo", "drawn.svg"), "utf8")).toBe(svg);
    expect(readFileSync(join(dir, "demo", "line.svg"), "utf8")).toMatch(/^<svg/);
    expect(readFileSync(join(dir, "demo", "line.png")).subarray(1, 4).toString()).toBe("PNG");
    const json = JSON.parse(readFileSync(join(dir, "demo", "data.json"), "utf8"));
    expect(json).toMatchObject({ id: "demo", status: "PARTIAL", pass: false, partial: false, rows: [{ x: 1 }], command: "npx sgd-diagrams reproduce demo" });
    expect(json.headline).toBe("PARTIAL — demo claim: ✓ x = 1; ✗ y > 0 (secondary)");
    const html = reportHtml([w, { ...w, id: "other", status: "NOT REPRODUCED", pass: false }], { command: "npx sgd-diagrams reproduce all" });
    expect(html).toContain('<img src="demo/line.svg"');
    expect(html).toContain("fine &lt;ok&gt;");
    expect(html).toContain("npx sgd-diagrams reproduce demo");
    // The index shows each experiment's status and its claim line; captions, not file names, under figures.
    expect(html).toContain('<span class="badge partial">partial</span></td><td>demo claim: ✓ x = 1; ✗ y &gt; 0 (secondary)</td>');
    expect(html).toContain('<span class="badge fail">not reproduced</span>');
    expect(html).toContain("<figcaption>The line should rise. ");
    expect(html).not.toMatch(/<script/);
  });
});
