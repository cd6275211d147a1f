/**
 * Small Vega-Lite building blocks shared by the experiments: measured points with 95%
 * intervals, prediction lines, and the common frame. Specs carry their data inline.
 *
 * @module
 */
import { confidenceInterval95, type Estimate } from "../stats/estimate.js";

/** A JSON-safe data row for a plot. */
export type PlotRow = Record<string, string | number | boolean | null>;

/** Common top-level fields. */
export function frame(title: string, width = 520, height = 320): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    config: { font: "DejaVu Sans, sans-serif", axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 320 } },
  };
}

/** `value`, `lo`, `hi` (95% interval) of an estimate, for plot rows. */
export function interval(est: Estimate): { value: number; lo: number; hi: number; stderr: number } {
  const [lo, hi] = confidenceInterval95(est);
  return { value: est.value, lo, hi, stderr: est.stderr };
}

interface AxisOptions {
  readonly field: string;
  readonly title: string;
  readonly scale?: Record<string, unknown>;
}

/** Measured points with vertical 95% bars (`lo`–`hi`), coloured by `series`. */
export function measuredLayers(data: readonly PlotRow[], x: AxisOptions, y: AxisOptions, colour = "series"): object[] {
  const enc = {
    x: { field: x.field, type: "quantitative", title: x.title, ...(x.scale === undefined ? {} : { scale: x.scale }) },
    color: { field: colour, type: "nominal", title: null },
  };
  return [
    { data: { values: data }, mark: { type: "rule", strokeWidth: 1.5, clip: true }, encoding: { ...enc, y: { field: "lo", type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }) }, y2: { field: "hi" } } },
    { data: { values: data }, mark: { type: "point", filled: true, size: 40, clip: true }, encoding: { ...enc, y: { field: y.field, type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }) }, shape: { field: colour, type: "nominal", title: null } } },
  ];
}

/** Prediction curves: one line per `series`, optionally dashed by `dash`. */
export function lineLayer(data: readonly PlotRow[], x: AxisOptions, y: AxisOptions, colour = "series", dashed = false): object {
  return {
    data: { values: data },
    mark: { type: "line", clip: true, strokeWidth: 1.8, ...(dashed ? { strokeDash: [6, 4] } : {}) },
    encoding: {
      x: { field: x.field, type: "quantitative", title: x.title, ...(x.scale === undefined ? {} : { scale: x.scale }) },
      y: { field: y.field, type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }) },
      color: { field: colour, type: "nominal", title: null },
    },
  };
}

/** A 95% band (`lo`–`hi`) as a translucent area, coloured by `series`. */
export function bandLayer(data: readonly PlotRow[], x: AxisOptions, y: AxisOptions, colour = "series"): object {
  return {
    data: { values: data },
    mark: { type: "area", opacity: 0.25, clip: true },
    encoding: {
      x: { field: x.field, type: "quantitative", title: x.title, ...(x.scale === undefined ? {} : { scale: x.scale }) },
      y: { field: "lo", type: "quantitative", title: y.title, ...(y.scale === undefined ? {} : { scale: y.scale }) },
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
