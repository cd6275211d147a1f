/**
 * Plot building blocks of the real-data experiments: panels of measured points with 95%
 * bars and prediction lines, arranged in grids; scatter plots with equal axes.
 *
 * @module
 */
import { bandLayer, lineLayer, measuredLayers, type PlotRow } from "./plotSpecs.js";
import { paddedDomain, STYLE_CONFIG } from "./style.js";

/** Top-level fields of a concatenated figure. */
export function figure(title: string, body: Record<string, unknown>): object {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    config: STYLE_CONFIG,
    ...body,
  };
}

/** Panels laid out `columns` per row. */
export function grid(title: string, panels: readonly object[], columns: number): object {
  const rows: object[][] = [];
  panels.forEach((p, i) => (i % columns === 0 ? rows.push([p]) : rows[rows.length - 1].push(p)));
  return figure(title, { vconcat: rows.map((r) => ({ hconcat: r })) });
}

/** One panel: measured points (`value`, `lo`, `hi`, `series`), prediction lines (`value`, `series`), optional bands. */
export function curvePanel(
  title: string,
  x: { field: string; title: string; log?: boolean },
  yTitle: string,
  measuredRows: readonly PlotRow[],
  predictedRows: readonly PlotRow[],
  bandRows: readonly PlotRow[] = [],
  size: { width: number; height: number } = { width: 300, height: 220 },
): object {
  const domain = paddedDomain([...measuredRows, ...predictedRows].map((r) => Number(r[x.field])), x.log === true);
  const xs = { field: x.field, title: x.title, scale: { ...(x.log === true ? { type: "log" } : {}), ...(domain === undefined ? {} : { domain, nice: false }) } };
  // Tiny values (differences of ~1e−5 nats) in exponent form: as decimals their ticks read 0.00005.
  const magnitude = Math.max(0, ...[...measuredRows, ...predictedRows, ...bandRows].flatMap((r) => [r.value, r.lo, r.hi].map((v) => Math.abs(Number(v)))).filter(Number.isFinite));
  const y = { field: "value", title: yTitle, scale: { zero: false }, ...(magnitude > 0 && magnitude < 1e-3 ? { axis: { format: "~e" } } : {}) };
  const layers: object[] = [];
  if (bandRows.length > 0) layers.push(bandLayer(bandRows, xs, y));
  if (predictedRows.length > 0) layers.push(lineLayer(predictedRows, xs, y));
  if (measuredRows.length > 0) layers.push(...measuredLayers(measuredRows, xs, y));
  return { title, ...size, layer: layers };
}

/** Scatter of `x` vs `y` (with `xlo..xhi`, `ylo..yhi` error bars) on equal axes with the lines y = x and y = 0. */
export function equalAxesScatter(title: string, rows: readonly PlotRow[], xTitle: string, yTitle: string, colour = "series"): Record<string, unknown> {
  const vals = rows.flatMap((r) => [r.x, r.xlo, r.xhi, r.y, r.ylo, r.yhi].map(Number)).filter(Number.isFinite);
  const lo = Math.min(0, ...vals);
  const hi = Math.max(0, ...vals);
  const pad = 0.05 * (hi - lo || 1);
  const domain = [lo - pad, hi + pad];
  const scale = { domain };
  const ref = [
    { x: domain[0], y: domain[0], line: "y = x (GDC no better than GD)" },
    { x: domain[1], y: domain[1], line: "y = x (GDC no better than GD)" },
    { x: domain[0], y: 0, line: "y = 0 (GDC = SGD)" },
    { x: domain[1], y: 0, line: "y = 0 (GDC = SGD)" },
  ];
  const enc = (f: string, t: string) => ({ field: f, type: "quantitative", title: t, scale });
  return {
    title,
    width: 380,
    height: 380,
    layer: [
      { data: { values: ref }, mark: { type: "line", strokeDash: [4, 3], color: "#888" }, encoding: { x: enc("x", xTitle), y: enc("y", yTitle), detail: { field: "line", type: "nominal" } } },
      { data: { values: rows }, mark: { type: "rule", opacity: 0.5 }, encoding: { x: enc("xlo", xTitle), x2: { field: "xhi" }, y: enc("y", yTitle), color: { field: colour, type: "nominal", title: null } } },
      { data: { values: rows }, mark: { type: "rule", opacity: 0.5 }, encoding: { y: enc("ylo", yTitle), y2: { field: "yhi" }, x: enc("x", xTitle), color: { field: colour, type: "nominal", title: null } } },
      { data: { values: rows }, mark: { type: "point", filled: true, size: 45 }, encoding: { x: enc("x", xTitle), y: enc("y", yTitle), color: { field: colour, type: "nominal", title: null } } },
    ],
  };
}
