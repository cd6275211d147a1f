import { describe, expect, test } from "vitest";
import { renderSvg } from "./render.js";

/** Two series with intervals: enough for a coloured legend. */
const values = [
  { x: 1, y: 1, lo: 0.5, hi: 1.5, s: "a" },
  { x: 2, y: 2, lo: 1.5, hi: 2.5, s: "a" },
  { x: 1, y: 2, lo: 1.5, hi: 2.5, s: "b" },
  { x: 2, y: 3, lo: 2.5, hi: 3.5, s: "b" },
];
const x = { field: "x", type: "quantitative" };
const color = { field: "s", type: "nominal" };
const interval = { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color };
const centre = { x, y: { field: "y", type: "quantitative" }, color };
const pointsWithBars = [{ mark: "rule", encoding: interval }, { mark: "point", encoding: centre }];
const lineWithBand = [{ mark: { type: "area", opacity: 0.25 }, encoding: interval }, { mark: "line", encoding: centre }];

/** The opacities of the legend's symbols in a rendered SVG (none when there is no legend). */
function legendSymbolOpacities(svg: string): number[] {
  return [...svg.matchAll(/role-legend-symbol"[^>]*><path [^>]*opacity="([0-9.]+)"/g)].map((m) => Number(m[1]));
}

describe("house style: every coloured layered figure keeps one opaque legend", () => {
  for (const [name, spec] of [
    ["points with error bars", { data: { values }, layer: pointsWithBars }],
    ["error bars drawn after the points", { data: { values }, layer: [...pointsWithBars].reverse() }],
    ["points with error bars, faceted", { data: { values }, facet: { field: "s", type: "nominal" }, spec: { layer: pointsWithBars } }],
    ["a line with a translucent band", { data: { values }, layer: lineWithBand }],
    ["a line with a band, faceted", { data: { values }, facet: { field: "s", type: "nominal" }, spec: { layer: lineWithBand } }],
  ] as const) {
    test(name, async () => {
      const opacities = legendSymbolOpacities(await renderSvg(spec));
      expect(opacities).toHaveLength(2); // one symbol per series: the legend is there
      expect(opacities.every((o) => o === 1)).toBe(true);
    });
  }
});
