/**
 * Figure 13, overfitting vs curvature (docs/theory.md#overfitting-and-model-selection, #mean-estimation): GD from the minimum of the test
 * loss in the mean-estimation family, test loss after a fixed `ηT` across `H ∈ [10⁻⁴, 4]`.
 * Takeuchi's TIC diverges as `H → 0`; its finite-time version STIC stays bounded and matches;
 * sharp and flat minima overfit less than medium ones (peak at `ηTH ≈ 1.2564`). The
 * STIC-regularised joint descent on an `l2` coefficient `λ` overfits less than plain GD.
 *
 * @module
 */
import { gdOverfitting } from "../predict/index.js";
import { meanEstimationGd } from "../simulate/meanEstimationGd.js";
import { Rng } from "../stats/rng.js";
import { Checkpoint, runChunksAsync } from "../harness/checkpoint.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import { fmt, frame, interval, lineLayer, logSpace, measuredLayers, type PlotRow } from "../plot/plotSpecs.js";
import { estimateFromSums, mergeSums, sumsOf } from "../stats/sums.js";
import { judge } from "../harness/verdict.js";

export interface TicSticSizes {
  readonly S: number;
  readonly N: number;
  readonly eta: number;
  readonly T: number;
  readonly Hs: readonly number[];
  readonly runs: number;
  readonly chunk: number;
}

const H_GRID = logSpace(1e-4, 4, 15);

export const TIC_STIC_SIZES: { readonly quick: TicSticSizes; readonly full: TicSticSizes } = {
  quick: { S: 10, N: 10, eta: 0.05, T: 100, Hs: H_GRID, runs: 10_000, chunk: 5000 },
  full: { S: 10, N: 10, eta: 0.05, T: 100, Hs: H_GRID, runs: 40_000, chunk: 10_000 },
};

/** `x` where `(1 − e^{−x})²/x` peaks (`e^x − 1 = 2x`): the curvature `ηTH` that overfits most. */
export function overfittingPeak(): number {
  let x = 1.25;
  for (let i = 0; i < 50; i++) x -= (Math.expm1(x) - 2 * x) / (Math.exp(x) - 2);
  return x;
}

export function makeTicSticExperiment(sizes: { quick: TicSticSizes; full: TicSticSizes } = TIC_STIC_SIZES): Experiment {
  return {
    id: "tic-stic",
    title: "Overfitting vs curvature: TIC diverges at flat minima, STIC does not; STIC-regularised descent on λ",
    figure: "figure 13 (docs/theory.md#overfitting-and-model-selection, #mean-estimation)",
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const P = ctx.quick ? sizes.quick : sizes.full;
      const cp = Checkpoint.open(ctx.outDir, { experiment: "tic-stic", version: 1, seed: ctx.seed, sizes: P });
      const C = P.S * P.S;
      const rows: PlotRow[] = [];
      let partial = false;
      let sticInside = 0;
      let sticBetter = 0;
      const results: CurvatureResult[] = [];
      for (const H of P.Hs) {
        const key = `H=${H}`;
        const chunks = await runChunksAsync(cp, ctx, key, Math.ceil(P.runs / P.chunk), (i, seed) => {
          const runs = Math.min(P.chunk, P.runs - i * P.chunk);
          const plain = meanEstimationGd({ H, S: P.S, N: P.N, eta: P.eta, T: P.T, runs }, new Rng(seed));
          const reg = meanEstimationGd({ H, S: P.S, N: P.N, eta: P.eta, T: P.T, runs, stic: true }, new Rng(seed)); // same training sets
          return {
            test: sumsOf(plain.test),
            gap: sumsOf(plain.test.map((t, r) => t - plain.train[r])),
            reg: sumsOf(reg.test),
            diff: sumsOf(reg.test.map((t, r) => t - plain.test[r])),
            lambda: sumsOf(reg.lambda),
          };
        }, `tic-stic H=${fmt(H, 2)}`);
        if (chunks === null) {
          partial = true;
          if (ctx.shard !== undefined) continue; // a shard goes on to its chunks of the next H
          break;
        }
        const merged = (k: "test" | "gap" | "reg" | "diff" | "lambda") => mergeSums(chunks.map((c) => c[k]));
        const lambdaSums = merged("lambda");
        const lambda = lambdaSums.mean;
        const cont = gdOverfitting([[C]], [[H]], P.eta, P.T, P.N);
        const disc = gdOverfitting([[C]], [[H]], P.eta, P.T, P.N, { propagator: "discrete" });
        const over = interval(estimateFromSums(merged("test")));
        const r = { H, over, stic: cont.overfitting, sticDiscrete: disc.overfitting, tic: cont.tic, reg: interval(estimateFromSums(merged("reg"))), diff: interval(estimateFromSums(merged("diff"))), lambda, gap: interval(estimateFromSums(merged("gap"))), gapPred: cont.gap };
        results.push(r);
        if (r.stic >= over.lo && r.stic <= over.hi) sticInside++;
        if (r.diff.hi < 0) sticBetter++;
        rows.push({ H, etaTH: P.eta * P.T * H, runs: P.runs, overfitting: over.value, lo: over.lo, hi: over.hi, stic: cont.overfitting, stic_discrete: disc.overfitting, tic_half: cont.tic / 2, gap: r.gap.value, gap_lo: r.gap.lo, gap_hi: r.gap.hi, gap_stic: cont.gap, tic: cont.tic, stic_regularised: r.reg.value, stic_regularised_lo: r.reg.lo, stic_regularised_hi: r.reg.hi, regularised_minus_plain: r.diff.value, regularised_minus_plain_lo: r.diff.lo, regularised_minus_plain_hi: r.diff.hi, mean_lambda: lambda });
      }
      const { verdict, peak, peakH } = ticSticVerdict(P, results, partial, sticInside, sticBetter);
      const small = results[0];
      const needInside = Math.ceil(0.8 * results.length);
      const checks = [
        { criterion: `STIC inside the 95% interval of the measured overfitting at ${sticInside}/${results.length} curvatures (need ≥ ${needInside})`, pass: sticInside >= needInside, main: true },
        { criterion: small === undefined ? "no curvature done" : `TIC/2 = ${fmt(small.tic / 2, 3)} above the interval (≤ ${fmt(small.over.hi, 3)}) at the flattest H = ${fmt(small.H, 2)}`, pass: small !== undefined && small.tic / 2 > small.over.hi, main: true },
        { criterion: `STIC-regularised descent lowers the test loss (paired interval below 0) at ${sticBetter}/${results.length} curvatures`, pass: sticBetter === results.length, main: false },
      ];

      const { overPlot, regPlot } = ticSticPlots(P, results);
      return {
        id: "tic-stic",
        rows,
        plots: [
          { name: "overfitting-vs-curvature", spec: overPlot, caption: "Measured overfitting should follow STIC, which peaks at an intermediate curvature, while TIC/2 diverges at flat minima (small H)." },
          { name: "stic-regularised", spec: regPlot, caption: "Learning λ by STIC-regularised descent should give a lower test loss than plain GD at every curvature." },
        ],
        verdict,
        ...judge("overfitting follows STIC, not TIC (which diverges at flat minima)", checks, partial),
        partial,
        details: { sizes: P, seed: ctx.seed, peak, peakH },
      };
    },
  };
}

/** One curvature's measurements and predictions. */
interface CurvatureResult {
  readonly H: number;
  readonly over: ReturnType<typeof interval>;
  readonly stic: number;
  readonly sticDiscrete: number;
  readonly tic: number;
  readonly reg: ReturnType<typeof interval>;
  readonly diff: ReturnType<typeof interval>;
  readonly lambda: number;
  readonly gap: ReturnType<typeof interval>;
  readonly gapPred: number;
}

/** The verdict text, with the predicted peak `ηTH` and its curvature. */
function ticSticVerdict(P: TicSticSizes, results: readonly CurvatureResult[], partial: boolean, sticInside: number, sticBetter: number): { verdict: string; peak: number; peakH: number } {
  const C = P.S * P.S;
  const peak = overfittingPeak();
  const peakH = peak / (P.eta * P.T);
  const worst = results.length === 0 ? null : results.reduce((a, b) => (b.over.value > a.over.value ? b : a));
  const small = results[0];
  const verdict =
    (partial ? `interrupted (${results.length}/${P.Hs.length} curvatures done); rerun to resume. ` : "") +
    `GD from the minimum, S² = ${C}, N = ${P.N}, ηT = ${P.eta * P.T}, ${P.runs} training sets per H: STIC (continuous) inside the 95% interval of the measured overfitting at ${sticInside}/${results.length} curvatures` +
    (small === undefined ? "" : `; at H = ${fmt(small.H, 2)}: measured ${fmt(small.over.value, 3)} ± ${fmt(small.over.hi - small.over.value, 2)}, STIC ${fmt(small.stic, 3)}, TIC/2 = ${fmt(small.tic / 2, 3)}`) +
    (worst === null ? "" : `; overfitting peaks at H ≈ ${fmt(worst.H, 2)} (predicted ηTH = ${fmt(peak, 4)} → H = ${fmt(peakH, 3)})`) +
    `; STIC-regularised descent on λ lowers the test loss (paired 95% CI below 0) at ${sticBetter}/${results.length} curvatures.`;
  return { verdict, peak, peakH };
}

/** Overfitting vs curvature (measured against STIC and TIC/2) and plain vs STIC-regularised GD. */
function ticSticPlots(P: TicSticSizes, results: readonly CurvatureResult[]): { overPlot: object; regPlot: object } {
  const C = P.S * P.S;
  const x = { field: "H", title: "curvature H", scale: { type: "log", domain: [P.Hs[0] * 0.8, P.Hs[P.Hs.length - 1] * 1.2], nice: false } };
  const top = Math.max(...results.map((r) => r.over.hi)) * 1.6;
  const y = { field: "value", title: "overfitting: E[test loss] − min", scale: { domain: [0, top] } };
  const lines: PlotRow[] = [];
  for (const H of logSpace(P.Hs[0] * 0.8, P.Hs[P.Hs.length - 1] * 1.2, 120)) {
    const o = gdOverfitting([[C]], [[H]], P.eta, P.T, P.N);
    lines.push({ H, value: o.overfitting, series: "STIC: (C/2NH)(1 − e^(−ηTH))²" });
    lines.push({ H, value: o.tic / 2, series: "TIC/2 = C/(2NH) (T → ∞)" });
  }
  const pts: PlotRow[] = results.map((r) => ({ H: r.H, value: r.over.value, lo: r.over.lo, hi: r.over.hi, series: "GD (measured)" }));
  const overPlot = { ...frame(`Overfitting vs curvature after ηT = ${P.eta * P.T} (N = ${P.N}, S² = ${C})`, 520, 320), layer: [lineLayer(lines, x, y), ...measuredLayers(pts, x, y)] };
  const regPts: PlotRow[] = [
    ...results.map((r) => ({ H: r.H, value: r.over.value, lo: r.over.lo, hi: r.over.hi, series: "plain GD" })),
    ...results.map((r) => ({ H: r.H, value: r.reg.value, lo: r.reg.lo, hi: r.reg.hi, series: "STIC-regularised (λ learned)" })),
  ];
  const regPlot = { ...frame("STIC as a regulariser: test loss after training", 520, 300), layer: measuredLayers(regPts, x, { field: "value", title: "E[test loss] − min", scale: { domain: [0, top] } }) };
  return { overPlot, regPlot };
}

export const ticSticExperiment: Experiment = makeTicSticExperiment();
