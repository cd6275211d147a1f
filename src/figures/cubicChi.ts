/**
 * Figure 5, non-Gaussian noise (docs/theory.md#cubic-chi): on `l_x(w) = w³ − w(x² − 1)` only the
 * skewness diagram survives at order 3, `E l(w_T) = 8Tη³ + O(η⁵)`, while any Gaussian-noise
 * approximation predicts 0. The engine's exact series to order 7–9 closes the gap at larger
 * `η`, and the growth of its coefficients gives the radius of the η-series, beyond which the
 * truncated series stops tracking the simulation.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { resummedSkewness } from "../predict/index.js";
import { sgdOneDim } from "../simulate/oneDimSgd.js";
import { Rng } from "../stats/rng.js";
import { Checkpoint, runChunksAsync } from "../harness/checkpoint.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import { cubicChiModel, oneDimMoments } from "../predict/oneDimModels.js";
import { estimateRadius, evaluatePolynomial, oneDimSeries } from "../predict/oneDimSeries.js";
import { estimateFromSums, mergeSums, sumsOf } from "../stats/sums.js";
import { fmt, frame, interval, lineLayer, logSpace, measuredLayers, type PlotRow, radiusRule } from "../plot/plotSpecs.js";
import { interrupted, judge, type Judgement } from "../harness/verdict.js";

/** Sizes of the cubic-chi experiment. */
export interface CubicChiSizes {
  readonly T: number;
  /** The paper's learning rates (the verdict's table). */
  readonly etas: readonly number[];
  /** Larger learning rates, to find where the truncated series stops tracking. */
  readonly scan: readonly number[];
  readonly runs: number;
  readonly chunk: number;
  /** Highest order of the engine's exact series. */
  readonly order: number;
}

export const CUBIC_CHI_SIZES: { readonly quick: CubicChiSizes; readonly full: CubicChiSizes } = {
  quick: { T: 4, etas: [0.005, 0.01, 0.02, 0.05], scan: [0.075, 0.1, 0.15, 0.2], runs: 25_000, chunk: 25_000, order: 7 },
  full: { T: 4, etas: [0.005, 0.01, 0.02, 0.05], scan: [0.075, 0.1, 0.15, 0.2], runs: 250_000, chunk: 50_000, order: 9 },
};

export interface Measured {
  readonly eta: number;
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
  readonly stderr: number;
}

type Radius = ReturnType<typeof estimateRadius>;

/** The measured rows (with the Gaussian 0, the skewness diagram and each odd order), the exact coefficients and the radius. */
export function cubicChiRows(measured: readonly Measured[], coeffs: readonly number[], coeffStrings: readonly string[], moments: ReturnType<typeof oneDimMoments>, S: CubicChiSizes, orders: readonly number[], radius: Radius): PlotRow[] {
  // Predictions: order 3 from the library's skewness diagram with the measured S, J (and
  // from the engine's c3), then the engine's truncated series of every odd order.
  const S3 = moments.S.toNumber();
  const J3 = moments.J.toNumber();
  const H = moments.H.toNumber();
  const rows: PlotRow[] = [];
  for (const m of measured) {
    const skew = resummedSkewness([[[S3]]], [[[J3]]], [[H]], m.eta, S.T);
    const row: PlotRow = { kind: "measured", eta: m.eta, T: S.T, runs: S.runs, loss: m.value, lo: m.lo, hi: m.hi, stderr: m.stderr, gaussian: 0, skewness_diagram: skew };
    for (const d of orders) row[`order${d}`] = evaluatePolynomial(coeffs, m.eta, d);
    rows.push(row);
  }
  coeffStrings.forEach((c, d) => rows.push({ kind: "coefficient", order: d, coefficient: c, value: coeffs[d] }));
  rows.push({ kind: "radius", ratio: radius.ratio, root: radius.root, fit: radius.fit, orders: radius.orders.join(" ") });
  return rows;
}

/** The claim cubic-chi's verdict judges. */
const CUBIC_CHI_CLAIM = "non-Gaussian noise changes the loss at η³ (8Tη³), which Gaussian noise misses";

/** Gaussian 0 outside every interval, order 3 inside for η ≤ 0.01, the top order inside at the main η; how far the top order tracks the scan. */
export function cubicChiVerdict(measured: readonly Measured[], coeffs: readonly number[], coeffStrings: readonly string[], S: CubicChiSizes, orders: readonly number[], radius: Radius): Judgement & { verdict: string; tracksUpTo: number } {
  const inside = (m: Measured, v: number) => v >= m.lo && v <= m.hi;
  const top = orders[orders.length - 1];
  const main = measured.filter((m) => S.etas.includes(m.eta));
  const order3Small = main.filter((m) => m.eta <= 0.01 + 1e-12).every((m) => inside(m, evaluatePolynomial(coeffs, m.eta, 3)));
  const gaussOut = main.every((m) => !inside(m, 0));
  const topInside = main.every((m) => inside(m, evaluatePolynomial(coeffs, m.eta, top)));
  // Largest scanned η up to which the highest-order truncation stays inside every interval.
  let tracksUpTo = 0;
  for (const m of measured) {
    if (inside(m, evaluatePolynomial(coeffs, m.eta, top))) tracksUpTo = m.eta;
    else break;
  }
  const mark = (m: Measured, d: number) => `${fmt(evaluatePolynomial(coeffs, m.eta, d), 3)}${inside(m, evaluatePolynomial(coeffs, m.eta, d)) ? " (in)" : " (out)"}`;
  const table = main.map((m) => `η=${m.eta}: ${fmt(m.value, 3)} ± ${fmt(m.hi - m.value, 2)} vs 8Tη³ = ${mark(m, 3)}, order ${top} ${mark(m, top)}`).join("; ");
  const nonzero = coeffStrings.map((c, d) => ({ c, d })).filter((x) => x.c !== "0").map((x) => `c${x.d} = ${x.c}`);
  const verdict =
    `T = N = ${S.T}, ${S.runs} runs: ${table}. Gaussian approximation (0) outside every interval: ${gaussOut ? "yes" : "no"}; ` +
    `order 3 inside for η ≤ 0.01: ${order3Small ? "yes" : "no"}; engine's order-${top} series inside at all four η: ${topInside ? "yes" : "no"}. ` +
    `Exact series: ${nonzero.join(", ")} (even orders vanish: w_T is odd in η). Radius of the η-series ≈ ${fmt(radius.ratio, 3)} (ratio test; root test ${fmt(radius.root, 3)}); ` +
    `the order-${top} truncation tracks the simulation up to η = ${tracksUpTo} and fails beyond.`;
  const small = main.filter((m) => m.eta <= 0.01 + 1e-12).length;
  const checks = [
    { criterion: `the Gaussian approximation 0 lies outside the 95% interval at all ${main.length} η`, pass: gaussOut, main: true },
    { criterion: `the skewness term 8Tη³ lies inside it at the ${small} η ≤ 0.01`, pass: order3Small, main: true },
    { criterion: `the engine's order-${top} series inside at all ${main.length} η`, pass: topInside, main: false },
  ];
  return { verdict, ...judge(CUBIC_CHI_CLAIM, checks), tracksUpTo };
}

/** Test loss / η³ against η: measured points, the Gaussian 0 and each odd-order truncation, and the radius. */
function cubicChiLossPlot(measured: readonly Measured[], coeffs: readonly number[], S: CubicChiSizes, orders: readonly number[], radius: Radius): object {
  const etaGrid = logSpace(0.004, Math.max(...measured.map((m) => m.eta)) * 1.05, 80);
  const lines: PlotRow[] = [];
  for (const eta of etaGrid) {
    lines.push({ eta, value: 0, series: "Gaussian noise: 0" });
    for (const d of orders) lines.push({ eta, value: evaluatePolynomial(coeffs, eta, d) / eta ** 3, series: d === 3 ? "order 3: 8Tη³ (skewness)" : `engine, order ${d}` });
  }
  const pts: PlotRow[] = measured.map((m) => ({ eta: m.eta, value: m.value / m.eta ** 3, lo: m.lo / m.eta ** 3, hi: m.hi / m.eta ** 3, series: "SGD (95% CI)" }));
  const x = { field: "eta", title: "learning rate η", scale: { type: "log", domain: [etaGrid[0], etaGrid[etaGrid.length - 1]], nice: false } };
  const y = { field: "value", title: "E[test loss] / η³", scale: { domain: [-20, 50] } };
  return {
    ...frame(`Cubic-chi, T = ${S.T}: test loss / η³ (the radius of the series is ≈ ${fmt(radius.ratio, 2)})`, 560, 340),
    layer: [lineLayer(lines, x, y), ...measuredLayers(pts, x, y), radiusRule(radius.ratio)],
  };
}

/** `log10 |c_d|` against the order, with the growth the radius implies. */
function cubicChiCoefficientPlot(coeffs: readonly number[], S: CubicChiSizes, radius: Radius): object {
  const coeffRows: PlotRow[] = coeffs.map((c, d) => ({ order: d, log10: c === 0 ? null : Math.log10(Math.abs(c)), sign: c > 0 ? "positive" : c < 0 ? "negative" : "zero" })).filter((r) => r.log10 !== null);
  const lastNonZero = coeffRows[coeffRows.length - 1];
  const growth = [3, S.order].map((d) => ({ order: d, log10: (lastNonZero.log10 as number) + (d - (lastNonZero.order as number)) * -Math.log10(radius.ratio) }));
  return {
    ...frame(`Exact η-series coefficients |c_d| (T = ${S.T}): growth ⇒ radius ≈ ${fmt(radius.ratio, 3)}`, 420, 280),
    layer: [
      { data: { values: growth }, mark: { type: "line", strokeDash: [4, 4], color: "#777" }, encoding: { x: { field: "order", type: "quantitative", title: "order d" }, y: { field: "log10", type: "quantitative", title: "log10 |c_d|" } } },
      {
        data: { values: coeffRows },
        mark: { type: "point", filled: true, size: 80 },
        encoding: {
          x: { field: "order", type: "quantitative", title: "order d", scale: { domain: [0, S.order + 1] } },
          y: { field: "log10", type: "quantitative", title: "log10 |c_d|" },
          color: { field: "sign", type: "nominal", title: "sign of c_d" },
        },
      },
    ],
  };
}

export function makeCubicChiExperiment(sizes: { quick: CubicChiSizes; full: CubicChiSizes } = CUBIC_CHI_SIZES): Experiment {
  return {
    id: "cubic-chi",
    title: "Non-Gaussian noise: measured loss vs the skewness diagram 8Tη³, the Gaussian approximation 0, and the engine's higher orders",
    figure: "figures 3 and 5 (docs/theory.md#cubic-chi)",
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const S = ctx.quick ? sizes.quick : sizes.full;
      const cp = Checkpoint.open(ctx.outDir, { experiment: "cubic-chi", version: 1, seed: ctx.seed, sizes: S });
      const model = cubicChiModel();
      const moments = oneDimMoments(model);
      ctx.progress("cubic-chi: exact series", 0, S.order);
      const coeffStrings = cp.unit(`series:T=${S.T}:order=${S.order}`, () =>
        oneDimSeries(model, sgdSchedule(S.T), S.order, (d) => ctx.progress("cubic-chi: exact series", d, S.order)).coefficients.map((c) => c.toString()),
      );
      const coeffs = coeffStrings.map((c) => Rational.parse(c).toNumber());
      const allEtas = [...S.etas, ...S.scan];
      const chunks = await runChunksAsync(cp, ctx, "sgd", Math.ceil(S.runs / S.chunk), (i, seed) => {
        const runs = Math.min(S.chunk, S.runs - i * S.chunk);
        const finals = sgdOneDim(model.gradient, model.theta0, allEtas, S.T, runs, new Rng(seed));
        return finals.map((w) => sumsOf(w.map((x) => model.testLoss(x))));
      }, "cubic-chi: SGD runs");
      if (chunks === null) {
        return { id: "cubic-chi", rows: [], plots: [], ...interrupted(CUBIC_CHI_CLAIM), verdict: "interrupted before the simulation finished; rerun to resume", partial: true, details: { sizes: S } };
      }
      const measured: Measured[] = allEtas.map((eta, k) => {
        return { eta, ...interval(estimateFromSums(mergeSums(chunks.map((c) => c[k])))) };
      });

      const orders = [3, 5, 7, 9].filter((d) => d <= S.order);
      const radius = estimateRadius(coeffs);
      const rows = cubicChiRows(measured, coeffs, coeffStrings, moments, S, orders, radius);
      const { tracksUpTo, ...judged } = cubicChiVerdict(measured, coeffs, coeffStrings, S, orders, radius);
      const lossPlot = cubicChiLossPlot(measured, coeffs, S, orders, radius);
      const coeffPlot = cubicChiCoefficientPlot(coeffs, S, radius);
      return {
        id: "cubic-chi",
        rows,
        plots: [
          { name: "loss-vs-eta", spec: lossPlot, caption: "Loss/η³: the SGD points should sit on the skewness prediction 8Tη³ (and the engine's higher orders), far from the Gaussian prediction 0, until η nears the series' radius (dashed)." },
          { name: "coefficients", spec: coeffPlot, caption: "The exact coefficients grow geometrically with the order; the dashed slope gives the radius of the η-series." },
        ],
        ...judged,
        details: { sizes: S, seed: ctx.seed, moments: { G: moments.G.toString(), H: moments.H.toString(), J: moments.J.toString(), C: moments.C.toString(), S: moments.S.toString() }, coefficients: coeffStrings, radius, tracksUpTo },
      };
    },
  };
}

export const cubicChiExperiment: Experiment = makeCubicChiExperiment();
