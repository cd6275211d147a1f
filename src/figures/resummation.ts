/**
 * Resummation (docs/theory.md#resummation) on a quadratic with noise: the η-series (polynomial in
 * `ηT`) leaves the exact answer near `ηT ≈ 1`, while the resummed forms — propagators on the
 * edges of the chain and noise diagrams — stay right from `ηT = 0.01` to `100`.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { propagatorIntegral, propagatorSum, type PropagatorKind, resummedFirstOrder, resummedNoise } from "../predict/index.js";
import { sgdOneDim } from "../simulate/oneDimSgd.js";
import { Rng } from "../stats/rng.js";
import { Checkpoint, runChunksAsync } from "../harness/checkpoint.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import { oneDimMoments, quadraticModel } from "../predict/oneDimModels.js";
import { evaluatePolynomial, oneDimSeries } from "../predict/oneDimSeries.js";
import { fmt, frame, interval, lineLayer, logSpace, measuredLayers, type PlotRow } from "../plot/plotSpecs.js";
import { estimateFromSums, type Sums, sumsOf } from "../stats/sums.js";
import { judge } from "../harness/verdict.js";

export interface ResummationSizes {
  readonly eta: number;
  /** Horizons `T` of the curves (ηT from 0.01 to 100 at η = 0.01). */
  readonly Ts: readonly number[];
  /** Horizons simulated with SGD. */
  readonly simulatedTs: readonly number[];
  readonly runs: number;
}

const T_GRID = [...new Set(logSpace(1, 10_000, 33).map((t) => Math.round(t)))];

export const RESUMMATION_SIZES: { readonly quick: ResummationSizes; readonly full: ResummationSizes } = {
  quick: { eta: 0.01, Ts: T_GRID, simulatedTs: [10, 100, 1000, 10_000], runs: 1000 },
  full: { eta: 0.01, Ts: T_GRID, simulatedTs: [10, 100, 1000, 10_000], runs: 10_000 },
};

/** The quadratic of the experiment: `l_x(θ) = ½θ² + xθ` from `θ0 = 1` (`H = S = 1`). */
export const RESUMMATION_MODEL = { H: Rational.ONE, S: Rational.ONE, theta0: Rational.ONE };

/**
 * The two-chain term of the resummed loss, `½ (ηW G)ᵀ H (ηW G)` with `W = W_T(ηH)` the summed
 * propagator (`P_T` continuous, `D_T` discrete) — the diagrams with two untied chains meeting
 * at the root's Hessian. In one dimension: `½ η² H G² W(ηH)²`.
 */
export function resummedTwoChain(G: number, H: number, eta: number, T: number, propagator: PropagatorKind = "continuous"): number {
  const k = eta * H;
  const w = propagator === "continuous" ? propagatorIntegral(k, T) : propagatorSum(k, T);
  return 0.5 * eta * eta * H * G * G * w * w;
}

/** Exact `E[½Hθ_T²]` of SGD on `½Hθ² + xSθ` from `θ0`: `½H[(1−k)^{2T}θ0² + η²S²(1 − (1−k)^{2T})/(1 − (1−k)²)]`. */
export function quadraticExactLoss(H: number, S: number, theta0: number, eta: number, T: number): number {
  const q = (1 - eta * H) ** 2;
  const qT = q ** T;
  const noise = q === 1 ? eta * eta * S * S * T : (eta * eta * S * S * (1 - qT)) / (1 - q);
  return 0.5 * H * (qT * theta0 * theta0 + noise);
}

/** The quadratic's constants at θ0 (`l0` the loss at θ0; `S` the noise scale) and the learning rate. */
interface Quadratic {
  readonly G: number;
  readonly H: number;
  readonly C: number;
  readonly S: number;
  readonly l0: number;
  readonly theta0: number;
  readonly eta: number;
}

type Curves = { rows: PlotRow[]; maxRelContinuous: number; maxRelDiscrete: number; polyUpTo: number };

/** At each horizon: exact loss, resummed (both propagators) and the polynomial orders; the largest relative errors and how far order 3 stays within 5%. */
export function curveRows(Ts: readonly number[], series: readonly (readonly string[])[], q: Quadratic): Curves {
  const { G, H, C, eta } = q;
  const rows: PlotRow[] = [];
  let maxRelContinuous = 0;
  let maxRelDiscrete = 0;
  let polyUpTo = 0;
  let polyFailed = false;
  Ts.forEach((T, i) => {
    const c = series[i].map((s) => Rational.parse(s).toNumber());
    const exact = quadraticExactLoss(H, q.S, q.theta0, eta, T);
    const resummed = (kind: PropagatorKind) => q.l0 + resummedFirstOrder([G], [[H]], eta, T, { propagator: kind }) + resummedTwoChain(G, H, eta, T, kind) + resummedNoise([[C]], [[H]], eta, T, { propagator: kind });
    const cont = resummed("continuous");
    const disc = resummed("discrete");
    maxRelContinuous = Math.max(maxRelContinuous, Math.abs(cont - exact) / exact);
    maxRelDiscrete = Math.max(maxRelDiscrete, Math.abs(disc - exact) / exact);
    const p3 = evaluatePolynomial(c, eta, 3);
    if (!polyFailed && Math.abs(p3 - exact) <= 0.05 * exact) polyUpTo = eta * T;
    else polyFailed = true;
    rows.push({ kind: "curve", T, etaT: eta * T, exact, resummed: cont, resummed_discrete: disc, order1: evaluatePolynomial(c, eta, 1), order2: evaluatePolynomial(c, eta, 2), order3: p3, c1: series[i][1], c2: series[i][2], c3: series[i][3] });
  });
  return { rows, maxRelContinuous, maxRelDiscrete, polyUpTo };
}

/** The simulated horizons: measured loss with its interval against the exact loss, and how many intervals hold it. */
export function sgdRows(chunks: readonly Sums[], P: ResummationSizes, q: Quadratic): { rows: PlotRow[]; points: PlotRow[]; inside: number } {
  const rows: PlotRow[] = [];
  const points: PlotRow[] = [];
  let inside = 0;
  chunks.forEach((sums, i) => {
    const T = P.simulatedTs[i];
    const est = interval(estimateFromSums(sums));
    const exact = quadraticExactLoss(q.H, q.S, q.theta0, q.eta, T);
    if (exact >= est.lo && exact <= est.hi) inside++;
    rows.push({ kind: "sgd", T, etaT: q.eta * T, runs: P.runs, loss: est.value, lo: est.lo, hi: est.hi, exact });
    points.push({ etaT: q.eta * T, value: est.value, lo: est.lo, hi: est.hi, series: "SGD (measured)" });
  });
  return { rows, points, inside };
}

/** The verdict line (`simInside` null when the simulation was interrupted). */
export function resummationVerdict(P: ResummationSizes, c: Curves, simInside: number | null): string {
  const partial = simInside === null;
  return (
    (partial ? "interrupted before the simulation finished; rerun to resume. " : "") +
    `l_x(θ) = ½θ² + xθ from θ0 = 1, η = ${P.eta}, ηT from ${fmt(P.eta * P.Ts[0], 2)} to ${fmt(P.eta * P.Ts[P.Ts.length - 1], 3)}: ` +
    `resummed (continuous propagators) within ${fmt(100 * c.maxRelContinuous, 2)}% of the exact loss everywhere; with discrete propagators it is exact (max relative difference ${c.maxRelDiscrete.toExponential(1)}); ` +
    `the order-3 polynomial stays within 5% only up to ηT = ${fmt(c.polyUpTo, 2)}` +
    (partial ? "." : `; SGD (${P.runs} runs) agrees with the exact loss within the 95% interval at ${simInside}/${P.simulatedTs.length} horizons.`)
  );
}

/** The curves on a linear and a log scale, with the simulated points. */
function resummationPlots(curves: readonly PlotRow[], simPts: readonly PlotRow[], eta: number): [object, object] {
  const x = { field: "etaT", title: "ηT", scale: { type: "log" } };
  const y = { field: "value", title: "E[test loss]", scale: { domain: [0, 0.6] } };
  const lines: PlotRow[] = [];
  for (const r of curves) {
    lines.push({ etaT: r.etaT, value: r.exact, series: "exact" });
    lines.push({ etaT: r.etaT, value: r.resummed, series: "resummed (continuous)" });
    lines.push({ etaT: r.etaT, value: r.resummed_discrete, series: "resummed (discrete) = exact" });
    for (const d of [1, 2, 3]) lines.push({ etaT: r.etaT, value: r[`order${d}`], series: `polynomial, order ${d}` });
  }
  const pts = [...simPts];
  const plot = { ...frame(`Noisy quadratic, η = ${eta}: polynomial vs resummed vs exact`, 560, 340), layer: [lineLayer(lines, x, y), ...measuredLayers(pts, x, y)] };
  const logY = { field: "value", title: "E[test loss] (log)", scale: { type: "log", domain: [1e-3, 1] } };
  const logLines = lines.filter((r) => !String(r.series).startsWith("polynomial") && (r.value as number) > 0);
  const logPlot = { ...frame("The same on a log scale: resummation keeps the noise floor ηC/4", 560, 300), layer: [lineLayer(logLines, x, logY), ...measuredLayers(pts, x, logY)] };
  return [plot, logPlot];
}

export function makeResummationExperiment(sizes: { quick: ResummationSizes; full: ResummationSizes } = RESUMMATION_SIZES): Experiment {
  return {
    id: "resummation",
    title: "Resummation on a noisy quadratic: polynomial vs resummed vs exact across ηT from 0.01 to 100",
    figure: "docs/theory.md#resummation (long-time predictions)",
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const P = ctx.quick ? sizes.quick : sizes.full;
      const cp = Checkpoint.open(ctx.outDir, { experiment: "resummation", version: 1, seed: ctx.seed, sizes: P });
      const model = quadraticModel(RESUMMATION_MODEL.H, RESUMMATION_MODEL.S, RESUMMATION_MODEL.theta0);
      const m = oneDimMoments(model);
      const G = m.G.toNumber();
      const H = m.H.toNumber();
      const C = m.C.toNumber();
      const S = RESUMMATION_MODEL.S.toNumber();
      const l0 = model.root(0).toNumber();
      const eta = P.eta;
      const series = cp.unit("series", () =>
        P.Ts.map((T, i) => {
          ctx.progress("resummation: engine series", i, P.Ts.length);
          return oneDimSeries(model, sgdSchedule(T), 3).coefficients.map((c) => c.toString());
        }),
      );
      ctx.progress("resummation: engine series", P.Ts.length, P.Ts.length);
      const quad = { G, H, C, S, l0, theta0: model.theta0, eta };
      const curves = curveRows(P.Ts, series, quad);
      const chunks = await runChunksAsync(cp, ctx, "sgd", P.simulatedTs.length, (i, seed) => {
        const T = P.simulatedTs[i];
        const [finals] = sgdOneDim(model.gradient, model.theta0, [eta], T, P.runs, new Rng(seed));
        return sumsOf(finals.map((th) => model.testLoss(th)));
      }, "resummation: SGD runs");
      const sim = chunks === null ? { rows: [], points: [], inside: 0 } : sgdRows(chunks, P, quad);
      const rows = [...curves.rows, ...sim.rows];
      const partial = chunks === null;
      const { maxRelContinuous, maxRelDiscrete, polyUpTo } = curves;
      const verdict = resummationVerdict(P, curves, partial ? null : sim.inside);
      const [plot, logPlot] = resummationPlots(curves.rows, sim.points, eta);
      const simInside = sim.inside;
      return {
        id: "resummation",
        rows,
        plots: [
          { name: "loss-vs-etaT", spec: plot, caption: "The resummed curves should stay on the exact loss over four decades of ηT, while the order-1 to 3 polynomials leave it once ηT grows past about 1." },
          { name: "loss-vs-etaT-log", spec: logPlot, caption: "On a log scale: the resummed loss should level off at the exact noise floor, as the SGD points do." },
        ],
        verdict,
        ...judge("resummation predicts the loss for every ηT, where the polynomial fails", [
          { criterion: `resummed (continuous) within 5% of the exact loss everywhere (max ${fmt(100 * maxRelContinuous, 2)}%)`, pass: maxRelContinuous < 0.05, main: true },
          { criterion: `resummed with discrete propagators exact (max relative difference ${maxRelDiscrete.toExponential(1)} < 1e-9)`, pass: maxRelDiscrete < 1e-9, main: true },
          { criterion: `the order-3 polynomial leaves 5% before ηT = 10 (at ${fmt(polyUpTo, 2)})`, pass: polyUpTo < 10, main: true },
          { criterion: `SGD agrees with the exact loss within the 95% interval at ${simInside}/${P.simulatedTs.length} horizons (need ≥ ${P.simulatedTs.length - 1})`, pass: simInside >= P.simulatedTs.length - 1, main: false },
        ], partial),
        partial,
        details: { sizes: P, seed: ctx.seed, maxRelContinuous, maxRelDiscrete, polyUpTo, moments: { G, H, C } },
      };
    },
  };
}

export const resummationExperiment: Experiment = makeResummationExperiment();
