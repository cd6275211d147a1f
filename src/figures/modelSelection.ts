/**
 * Figure 10, myopic model selection (docs/theory.md#overfitting-and-model-selection): for each candidate model
 * (architecture = input resolution of a logistic classifier, init, and — when available —
 * other architectures), measure the diagram values at initialisation, predict the test loss
 * after the planned training (10 epochs of SGD on 100 points; order 3 + autonomous-ODE fit),
 * rank the models, and compare with the ranking after real training. (Where the degree-3 ODE fit
 * blows up before the planned η, the degree-2 fit of the same coefficients is used, then 1,
 * then the polynomial; rows record the degree used.) Baselines: the loss at
 * initialisation and the parameter count. Kendall's τ for each ranker, with a 95% percentile
 * interval from a bootstrap over each candidate's training runs ({@link TAU_BOOTSTRAP} resamples).
 *
 * @module
 */
import { namedSeed, namedStream } from "../stats/seeds.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { sgdOptimizer } from "../simulate/optimizers.js";
import { Checkpoint } from "../harness/checkpoint.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import { fmt, type PlotRow } from "../plot/plotSpecs.js";
import { type BankSizes, modelBank, modelSeries, REAL_TEST_SIZE } from "../harness/bank.js";
import { loadModel, modelLabel, type ModelSpec, prepareNumerics, selectModels } from "../harness/model.js";
import { measured, pairedRuns, runValues } from "../harness/pairedRuns.js";
import { judge, type Judgement, type VerdictCheck } from "../harness/verdict.js";
import { predictCurve } from "../predict/curve.js";
import { figure } from "../plot/realDataPlots.js";

export interface ModelSelectionSizes {
  readonly candidates: readonly ModelSpec[];
  /** Added when their architecture is available. */
  readonly optionalCandidates: readonly ModelSpec[];
  readonly N: number;
  readonly epochs: number;
  readonly etas: readonly number[];
  readonly runs: number;
  /** Runs of the optional (jax-js) candidates: LeNet trains ~400 SGD steps per second per core, T = 1000 here. */
  readonly optionalRuns: number;
  readonly chunk: number;
  readonly bank: BankSizes;
  readonly testSize: number;
}

const grid3 = (data: "mnist" | "fashion", inits: number[], resolutions: number[]): ModelSpec[] =>
  resolutions.flatMap((resolution) => inits.map((initSeed) => ({ data, model: "logistic" as const, initSeed, resolution })));

export const MODEL_SELECTION_SIZES: { readonly quick: ModelSelectionSizes; readonly full: ModelSelectionSizes } = {
  quick: {
    candidates: grid3("mnist", [0, 1, 2], [28, 14, 7]),
    optionalCandidates: [],
    N: 100,
    epochs: 10,
    etas: [0.03, 0.1, 0.3],
    runs: 40,
    optionalRuns: 0,
    chunk: 40,
    bank: { order: 3, tuples: 60, batch: 16 },
    testSize: REAL_TEST_SIZE.quick,
  },
  full: {
    candidates: grid3("mnist", [0, 1, 2, 3], [28, 14, 7, 4]),
    optionalCandidates: [
      { data: "mnist", model: "lenet", initSeed: 0 },
      { data: "mnist", model: "lenet", initSeed: 1 },
      { data: "mnist", model: "mlp", initSeed: 0 },
      { data: "mnist", model: "mlp", initSeed: 1 },
    ],
    N: 100,
    epochs: 10,
    etas: [0.03, 0.1, 0.3],
    runs: 200,
    optionalRuns: 50,
    chunk: 50,
    bank: { order: 3, tuples: 300, batch: 32 },
    testSize: REAL_TEST_SIZE.full,
  },
};

/**
 * Kendall's τ-b between two score lists (ties handled as in τ-b:
 * `(C − D)/√((n0 − n1)(n0 − n2))`). NaN when one list is constant.
 */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0) tiesA++;
      if (db === 0) tiesB++;
      if (da !== 0 && db !== 0) {
        if (da === db) concordant++;
        else discordant++;
      }
    }
  }
  const n0 = (a.length * (a.length - 1)) / 2;
  return (concordant - discordant) / Math.sqrt((n0 - tiesA) * (n0 - tiesB));
}

/** Ranks (1 = lowest score), ties get their average rank. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((p, q) => p.x - q.x);
  const out = new Array<number>(xs.length);
  for (let k = 0; k < order.length; ) {
    let m = k;
    while (m + 1 < order.length && order[m + 1].x === order[k].x) m++;
    for (let q = k; q <= m; q++) out[order[q].i] = (k + m) / 2 + 1;
    k = m + 1;
  }
  return out;
}

const RANKERS = ["predicted (order 3 + ODE fit)", "predicted (order-3 polynomial)", "loss at init", "parameter count"] as const;
type Ranker = (typeof RANKERS)[number];

/**
 * Resamples of the bootstrap behind τ's intervals. It resamples the training runs of every
 * candidate (the measured ranking's noise); the predictions and the baselines are held fixed.
 */
export const TAU_BOOTSTRAP = 1000;

/** One candidate after measuring: its predictions from statistics at init and its measured test loss at each η. */
export interface Candidate {
  readonly label: string;
  readonly dim: number;
  readonly init: number;
  readonly predOde: number[];
  readonly odeDegree: number[];
  readonly predPoly: number[];
  readonly actual: { mean: number; ci95: number }[];
  /** Each training run's test loss (null: diverged), `runs[i][run]` at the i-th η, for the τ bootstrap. */
  readonly runs: readonly (readonly (number | null)[])[];
}

/** Predicts (bank, ODE fit with fallback to lower degrees) and trains every candidate; stops at an interruption. */
async function measureCandidates(ctx: ExperimentContext, S: ModelSelectionSizes, specs: readonly { spec: ModelSpec; runs: number }[]): Promise<{ models: Candidate[]; partial: boolean }> {
  const cp = Checkpoint.open(ctx.outDir, { experiment: "model-selection", version: 2, seed: ctx.seed, sizes: S });
  const schedule = sgdSchedule(S.N, { epochs: S.epochs });
  const models: Candidate[] = [];
  for (const { spec, runs } of specs) {
    const model = loadModel(spec, S.testSize, ctx.seed);
    const bank = modelBank(cp, ctx, model, "test", S.bank);
    const series = modelSeries(model, bank, schedule, 3, "test");
    const curve = predictCurve(series, S.etas, 3, namedSeed(ctx.seed, "ode fit"));
    // Where the degree-3 (Riccati) fit has left to infinity before η, fall back to degree 2, then 1.
    const lower = ([2, 1] as const).map((deg) => predictCurve(series, S.etas, 3, namedSeed(ctx.seed, "ode fit"), deg));
    const odeValue = S.etas.map((_, i) => {
      const candidates = [curve[i].ode.value, lower[0][i].ode.value, lower[1][i].ode.value];
      const k = candidates.findIndex((v) => Number.isFinite(v));
      return k < 0 ? { value: curve[i].poly[3].value, degree: 0 } : { value: candidates[k], degree: 3 - k };
    });
    const sim = await pairedRuns(cp, ctx, `runs:${model.label}`, model, S.N, [sgdOptimizer(schedule)], S.etas, runs, S.chunk, `training ${model.label}`);
    if (sim === null) return { models, partial: true };
    models.push({
      label: model.label,
      dim: model.dim,
      init: series.coefficients[0].value,
      predOde: odeValue.map((o) => o.value),
      odeDegree: odeValue.map((o) => o.degree),
      predPoly: curve.map((p) => p.poly[3].value),
      actual: S.etas.map((_, i) => {
        const m = measured(sim, 0, i, "test");
        return { mean: m.diverged > 0 ? Infinity : m.mean, ci95: m.ci95 };
      }),
      runs: S.etas.map((_, i) => runValues(sim, 0, i, "test")),
    });
  }
  return { models, partial: false };
}

/** Every ranker's scores of the candidates at the i-th η (lower = predicted better). */
function scoresAt(models: readonly Candidate[], i: number): Record<Ranker, number[]> {
  return {
    "predicted (order 3 + ODE fit)": models.map((m) => m.predOde[i]),
    "predicted (order-3 polynomial)": models.map((m) => m.predPoly[i]),
    "loss at init": models.map((m) => m.init),
    "parameter count": models.map((m) => -m.dim),
  };
}

/** A 95% interval `[lo, hi]` of one τ. */
export interface TauInterval {
  readonly lo: number;
  readonly hi: number;
}

/**
 * 95% percentile intervals of every ranker's τ at every η: `resamples` times, each candidate's
 * training runs are drawn with replacement (the same run indices at every η, since one run
 * trains at all of them), its measured loss is the resample's mean (∞ if a drawn run
 * diverged, as for the measurement itself), and τ is recomputed against the fixed scores.
 */
export function tauIntervals(models: readonly Candidate[], etas: readonly number[], resamples: number, seed: number): Record<string, TauInterval[]> {
  const rng = namedStream(seed, "model-selection: τ bootstrap");
  const boots: Record<string, number[][]> = Object.fromEntries(RANKERS.map((r) => [r, etas.map(() => [])]));
  const scores = etas.map((_, i) => scoresAt(models, i));
  for (let b = 0; b < resamples && models.length > 1; b++) {
    const picks = models.map((m) => {
      const n = m.runs[0]?.length ?? 0;
      return Array.from({ length: n }, () => rng.int(n));
    });
    etas.forEach((_, i) => {
      const actual = models.map((m, k) => {
        let sum = 0;
        for (const r of picks[k]) {
          const v = m.runs[i][r];
          if (v === null) return Infinity;
          sum += v;
        }
        return sum / picks[k].length;
      });
      for (const r of RANKERS) boots[r][i].push(kendallTau(scores[i][r], actual));
    });
  }
  const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.round(q * (xs.length - 1))))];
  return Object.fromEntries(
    RANKERS.map((r) => [
      r,
      boots[r].map((xs) => {
        const ok = xs.filter((x) => Number.isFinite(x)).sort((a, c) => a - c);
        return ok.length === 0 ? { lo: NaN, hi: NaN } : { lo: pct(ok, 0.025), hi: pct(ok, 0.975) };
      }),
    ]),
  );
}

/**
 * At each η: Kendall's τ of every ranker with the actual ranking (with its bootstrap interval
 * when `intervals` is given), each model's row, and the rank scatter.
 */
export function rankingRows(models: readonly Candidate[], etas: readonly number[], T: number, intervals?: Record<string, TauInterval[]>): { rows: PlotRow[]; taus: Record<string, number[]>; scatter: PlotRow[] } {
  const rows: PlotRow[] = [];
  const taus: Record<string, number[]> = Object.fromEntries(RANKERS.map((r) => [r, []]));
  const scatter: PlotRow[] = [];
  etas.forEach((eta, i) => {
    const actual = models.map((m) => m.actual[i].mean);
    const scores = scoresAt(models, i);
    const rActual = ranks(actual);
    const rPred = ranks(scores["predicted (order 3 + ODE fit)"]);
    for (const r of RANKERS) {
      const tau = kendallTau(scores[r], actual);
      taus[r].push(tau);
      const ci = intervals?.[r]?.[i];
      rows.push({ kind: "tau", eta, etaT: eta * T, ranker: r, kendall_tau: tau, ...(ci === undefined ? {} : { kendall_tau_lo: ci.lo, kendall_tau_hi: ci.hi }) });
    }
    models.forEach((m, k) => {
      rows.push({ kind: "model", eta, etaT: eta * T, model: m.label, parameters: m.dim, loss_at_init: m.init, predicted_ode: m.predOde[i], ode_degree: m.odeDegree[i], predicted_order3: m.predPoly[i], actual: m.actual[i].mean, actual_ci95: m.actual[i].ci95, rank_actual: rActual[k], rank_predicted: rPred[k] });
      scatter.push({ eta: `η = ${eta} (ηT = ${fmt(eta * T)})`, predicted: rPred[k], actual: rActual[k], model: m.label });
    });
  });
  return { rows, taus, scatter };
}

/** Rank after training vs predicted rank, and Kendall's τ of each ranker. */
function modelSelectionPlot(rows: readonly PlotRow[], scatter: readonly PlotRow[], n: number, T: number): object {
  const jitter = scatter.map((r, k) => ({ ...r, predicted: (r.predicted as number) + ((k % 3) - 1) * 0.08 }));
  return figure("Myopic model selection: predicted rank (from statistics at init) vs rank after training", {
    hconcat: [
      {
        title: "rank after training vs predicted rank",
        width: 340,
        height: 340,
        layer: [
          { data: { values: [{ x: 1, y: 1 }, { x: n, y: n }] }, mark: { type: "line", strokeDash: [4, 3], color: "#888" }, encoding: { x: { field: "x", type: "quantitative", title: "predicted rank" }, y: { field: "y", type: "quantitative", title: "actual rank" } } },
          { data: { values: jitter }, mark: { type: "point", filled: true, size: 60 }, encoding: { x: { field: "predicted", type: "quantitative", title: "predicted rank" }, y: { field: "actual", type: "quantitative", title: "actual rank" }, color: { field: "eta", type: "nominal", title: null }, tooltip: { field: "model" } } },
        ],
      },
      {
        title: { text: "Kendall's τ with the actual ranking", subtitle: `95% intervals: bootstrap over runs, ${TAU_BOOTSTRAP} resamples` },
        width: 460,
        height: 340,
        // Every bar carries its value and a tick at it, so a τ of 0 reads as 0, not as a missing bar.
        data: { values: rows.filter((r) => r.kind === "tau").map((r) => ({ ...r, eta: `η = ${r.eta} (ηT = ${fmt((r.eta as number) * T)})`, label: Number.isFinite(r.kendall_tau as number) ? (r.kendall_tau as number).toFixed(2) : "n/a", label_at: Math.max(r.kendall_tau as number, (r.kendall_tau_hi as number | undefined) ?? -1) })) },
        encoding: { x: { field: "ranker", type: "nominal", title: null, sort: [...RANKERS], axis: { labelAngle: 0, labelLimit: 400, labelExpr: "datum.label == 'predicted (order 3 + ODE fit)' ? ['predicted', '(order 3 + ODE)'] : datum.label == 'predicted (order-3 polynomial)' ? ['predicted', '(polynomial)'] : datum.label" } }, xOffset: { field: "eta" }, color: { field: "eta", type: "nominal", title: null } },
        layer: [
          { mark: { type: "bar", opacity: 0.85 }, encoding: { y: { field: "kendall_tau", type: "quantitative", title: "Kendall's τ", scale: { domain: [-1, 1.1] } } } },
          { mark: { type: "tick", thickness: 2 }, encoding: { y: { field: "kendall_tau", type: "quantitative" } } },
          { mark: { type: "rule", color: "#222", strokeWidth: 1.5 }, encoding: { y: { field: "kendall_tau_lo", type: "quantitative" }, y2: { field: "kendall_tau_hi" }, color: { value: "#222" } } },
          { mark: { type: "text", dy: -7, fontSize: 10 }, encoding: { y: { field: "label_at", type: "quantitative" }, text: { field: "label" }, color: { value: "#222" } } },
        ],
      },
    ],
  });
}

/**
 * Main check: with at least 8 candidates, the predicted ranking beats the loss at init and the
 * parameter count (mean τ over η). Secondary: it beats both at every η, and (with `intervals`)
 * its τ's 95% interval excludes 0 at every η (better than a random ranking despite the noise).
 */
export function modelSelectionVerdict(n: number, taus: Record<string, number[]>, S: ModelSelectionSizes, skipped: readonly string[], intervals?: Record<string, TauInterval[]>, partial = false): Judgement & { verdict: string } {
  const fmtTaus = (r: string) => taus[r].map((t, i) => {
    const ci = intervals?.[r]?.[i];
    return ci === undefined ? fmt(t, 2) : `${fmt(t, 2)} [${fmt(ci.lo, 2)}, ${fmt(ci.hi, 2)}]`;
  }).join(" / ");
  const verdict =
    `${n} candidate models, ${S.epochs} epochs on ${S.N} points at η = ${S.etas.join(" / ")}: Kendall's τ vs the actual ranking` +
    (intervals === undefined ? "" : ` (95% bootstrap over runs, ${TAU_BOOTSTRAP} resamples)`) + " — " +
    RANKERS.map((r) => `${r} ${fmtTaus(r)}`).join("; ") +
    (skipped.length > 0 ? `; skipped: ${skipped.join("; ")}` : "");
  const mean = (xs: number[]) => xs.reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0) / xs.length;
  const pred = taus[RANKERS[0]];
  const [init, count] = [taus["loss at init"], taus["parameter count"]];
  // A τ that is undefined (a constant ranker) counts as 0, a random ranking's τ.
  const t0 = (x: number) => (Number.isFinite(x) ? x : 0);
  const beatsAt = S.etas.map((_, i) => t0(pred[i]) > t0(init[i]) && t0(pred[i]) > t0(count[i]));
  const checks: VerdictCheck[] = [
    { criterion: `mean τ of the predicted ranking ${fmt(mean(pred), 2)} > loss at init ${fmt(mean(init), 2)} and > parameter count ${fmt(mean(count), 2)}, over ${n} candidates (need ≥ 8)`, pass: n >= 8 && mean(pred) > mean(init) && mean(pred) > mean(count), main: true },
    { criterion: `it beats both baselines at ${beatsAt.filter((b) => b).length}/${S.etas.length} η` + (beatsAt.every((b) => b) ? "" : ` (not at η = ${S.etas.filter((_, i) => !beatsAt[i]).join(", ")})`), pass: beatsAt.every((b) => b), main: false },
  ];
  if (intervals !== undefined) {
    const above = intervals[RANKERS[0]].map((ci) => ci.lo > 0);
    checks.push({ criterion: `its τ's 95% interval above 0 at ${above.filter((a) => a).length}/${S.etas.length} η`, pass: above.every((a) => a), main: false });
  }
  return { verdict, ...judge("ranking models by the test loss predicted from statistics at init beats ranking by the loss at init or by the parameter count", checks, partial) };
}

export function makeModelSelectionExperiment(sizes: { quick: ModelSelectionSizes; full: ModelSelectionSizes } = MODEL_SELECTION_SIZES): Experiment {
  return {
    id: "model-selection",
    title: "Myopic model selection: rank models by the predicted test loss from statistics at init vs the rank after training",
    figure: "figure 10 (docs/theory.md#overfitting-and-model-selection)",
    modelLabels: (quick) => [...sizes[quick ? "quick" : "full"].candidates, ...sizes[quick ? "quick" : "full"].optionalCandidates].map(modelLabel),
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const t0 = performance.now();
      const S = ctx.quick ? sizes.quick : sizes.full;
      const specs = selectModels(ctx, [...S.candidates.map((spec) => ({ spec, runs: S.runs })), ...S.optionalCandidates.map((spec) => ({ spec, runs: S.optionalRuns }))]);
      await prepareNumerics(specs.map((s) => s.spec));
      const T = S.N * S.epochs;
      const { models, partial } = await measureCandidates(ctx, S, specs);
      const intervals = tauIntervals(models, S.etas, TAU_BOOTSTRAP, ctx.seed);
      const { rows, taus, scatter } = rankingRows(models, S.etas, T, intervals);
      const spec = modelSelectionPlot(rows, scatter, models.length, T);
      return {
        id: "model-selection",
        rows,
        plots: [{ name: "model-selection", spec, caption: "Left: points on the diagonal are models ranked after training where the prediction from init put them; right: each ranker's Kendall's τ (1 = the same order) with its 95% interval — the prediction's bars should stand above the baselines'." }],
        ...modelSelectionVerdict(models.length, taus, S, [], intervals, partial),
        partial,
        details: { sizes: S, taus, tauIntervals: intervals, tauBootstrap: { resamples: TAU_BOOTSTRAP, over: "each candidate's training runs", seed: ctx.seed }, skipped: [], seconds: (performance.now() - t0) / 1000 },
      };
    },
  };
}

export const modelSelectionExperiment: Experiment = makeModelSelectionExperiment();
