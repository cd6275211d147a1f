/**
 * `compare`'s figure: the loss vs η (predictions as lines with 95% bands, the measurement as
 * points with 95% bars) over a residual panel, every source minus the order-1 prediction, where
 * the main job's point can be seen: the higher orders follow the measurement's curvature that
 * order 1 misses.
 *
 * @module
 */
import { legendShapedByMark, lossTitle } from "../plot/style.js";
import type { PredictionResult, SimulationResult } from "./mainJob.js";

/** The label of the measured rows. */
const MEASURED = "measured (SGD)";

/** Long-format rows for the comparison figure (one row per η and source). */
export function comparisonPlotRows(p: PredictionResult, s: SimulationResult | null, order: number) {
  const rows: { eta: number; value: number; low: number; high: number; source: string }[] = [];
  p.rows.forEach((r, i) => {
    for (let k = 1; k <= order; k++) {
      const e = r.polynomial[k];
      rows.push({ eta: r.eta, value: e.value, low: e.value - 1.96 * e.stderr, high: e.value + 1.96 * e.stderr, source: `order ${k}` });
    }
    if (r.resummed !== null) rows.push({ eta: r.eta, value: r.resummed.value, low: r.resummed.value - 1.96 * r.resummed.stderr, high: r.resummed.value + 1.96 * r.resummed.stderr, source: "resummed" });
    if (Number.isFinite(r.ode.value)) rows.push({ eta: r.eta, value: r.ode.value, low: r.ode.lower, high: r.ode.upper, source: "ODE fit" });
    const m = s?.rows[i];
    if (m !== undefined && Number.isFinite(m.mean)) rows.push({ eta: r.eta, value: m.mean, low: m.mean - m.ci95, high: m.mean + m.ci95, source: MEASURED });
  });
  return rows;
}

/**
 * Rows of the residual panel: every source except order 1, minus the order-1 prediction at the
 * same η. The order-1 value is subtracted as a fixed reference, so each interval is the
 * source's own 95% interval, shifted.
 */
export function comparisonResidualRows(p: PredictionResult, s: SimulationResult | null, order: number) {
  const rows = comparisonPlotRows(p, s, order);
  const order1 = new Map(rows.filter((r) => r.source === "order 1").map((r) => [r.eta, r.value]));
  return rows
    .filter((r) => r.source !== "order 1" && order1.has(r.eta))
    .map((r) => {
      const ref = order1.get(r.eta) as number;
      return { ...r, value: r.value - ref, low: r.low - ref, high: r.high - ref };
    });
}

/** One panel: prediction bands and lines, measured points with error bars. */
function panel(values: readonly object[], x: object, yTitle: string, height: number, zeroRule: boolean): object {
  const y = (field: string) => ({ field, type: "quantitative", title: yTitle, scale: { zero: false } });
  const predicted = "datum.source !== '" + MEASURED + "'";
  const measured = "datum.source === '" + MEASURED + "'";
  return {
    width: 560,
    height,
    data: { values },
    encoding: { x, color: { field: "source", type: "nominal", title: null, legend: legendShapedByMark([MEASURED]) } },
    layer: [
      ...(zeroRule ? [{ data: { values: [{ zero: 0 }] }, mark: { type: "rule", color: "#888", strokeDash: [4, 3] }, encoding: { y: { field: "zero", type: "quantitative" }, color: { value: "#888" }, x: null } }] : []),
      { transform: [{ filter: predicted }], mark: { type: "area", opacity: 0.15 }, encoding: { y: y("low"), y2: { field: "high" } } },
      { transform: [{ filter: predicted }], mark: { type: "line", strokeWidth: 2 }, encoding: { y: y("value") } },
      { transform: [{ filter: measured }], mark: { type: "rule", strokeWidth: 1.5 }, encoding: { y: y("low"), y2: { field: "high" } } },
      { transform: [{ filter: measured }], mark: { type: "point", filled: true, size: 50, opacity: 1 }, encoding: { y: y("value") } },
    ],
  };
}

/**
 * Vega-Lite spec: the loss vs η over the residual panel (each source minus order 1); the x axis
 * is padded so the end points' bars are not clipped.
 */
export function comparisonPlotSpec(p: PredictionResult, s: SimulationResult | null, order: number, title: string): object {
  const values = comparisonPlotRows(p, s, order);
  const label = p.quantity === "gap" ? lossTitle("generalization gap") : lossTitle(`${p.quantity} loss`);
  const etas = p.rows.map((r) => r.eta);
  const span = Math.max(...etas) - Math.min(...etas) || Math.max(...etas) || 1;
  const x = { field: "eta", type: "quantitative", title: `learning rate η (T = ${p.T} steps)`, scale: { domain: [Math.min(0, ...etas), Math.max(...etas) + 0.04 * span], nice: false } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: title, subtitle: "lines: predictions (95% band); points: SGD measured (95% interval). Bottom: each minus the order-1 prediction" },
    vconcat: [panel(values, x, label, 300, false), panel(comparisonResidualRows(p, s, order), x, "minus order-1 prediction (nats)", 220, true)],
    resolve: { scale: { color: "shared" } },
  };
}
