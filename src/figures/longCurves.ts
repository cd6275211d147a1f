/**
 * Figure 14 (docs/theory.md#autonomous-ode-fits): learning curves beyond the radius of the η-series. For
 * vanilla SGD with `T = N` up to 1000, the measured test loss vs η against the Taylor
 * polynomials of degree 1–3 and the autonomous-ODE fits of degree 1–3 built from the same
 * coefficients (measured at initialisation), and the order-3 polynomial with its untied chains
 * summed to all orders (docs/theory.md#resummation).
 *
 * @module
 */
import { namedSeed } from "../stats/seeds.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { sgdOptimizer } from "../simulate/optimizers.js";
import { Checkpoint } from "../harness/checkpoint.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import { fmt, type PlotRow } from "../plot/plotSpecs.js";
import { type BankSizes, chainQuadrature, modelBank, modelSeries, REAL_BANK_SIZES, REAL_TEST_SIZE } from "../harness/bank.js";
import { loadModel, modelLabel, type ModelSpec, prepareNumerics, selectModels } from "../harness/model.js";
import { agrees, measured, pairedRuns } from "../harness/pairedRuns.js";
import { type CurvePoint, predictCurve } from "../predict/curve.js";
import { resummedCorrection } from "../predict/resummedCorrection.js";
import { curvePanel, grid } from "../plot/realDataPlots.js";
import { judge } from "../harness/verdict.js";

export interface LongCurveSizes {
  readonly models: readonly ModelSpec[];
  readonly Ts: readonly number[];
  /** The η grid is `x/T` for these `x = ηT`. */
  readonly etaTs: readonly number[];
  /** Runs per `T` (same order as `Ts`). */
  readonly runs: readonly number[];
  /**
   * Runs per `T` for jax-js models (LeNet): ~400 SGD steps per second per core, so the
   * logistic counts (8 η × 400 runs × 1000 steps at T = 1000) would take hours.
   */
  readonly jaxRuns: readonly number[];
  readonly chunk: number;
  readonly bank: BankSizes;
  readonly testSize: number;
  readonly chains: { readonly gradBatch: number; readonly hessBatch: number; readonly steps: number };
}

const ETA_TS = [0.1, 0.3, 1, 3, 10, 30, 100, 300];

export const LONG_CURVE_SIZES: { readonly quick: LongCurveSizes; readonly full: LongCurveSizes } = {
  quick: {
    models: [{ data: "mnist", model: "logistic", initSeed: 0 }],
    Ts: [10, 100, 1000],
    etaTs: ETA_TS,
    runs: [300, 150, 60],
    jaxRuns: [300, 150, 60],
    chunk: 150,
    bank: REAL_BANK_SIZES.quick,
    testSize: REAL_TEST_SIZE.quick,
    chains: { gradBatch: 1000, hessBatch: 300, steps: 10 },
  },
  full: {
    models: [
      { data: "mnist", model: "logistic", initSeed: 0 },
      { data: "fashion", model: "logistic", initSeed: 0 },
      { data: "mnist", model: "logistic", initSeed: 1 },
      // Run when the architecture is available (skipped with a note otherwise).
      { data: "mnist", model: "lenet", initSeed: 0 },
    ],
    Ts: [10, 100, 1000],
    etaTs: ETA_TS,
    runs: [2000, 1000, 400],
    jaxRuns: [400, 200, 40],
    chunk: 200,
    bank: REAL_BANK_SIZES.full,
    testSize: REAL_TEST_SIZE.full,
    chains: { gradBatch: 4000, hessBatch: 1000, steps: 15 },
  },
};

const FITS = ["polynomial 1", "polynomial 2", "polynomial 3", "ODE 1", "ODE 2", "ODE 3", "resummed 3"] as const;

type Fit = (typeof FITS)[number];
type Prediction = { value: number; stderr: number; n: number };
const column = (f: Fit) => f.replace(" ", "_");

/** Every fit's prediction at η index `i`: polynomials 1–3, ODE fits 1–3 (half the 95% band as ≈ 1.96 se) and the resummed order 3. */
export function fitPredictions(odes: readonly (readonly CurvePoint[])[], correction: readonly Prediction[], i: number): Record<Fit, Prediction> {
  const ode = (k: number) => ({ value: odes[k][i].ode.value, stderr: (odes[k][i].ode.upper - odes[k][i].ode.lower) / (2 * 1.96), n: 0 });
  return {
    "polynomial 1": odes[0][i].poly[1],
    "polynomial 2": odes[0][i].poly[2],
    "polynomial 3": odes[0][i].poly[3],
    "ODE 1": ode(0),
    "ODE 2": ode(1),
    "ODE 3": ode(2),
    "resummed 3": { value: odes[0][i].poly[3].value + correction[i].value, stderr: Math.hypot(odes[0][i].poly[3].stderr, correction[i].stderr), n: 0 },
  };
}

/** One (model, T, η) row: the measurement and each fit's value and agreement; with the plotted points. */
export function curveRow(label: string, T: number, eta: number, etaT: number, m: ReturnType<typeof measured>, preds: Record<Fit, Prediction>): { row: PlotRow; lines: PlotRow[]; point: PlotRow } {
  const row: PlotRow = { model: label, T, eta, etaT, measured: m.mean, ci95: m.ci95, runs: m.runs, diverged: m.diverged };
  const lines: PlotRow[] = [];
  for (const f of FITS) {
    const p = preds[f];
    row[column(f)] = Number.isFinite(p.value) ? p.value : null;
    row[`${column(f)}_within`] = Number.isFinite(p.value) && Number.isFinite(p.stderr) && agrees(p, m);
    if (Number.isFinite(p.value)) lines.push({ x: etaT, value: p.value, series: f });
  }
  return { row, lines, point: { x: etaT, value: m.mean, lo: m.mean - m.ci95, hi: m.mean + m.ci95, series: "measured SGD (95% CI)" } };
}

/** One (model, T) panel, the predictions clipped to half a span beyond the measured range. */
function curvePanelFor(label: string, T: number, meas: readonly PlotRow[], lines: readonly PlotRow[]): object {
  const lo = Math.min(...meas.map((r) => r.lo as number));
  const hi = Math.max(...meas.map((r) => r.hi as number));
  const span = hi - lo;
  const shown = lines.filter((r) => (r.value as number) >= lo - 0.5 * span && (r.value as number) <= hi + 0.5 * span);
  return curvePanel(`${label}, T = N = ${T}`, { field: "x", title: "ηT", log: true }, "test loss", [...meas], shown);
}

/** The fit closest to the measurement at the largest ηT of a curve (its last row). */
function closestAtLargest(last: PlotRow): string {
  const best = FITS.map((f) => ({ f, e: Math.abs(((last[column(f)] as number | null) ?? Infinity) - (last.measured as number)) })).sort((a, b) => a.e - b.e)[0];
  return `${last.model} T=${last.T}, ηT=${last.etaT}: measured ${fmt(last.measured as number, 4)}, closest ${best.f} (${fmt(last[column(best.f)] as number, 4)})`;
}

/**
 * Scores for ηT ≥ 1: per fit, the (model, T, η) that agree with the measurement and the total
 * |error|; the ODE fit of degree k against the polynomial of degree k where both are finite.
 */
export function longCurveScores(rows: readonly PlotRow[]) {
  const score = new Map<string, { within: number; n: number; err: number; blownUp: number }>(FITS.map((f) => [f, { within: 0, n: 0, err: 0, blownUp: 0 }]));
  const paired = new Map<number, { ode: number; poly: number; n: number }>([2, 3].map((k) => [k, { ode: 0, poly: 0, n: 0 }]));
  for (const row of rows.filter((r) => (r.etaT as number) >= 1)) {
    const m = row.measured as number;
    for (const f of FITS) {
      const s = score.get(f)!;
      const v = row[column(f)] as number | null;
      s.n++;
      if (row[`${column(f)}_within`] === true) s.within++;
      if (v !== null) s.err += Math.abs(v - m);
      else s.blownUp++;
    }
    for (const k of [2, 3]) {
      const o = row[`ODE_${k}`] as number | null;
      const q = row[`polynomial_${k}`] as number | null;
      if (o !== null && q !== null) {
        const e = paired.get(k)!;
        e.ode += Math.abs(o - m);
        e.poly += Math.abs(q - m);
        e.n++;
      }
    }
  }
  return { score, paired };
}

/** The verdict: the ODE fits beat the polynomials of the same degree (2 and 3) beyond ηT = 1. */
export function longCurvesVerdict(rows: readonly PlotRow[], largest: readonly string[], skipped: readonly string[], partial = false) {
  const { score, paired } = longCurveScores(rows);
  const summary = FITS.map((f) => {
    const s = score.get(f)!;
    return `${f}: ${s.within}/${s.n} within, Σ|err| ${fmt(s.err)}${s.blownUp > 0 ? ` (${s.blownUp} blown up before ηT)` : ""}`;
  });
  const p2 = paired.get(2)!;
  const p3 = paired.get(3)!;
  const verdict =
    `for ηT ≥ 1 (beyond the series' comfort zone) — ${summary.join("; ")}. ODE vs polynomial of the same degree where both exist: ` +
    `degree 2 Σ|err| ${fmt(p2.ode)} vs ${fmt(p2.poly)}, degree 3 ${fmt(p3.ode)} vs ${fmt(p3.poly)} (${p3.n} points). At the largest ηT: ${largest.join("; ")}` +
    (skipped.length > 0 ? `; skipped: ${skipped.join("; ")}` : "");
  const checks = [2, 3].map((k) => {
    const p = paired.get(k)!;
    return { criterion: `degree-${k} ODE fit closer to the measured loss than the degree-${k} polynomial for ηT ≥ 1 (Σ|err| ${fmt(p.ode)} vs ${fmt(p.poly)} over ${p.n} points)`, pass: p.ode < p.poly, main: true };
  });
  return { verdict, ...judge("beyond ηT = 1, autonomous-ODE fits of the η-series predict long learning curves better than the polynomial", checks, partial), score, paired };
}

export function makeLongCurvesExperiment(sizes: { quick: LongCurveSizes; full: LongCurveSizes } = LONG_CURVE_SIZES): Experiment {
  return {
    id: "long-curves",
    title: "Long learning curves (T up to 1000): measured test loss vs η against polynomial and autonomous-ODE fits of degree 1–3 (and the resummed order 3)",
    figure: "figure 14 (docs/theory.md#autonomous-ode-fits)",
    modelLabels: (quick) => sizes[quick ? "quick" : "full"].models.map(modelLabel),
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const t0 = performance.now();
      const S = ctx.quick ? sizes.quick : sizes.full;
      const specs = selectModels(ctx, S.models);
      await prepareNumerics(specs);
      const cp = Checkpoint.open(ctx.outDir, { experiment: "long-curves", version: 2, seed: ctx.seed, sizes: S });
      const rows: PlotRow[] = [];
      const panels: object[] = [];
      let partial = false;
      const largest: string[] = [];
      for (const spec of specs) {
        const model = loadModel(spec, S.testSize, ctx.seed);
        const bank = modelBank(cp, ctx, model, "test", S.bank);
        const chains = chainQuadrature(cp, ctx, model, S.chains);
        for (const [k, T] of S.Ts.entries()) {
          const etas = S.etaTs.map((x) => x / T);
          const schedule = sgdSchedule(T);
          const sim = await pairedRuns(cp, ctx, `runs:${model.label}:T=${T}`, model, T, [sgdOptimizer(schedule)], etas, (spec.model === "logistic" ? S.runs : S.jaxRuns)[k], S.chunk, `long curves T=${T}: ${model.label}`);
          if (sim === null) {
            partial = true;
            break;
          }
          const series = modelSeries(model, bank, schedule, 3, "test");
          const odes = ([1, 2, 3] as const).map((deg) => predictCurve(series, etas, 3, namedSeed(ctx.seed, `ode fit: degree ${deg}`), deg));
          const correction = resummedCorrection(chains, T, etas, 3);
          const at = etas.map((eta, i) => curveRow(model.label, T, eta, S.etaTs[i], measured(sim, 0, i, "test"), fitPredictions(odes, correction, i)));
          rows.push(...at.map((x) => x.row));
          panels.push(curvePanelFor(model.label, T, at.map((x) => x.point), at.flatMap((x) => x.lines)));
          largest.push(closestAtLargest(rows[rows.length - 1]));
        }
        if (partial) break;
      }
      const { score, paired, ...judged } = longCurvesVerdict(rows, largest, [], partial);
      return {
        id: "long-curves",
        rows,
        plots: [{ name: "long-curves", spec: grid("Long learning curves: measured test loss vs ηT, polynomial and autonomous-ODE fits of degree 1–3", panels, 3), caption: "Past ηT = 1 the polynomial predictions bend away from the measured loss, while the ODE fits of the same series should stay close to it." }],
        ...judged,
        partial,
        details: { sizes: S, scores: Object.fromEntries(score), odeVsPolynomial: Object.fromEntries(paired), skipped: [], seconds: (performance.now() - t0) / 1000 },
      };
    },
  };
}

export const longCurvesExperiment: Experiment = makeLongCurvesExperiment();
