/**
 * Small Vega-Lite building blocks shared by the experiments: measured points with 95%
 * intervals, prediction lines, and the common frame. Specs carry their data inline.
 *
 * @module
 */
import { confidenceInterval95, type Estimate } from "../stats/estimate.js";
import { STYLE_CONFIG } from "./style.js";

/** A JSON-safe data row for a plot. */
export type PlotRow = Record<string, string | number | boolean | null>;

/** Common top-level fields. */
export function frame(title: string, width = 520, height = 320): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    config: STYLE_CONFIG,
  };
}

/** `value`, `lo`, `hi` (95% interval) of an estimate, for plot rows. */
export function interval(est: Estimate): { value: number; lo: number; hi: number; stderr: number } {
  const [lo, hi] = confidenceInterval95(est);
  return { value: est.value, lo, hi, stderr: est.stderr };
}

export interface AxisOptions {
  readonly field: string;
  readonly title: string;
  readonly scale?: Record<string, unknown>;
  /** Vega-Lite axis properties (e.g. a tick `format`). */
  readonly axis?: Record<string, unknown>;
}

function domainOf(axis: AxisOptions): [number, number] | null {
  const d = axis.scale?.domain;
  return Array.isArray(d) && d.length === 2 && typeof d[0] === "number" && typeof d[1] === "number" ? [d[0], d[1]] : null;
}

/**
 * Keeps marks inside a fixed y-domain: points outside are dropped, bars are clamped to it (and
 * dropped when wholly outside), line vertices farther than one domain-width outside are dropped.
 * (resvg aborts the process on marks that lie entirely outside their clip region, so clipping
 * alone is not enough.)
 */
export function clipToDomain(rows: readonly PlotRow[], y: AxisOptions, kind: "point" | "bar" | "line"): PlotRow[] {
  const d = domainOf(y);
  if (d === null) return [...rows];
  const [a, b] = d;
  const w = b - a;
  const num = (v: unknown) => (typeof v === "number" ? v : NaN);
  if (kind === "point") return rows.filter((r) => num(r[y.field]) >= a && num(r[y.field]) <= b);
  if (kind === "line") return rows.filter((r) => num(r[y.field]) >= a - w && num(r[y.field]) <= b + w);
  return rows
    .filter((r) => num(r.hi) >= a && num(r.lo) <= b)
    .map((r) => ({ ...r, lo: Math.max(a, num(r.lo)), hi: Math.min(b, num(r.hi)) }));
}

/** Measured points with vertical 95% bars (`lo`–`hi`), coloured by `series`. */
export function measuredLayers(rows: readonly PlotRow[], x: AxisOptions, y: AxisOptions, colour = "series"): object[] {
  const data = clipToDomain(rows, y, "point");
  const bars = clipToDomain(rows, y, "bar");
  const enc = {
    x: { field: x.field, type: "quantitative", title: x.title, ...(x.scale === undefined ? {} : { scale: x.scale }) },
    color: { field: colour, type: "nominal", title: null },
  };
  return [
    { data: { values: bars }, mark: { type: "rule", strokeWidth: 1.5, clip: true }, encoding: { ...enc, y: { field: "lo", type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }), ...(y.axis === undefined ? {} : { axis: y.axis }) }, y2: { field: "hi" } } },
    { data: { values: data }, mark: { type: "point", filled: true, size: 40, clip: true }, encoding: { ...enc, y: { field: y.field, type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }), ...(y.axis === undefined ? {} : { axis: y.axis }) } } },
  ];
}

/** Prediction curves: one line per `series`, optionally dashed by `dash`. */
export function lineLayer(rows: readonly PlotRow[], x: AxisOptions, y: AxisOptions, colour = "series", dashed = false): object {
  return {
    data: { values: clipToDomain(rows, y, "line") },
    mark: { type: "line", clip: true, strokeWidth: 1.8, ...(dashed ? { strokeDash: [6, 4] } : {}) },
    encoding: {
      x: { field: x.field, type: "quantitative", title: x.title, ...(x.scale === undefined ? {} : { scale: x.scale }) },
      y: { field: y.field, type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }), ...(y.axis === undefined ? {} : { axis: y.axis }) },
      color: { field: colour, type: "nominal", title: null },
    },
  };
}

/** A 95% band (`lo`–`hi`) as a translucent area, coloured by `series`. */
export function bandLayer(rows: readonly PlotRow[], x: AxisOptions, y: AxisOptions, colour = "series"): object {
  return {
    data: { values: clipToDomain(rows, y, "bar") },
    mark: { type: "area", opacity: 0.25, clip: true },
    encoding: {
      x: { field: x.field, type: "quantitative", title: x.title, ...(x.scale === undefined ? {} : { scale: x.scale }) },
      y: { field: "lo", type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }), ...(y.axis === undefined ? {} : { axis: y.axis }) },
      y2: { field: "hi" },
      color: { field: colour, type: "nominal", title: null },
    },
  };
}

/** Log-spaced points `lo … hi` (inclusive), `n ≥ 2`. */
export function logSpace(lo: number, hi: number, n: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: n }, (_, i) => Math.exp(a + ((b - a) * i) / (n - 1)));
}

/** Rounds for display: `sig` significant digits, as a string without exponent noise. */
export function fmt(x: number, sig = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return Number(x.toPrecision(sig)).toString();
  return x.toExponential(sig - 1);
}

/** A dashed vertical rule at the estimated radius of the η-series, labelled. */
export function radiusRule(radius: number, xTitle = "learning rate η"): object {
  return {
    data: { values: [{ eta: radius, label: `radius ≈ ${fmt(radius, 2)}` }] },
    layer: [
      { mark: { type: "rule", strokeDash: [4, 4], color: "#555" }, encoding: { x: { field: "eta", type: "quantitative", title: xTitle } } },
      { mark: { type: "text", align: "left", dx: 4, baseline: "top", color: "#555", y: 4 }, encoding: { x: { field: "eta", type: "quantitative", title: xTitle }, text: { field: "label" } } },
    ],
    description: "radius of the η-series",
  };
}
