import type { PredictionResult, SimulationResult } from "./mainJob.js";

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
    if (m !== undefined && Number.isFinite(m.mean)) rows.push({ eta: r.eta, value: m.mean, low: m.mean - m.ci95, high: m.mean + m.ci95, source: "measured (SGD)" });
  });
  return rows;
}

/** Vega-Lite spec: predictions (lines with bands) and measurements (points with 95% bars) vs η. */
export function comparisonPlotSpec(p: PredictionResult, s: SimulationResult | null, order: number, title: string): object {
  const values = comparisonPlotRows(p, s, order);
  const label = p.quantity === "gap" ? "generalization gap" : `${p.quantity} loss`;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 520,
    height: 340,
    data: { values },
    encoding: {
      x: { field: "eta", type: "quantitative", title: `learning rate η (T = ${p.T})` },
      color: { field: "source", type: "nominal", title: null },
    },
    layer: [
      {
        transform: [{ filter: "datum.source !== 'measured (SGD)'" }],
        mark: { type: "area", opacity: 0.15 },
        encoding: { y: { field: "low", type: "quantitative", title: label, scale: { zero: false } }, y2: { field: "high" } },
      },
      {
        transform: [{ filter: "datum.source !== 'measured (SGD)'" }],
        mark: { type: "line", strokeWidth: 2 },
        encoding: { y: { field: "value", type: "quantitative", title: label } },
      },
      {
        transform: [{ filter: "datum.source === 'measured (SGD)'" }],
        mark: { type: "errorbar", ticks: true },
        encoding: { y: { field: "low", type: "quantitative", title: label }, y2: { field: "high" } },
      },
      {
        transform: [{ filter: "datum.source === 'measured (SGD)'" }],
        mark: { type: "point", filled: true, size: 40 },
        encoding: { y: { field: "value", type: "quantitative", title: label } },
      },
    ],
  };
}
