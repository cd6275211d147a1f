/**
 * Figures 8 and 9 (docs/theory.md#epochs-and-shuffling): `E` epochs at `η/E` vs one epoch at `η` on the same
 * `N = 10` Fashion-MNIST points (same `ηT`), measured as paired differences against the
 * engine's prediction — whose order-η² part is the corrected
 * `(N(E−1)/(2E))·η²·[GHG + ½G·∇trC]` (the GHG discretization term is real); the GD limit
 * `E → ∞`; and inter-epoch shuffling, which the engine says changes nothing through `η³`: its
 * first effect is the order-η⁴ difference of the shuffled and unshuffled coefficients, predicted
 * from the few order-4 diagrams whose coefficients differ (measured on the model once) and
 * drawn against the measured differences.
 *
 * @module
 */
import { namedSeed } from "../stats/seeds.js";
import { Rational } from "../algebra/rational.js";
import { coefficientTable } from "../diagrams/table.js";
import { gdSchedule, sgdSchedule, type Schedule } from "../schedule/schedule.js";
import { type Optimizer, sgdOptimizer } from "../simulate/optimizers.js";
import { type Estimate, estimateMean, meanInterval, Z_95 } from "../stats/estimate.js";
import { Checkpoint } from "../harness/checkpoint.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import { fmt, type PlotRow } from "../plot/plotSpecs.js";
import { bankDiagramValue, type BankSizes, cachedTable, modelBank, modelSeries, REAL_BANK_SIZES, REAL_TEST_SIZE } from "../harness/bank.js";
import { unitSeed } from "../harness/checkpoint.js";
import { sampleValuesAtInit } from "../harness/populationStats.js";
import type { Model } from "../harness/model.js";
import { interrupted, judge, type VerdictCheck } from "../harness/verdict.js";
import type { DiagramRecord } from "../diagrams/format.js";
import { loadModel, modelLabel, type ModelSpec, prepareNumerics } from "../harness/model.js";
import { agrees, epochOptimizer, pairedDiff, type PairedRuns, pairedRuns } from "../harness/pairedRuns.js";
import { type CurvePoint, predictCurve, seriesDifference } from "../predict/curve.js";
import { curvePanel, grid } from "../plot/realDataPlots.js";

export interface EpochSizes {
  readonly model: ModelSpec;
  readonly N: number;
  readonly epochs: readonly number[];
  /** GD steps used for the `E → ∞` limit (rate `N/gdSteps` each, the same total time `ηN`). */
  readonly gdSteps: number;
  readonly etas: readonly number[];
  readonly runs: number;
  readonly chunk: number;
  readonly bank: BankSizes;
  readonly testSize: number;
  /** Small `N` on which the engine finds the first order where shuffling matters. */
  readonly shuffleProbe: { readonly Ns: readonly number[]; readonly epochs: number; readonly maxOrder: number };
}

const ETAS = [0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2];

export const EPOCH_SIZES: { readonly quick: EpochSizes; readonly full: EpochSizes } = {
  quick: {
    model: { data: "fashion", model: "logistic", initSeed: 0 },
    N: 10,
    epochs: [2, 3, 5, 8],
    gdSteps: 80,
    etas: ETAS,
    runs: 300,
    chunk: 150,
    bank: REAL_BANK_SIZES.quick,
    testSize: REAL_TEST_SIZE.quick,
    shuffleProbe: { Ns: [2, 3], epochs: 2, maxOrder: 4 },
  },
  full: {
    model: { data: "fashion", model: "logistic", initSeed: 0 },
    N: 10,
    epochs: [2, 3, 5, 8],
    gdSteps: 80,
    etas: ETAS,
    runs: 3000,
    chunk: 250,
    bank: REAL_BANK_SIZES.full,
    testSize: REAL_TEST_SIZE.full,
    shuffleProbe: { Ns: [2, 3, 4], epochs: 2, maxOrder: 4 },
  },
};

/** The optimizers of one run, in order: 1 epoch; per E: unshuffled, shuffled; the GD limit. */
function optimizerList(S: EpochSizes): { list: Optimizer[]; one: number; unshuffled: Map<number, number>; shuffled: Map<number, number>; gdLimit: number } {
  const list: Optimizer[] = [epochOptimizer(S.N, 1, false)];
  const unshuffled = new Map<number, number>();
  const shuffled = new Map<number, number>();
  for (const E of S.epochs) {
    unshuffled.set(E, list.push(epochOptimizer(S.N, E, true, false)) - 1);
    shuffled.set(E, list.push(epochOptimizer(S.N, E, true, true)) - 1);
  }
  const gdLimit = list.push(sgdOptimizer(gdLimitSchedule(S))) - 1;
  return { list, one: 0, unshuffled, shuffled, gdLimit };
}

function gdLimitSchedule(S: EpochSizes): Schedule {
  return gdSchedule(S.N, S.gdSteps, { etaScale: new Array<Rational>(S.gdSteps).fill(Rational.of(S.N, S.gdSteps)) });
}

interface Shared {
  readonly label: string;
  readonly runs: PairedRuns;
  readonly layout: ReturnType<typeof optimizerList>;
  /** Predicted (E-epoch − 1-epoch) curves per E, and for the GD limit (key 0). */
  readonly predicted: Map<number, CurvePoint[]>;
  /** Predicted shuffled − unshuffled per E (orders ≤ 3 of the bank: exactly 0 by the engine). */
  readonly predictedShuffle: Map<number, CurvePoint[]>;
  /** The order-η⁴ coefficient of shuffled − unshuffled per E, with its per-tuple standard error. */
  readonly shuffleOrder4: Map<number, Estimate>;
  /** `G·E[H_x g_x] = GHG + ½G·∇trC` with its standard error. */
  readonly tiedChain: { value: number; stderr: number };
  readonly probe: { N: number; firstOrder: number | null; maxOrder: number }[];
}

const memo = new Map<string, Promise<Shared | null>>();

function shared(ctx: ExperimentContext, S: EpochSizes): Promise<Shared | null> {
  const key = JSON.stringify({ S, seed: ctx.seed });
  let p = memo.get(key);
  if (p === undefined) {
    p = compute(ctx, S);
    memo.set(key, p);
    p.then((d) => d === null && memo.delete(key), () => memo.delete(key));
  }
  return p;
}

async function compute(ctx: ExperimentContext, S: EpochSizes): Promise<Shared | null> {
  await prepareNumerics([S.model]);
  const cp = Checkpoint.open(ctx.outDir, { experiment: "epochs-shuffling", version: 1, seed: ctx.seed, sizes: S });
  const model = loadModel(S.model, S.testSize, ctx.seed);
  if (model === null) throw new Error(`epochs: model ${S.model.model} not available`);
  const layout = optimizerList(S);
  const bank = modelBank(cp, ctx, model, "test", S.bank);
  const runs = await pairedRuns(cp, ctx, `runs:${model.label}`, model, S.N, layout.list, S.etas, S.runs, S.chunk, `epochs: ${model.label}`);
  if (runs === null) return null;
  const order = S.bank.order;
  const one = modelSeries(model, bank, layout.list[0].schedule, order, "test");
  const predicted = new Map<number, CurvePoint[]>();
  const predictedShuffle = new Map<number, CurvePoint[]>();
  for (const E of S.epochs) {
    const u = modelSeries(model, bank, layout.list[layout.unshuffled.get(E)!].schedule, order, "test");
    const sh = modelSeries(model, bank, layout.list[layout.shuffled.get(E)!].schedule, order, "test");
    predicted.set(E, predictCurve(seriesDifference(u, one), S.etas, order, namedSeed(ctx.seed, `ode fit: ${E} epochs`)));
    predictedShuffle.set(E, predictCurve(seriesDifference(sh, u), S.etas, order, namedSeed(ctx.seed, `ode fit: shuffled, ${E} epochs`)));
  }
  predicted.set(0, predictCurve(seriesDifference(modelSeries(model, bank, gdLimitSchedule(S), order, "test"), one), S.etas, order, namedSeed(ctx.seed, "ode fit: GD limit")));
  const tiedChain = bankDiagramValue(bank, "test", "v1:(.(A(A)))");
  // Where does shuffling first change the coefficients? (exact, small N)
  const probe = S.shuffleProbe.Ns.map((N) =>
    cp.unit(`probe:N=${N}`, () => {
      const P = S.shuffleProbe;
      let firstOrder: number | null = null;
      const a = new Map(coefficientTable(sgdSchedule(N, { epochs: P.epochs }), P.maxOrder, "test", { polynomial: false }).map((r) => [r.key, r]));
      const b = coefficientTable(sgdSchedule(N, { epochs: P.epochs, shuffle: true }), P.maxOrder, "test", { polynomial: false });
      const seen = new Set<string>();
      for (const r of b) {
        seen.add(r.key);
        if (a.get(r.key)?.coefficient !== r.coefficient) firstOrder = Math.min(firstOrder ?? Infinity, r.order);
      }
      for (const [k, r] of a) if (!seen.has(k)) firstOrder = Math.min(firstOrder ?? Infinity, r.order);
      return { N, firstOrder, maxOrder: P.maxOrder };
    }),
  );
  const shuffleOrder4 = shuffleOrder4Coefficients(cp, ctx, model, S);
  return { label: model.label, runs, layout, predicted, predictedShuffle, shuffleOrder4, tiedChain, probe };
}

/**
 * The order-η⁴ coefficient of (shuffled − unshuffled) test loss per E: the engine's exact
 * coefficient differences of the order-4 diagrams (only a few differ), times those diagrams'
 * values measured on the model with the bank's sizes (its own tuples; saved in the checkpoint).
 */
function shuffleOrder4Coefficients(cp: Checkpoint, ctx: ExperimentContext, model: Model, S: EpochSizes): Map<number, Estimate> {
  const diffs = S.epochs.map((E) => {
    // A diagram may appear in one table only (its coefficient is 0 in the other).
    // The runs' schedules scale every step's rate by 1/E; their order-4 coefficients are those of
    // the unscaled schedules times E⁻⁴ (the engine is much faster without per-step scales).
    const un = cachedTable(sgdSchedule(S.N, { epochs: E }), 4, "test").filter((r) => r.order === 4);
    const sh = cachedTable(sgdSchedule(S.N, { epochs: E, shuffle: true }), 4, "test").filter((r) => r.order === 4);
    const byKey = new Map<string, { record: DiagramRecord; delta: number }>();
    const coefficient = (rs: readonly DiagramRecord[], key: string) => Rational.parse(rs.find((r) => r.key === key)?.coefficient ?? "0");
    for (const r of [...un, ...sh]) {
      if (byKey.has(r.key)) continue;
      const delta = coefficient(sh, r.key).sub(coefficient(un, r.key));
      if (!delta.isZero()) byKey.set(r.key, { record: r, delta: delta.toNumber() / E ** 4 });
    }
    return { E, byKey };
  });
  const records = [...new Map(diffs.flatMap((d) => [...d.byKey.values()].map((x) => [x.record.key, x.record] as const))).values()];
  const out = new Map<number, Estimate>();
  if (records.length === 0) {
    for (const E of S.epochs) out.set(E, { value: 0, stderr: 0, n: 0 });
    return out;
  }
  const key = `shuffle-order4:${model.label}:test=${model.testSet.length}:n${S.bank.tuples}:b${S.bank.batch}:${records.map((r) => r.key).join(",")}`;
  const values = cp.unit(key, () => {
    const label = `order-4 shuffling diagrams: ${model.label}`;
    const replicates = Math.min(S.bank.replicates ?? 8, S.bank.batch);
    return sampleValuesAtInit(model, [{ loss: "test", diagrams: records }], { tuples: S.bank.tuples, batch: S.bank.batch, replicates }, unitSeed(ctx.seed, key), (d, n) => ctx.progress(label, d, n))[0];
  });
  for (const { E, byKey } of diffs) {
    const per = values.map((row) => records.reduce((acc, r, j) => acc + (byKey.get(r.key)?.delta ?? 0) * row[j], 0));
    out.set(E, estimateMean(per));
  }
  return out;
}

/** `(N(E−1)/(2E))·η²·G·E[H_x g_x]`, the corrected order-η² closed form of docs/theory.md#epochs-and-shuffling. */
function closedForm(N: number, E: number, eta: number, tied: number): number {
  return ((N * (E - 1)) / (2 * E)) * eta * eta * tied;
}

/** The claim epochs' verdict judges. */
const EPOCHS_CLAIM = "the engine predicts (E epochs at η/E) − (1 epoch at η), including its order-η² term (N(E−1)/2E)η²·G·E[H_x g_x]";

export function makeEpochsExperiment(sizes: { quick: EpochSizes; full: EpochSizes } = EPOCH_SIZES): Experiment {
  return {
    id: "epochs",
    modelLabels: (quick) => [modelLabel(sizes[quick ? "quick" : "full"].model)],
    title: "E epochs at η/E vs one epoch at η (N = 10, Fashion logistic): measured paired differences vs the engine's prediction",
    figure: "figure 8 (docs/theory.md#epochs-and-shuffling)",
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const t0 = performance.now();
      const S = ctx.quick ? sizes.quick : sizes.full;
      const d = await shared(ctx, S);
      if (d === null) return { id: "epochs", rows: [], plots: [], ...interrupted(EPOCHS_CLAIM), verdict: "interrupted", partial: true };
      const rows: PlotRow[] = [];
      const panels: object[] = [];
      const verdictParts: string[] = [];
      let small = 0;
      let smallWithin = 0;
      for (const E of [...S.epochs, 0]) {
        const idx = E === 0 ? d.layout.gdLimit : d.layout.unshuffled.get(E)!;
        const pred = d.predicted.get(E)!;
        const meas: PlotRow[] = [];
        const lines: PlotRow[] = [];
        const band: PlotRow[] = [];
        const name = E === 0 ? `GD limit (E → ∞: ${S.gdSteps} GD steps of η·${S.N}/${S.gdSteps})` : `E = ${E}`;
        let within = 0;
        let count = 0;
        S.etas.forEach((eta, i) => {
          const m = pairedDiff(d.runs, idx, d.layout.one, i, "test");
          const p = pred[i];
          const cf = E === 0 ? NaN : closedForm(S.N, E, eta, d.tiedChain.value);
          const etaT = eta * S.N;
          const ok2 = agrees(p.poly[2], m);
          const ok3 = agrees(p.poly[3], m);
          rows.push({
            E: E === 0 ? "GD limit" : E,
            eta,
            etaT,
            measured: m.mean,
            ci95: m.ci95,
            runs: m.runs,
            order2: p.poly[2].value,
            order2_se: p.poly[2].stderr,
            order3: p.poly[3].value,
            order3_se: p.poly[3].stderr,
            closed_form_order2: cf,
            order2_within: ok2,
            order3_within: ok3,
          });
          if (etaT <= 0.5 + 1e-12 && E !== 0) {
            small++;
            if (ok3) smallWithin++;
            count++;
            if (ok3) within++;
          }
          meas.push({ eta, value: m.mean, lo: m.mean - m.ci95, hi: m.mean + m.ci95, series: "measured (paired, 95% CI)" });
          lines.push({ eta, value: p.poly[2].value, series: "predicted order 2" });
          lines.push({ eta, value: p.poly[3].value, series: "predicted order 3" });
          if (E !== 0) lines.push({ eta, value: cf, series: "closed form (N(E−1)/2E)η²(GHG + ½G∇trC)" });
          const half = Z_95 * p.poly[3].stderr;
          band.push({ eta, lo: p.poly[3].value - half, hi: p.poly[3].value + half, series: "order-3 prediction ± 1.96 se" });
        });
        panels.push(curvePanel(name, { field: "eta", title: "η (one-epoch rate; ηT = 10η)", log: true }, "test loss: E epochs − 1 epoch", meas, lines, band));
        if (E !== 0) {
          const last = rows[rows.length - 1];
          verdictParts.push(`E=${E}: ${within}/${count} within for ηT ≤ 0.5; at η=${last.eta} measured ${fmt(last.measured as number)}±${fmt(last.ci95 as number, 2)} vs order 3 ${fmt(last.order3 as number)}`);
        }
      }
      const verdict = `order-3 prediction of (E epochs at η/E) − (1 epoch at η) within the 95% intervals for ${smallWithin}/${small} (E, η) with ηT ≤ 0.5; ` + verdictParts.join("; ");
      return {
        id: "epochs",
        rows,
        plots: [{ name: "epochs", spec: grid(`E epochs at η/E minus one epoch at η, ${d.label}, N = ${S.N}: measured vs predicted`, panels, 3), caption: "Per E (and the GD limit E → ∞): the measured paired difference should follow the order-2 and order-3 predictions and the closed form at small ηT." }],
        verdict,
        ...judge(EPOCHS_CLAIM, [
          { criterion: `order 3 inside the 95% interval at ${smallWithin}/${small} (E, η) with ηT ≤ 0.5 (need ≥ 90%)`, pass: small > 0 && smallWithin >= 0.9 * small, main: true },
        ]),
        details: { sizes: S, tiedChain: d.tiedChain, seconds: (performance.now() - t0) / 1000, note: "the closed form uses GHG + ½G·∇trC = G·E[H_x g_x], the diagram E[∇l(H_x g_x)]" },
      };
    },
  };
}

/** The claim shuffling's verdict judges. */
const SHUFFLING_CLAIM = "inter-epoch shuffling changes the test loss first at order η⁴, by the engine's order-4 difference";

export function makeShufflingExperiment(sizes: { quick: EpochSizes; full: EpochSizes } = EPOCH_SIZES): Experiment {
  return {
    id: "shuffling",
    modelLabels: (quick) => [modelLabel(sizes[quick ? "quick" : "full"].model)],
    title: "Inter-epoch shuffling: shuffled minus unshuffled multi-epoch SGD, measured vs the engine (zero through η³, its order-η⁴ difference)",
    figure: "figure 9 (docs/theory.md#epochs-and-shuffling)",
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const t0 = performance.now();
      const S = ctx.quick ? sizes.quick : sizes.full;
      const d = await shared(ctx, S);
      if (d === null) return { id: "shuffling", rows: [], plots: [], ...interrupted(SHUFFLING_CLAIM), verdict: "interrupted", partial: true };
      const rows: PlotRow[] = [];
      const panels: object[] = [];
      let n = 0;
      let within = 0;
      let withinZero = 0;
      let maxAbsPred = 0;
      for (const E of S.epochs) {
        const pred = d.predictedShuffle.get(E)!;
        const c4 = d.shuffleOrder4.get(E)!;
        const meas: PlotRow[] = [];
        const lines: PlotRow[] = [];
        const band: PlotRow[] = [];
        S.etas.forEach((eta, i) => {
          const m = pairedDiff(d.runs, d.layout.shuffled.get(E)!, d.layout.unshuffled.get(E)!, i, "test");
          const p = pred[i].poly[3];
          maxAbsPred = Math.max(maxAbsPred, Math.abs(p.value));
          const p4: Estimate = { value: p.value + c4.value * eta ** 4, stderr: Math.hypot(p.stderr, c4.stderr * eta ** 4), n: c4.n };
          const ok = agrees(p4, m);
          n++;
          if (ok) within++;
          if (agrees(p, m)) withinZero++;
          rows.push({ kind: "measured", E, eta, etaT: eta * S.N, measured: m.mean, ci95: m.ci95, runs: m.runs, predicted_order3: p.value, predicted_order4: p4.value, predicted_order4_se: p4.stderr, within: ok });
          meas.push({ eta, value: m.mean, lo: m.mean - m.ci95, hi: m.mean + m.ci95, series: "shuffled − unshuffled (paired, 95% CI)" });
          lines.push({ eta, value: p.value, series: "engine through η³: 0" });
          lines.push({ eta, value: p4.value, series: "engine through η⁴" });
          band.push({ eta, lo: p4.value - Z_95 * p4.stderr, hi: p4.value + Z_95 * p4.stderr, series: "order-4 prediction ± 1.96 se" });
        });
        panels.push(curvePanel(`E = ${E} epochs at η/E`, { field: "eta", title: "η (ηT = 10η)", log: true }, "test loss difference (nats)", meas, lines, band));
      }
      for (const p of d.probe) rows.push({ kind: "engine", N: p.N, epochs: S.shuffleProbe.epochs, first_order_where_shuffling_matters: p.firstOrder ?? `> ${p.maxOrder}` });
      const perE = shufflingTests(d, S);
      for (const p of perE) rows.push({ kind: "per-E test", E: p.E, resolution: p.resolution, z: p.z, consistent_with_zero: p.consistentZero, z_order4: p.z4, consistent_with_order4: p.consistent4, order4_coefficient: p.c4.value, order4_coefficient_se: p.c4.stderr });
      const failed4 = perE.filter((p) => !p.consistent4).length;
      const failed0 = perE.filter((p) => !p.consistentZero).length;
      // A 95% test per E: at most one of the E values (or a quarter) may reject by chance.
      const allowed = Math.max(1, Math.floor(0.25 * perE.length));
      const nonzero4 = perE.filter((p) => p.c4.value !== 0).length;
      const resolved = perE.filter((p) => p.resolution >= 1).length;
      const probeText = d.probe.map((p) => `N=${p.N}: order ${p.firstOrder ?? `> ${p.maxOrder}`}`).join(", ");
      const checks: VerdictCheck[] = [
        { criterion: `engine: shuffled = unshuffled through η³ (largest |predicted difference| ${fmt(maxAbsPred)}), different at η⁴ for ${nonzero4}/${perE.length} E`, pass: maxAbsPred === 0 && nonzero4 === perE.length, main: true },
        { criterion: `measured difference consistent with the order-4 prediction for ${perE.length - failed4}/${perE.length} E (one test per E, need ≥ ${perE.length - allowed})`, pass: failed4 <= allowed, main: true },
        { criterion: `order 4 inside the 95% interval at ${within}/${n} (E, η) (need ≥ 90%)`, pass: within >= 0.9 * n, main: false },
        // Agreement only means something if the measurement could tell the η⁴ term from 0.
        { criterion: `the η⁴ effect resolved: |predicted| ≥ the per-E test's 95% half-width for ${resolved}/${perE.length} E (largest ratio ${fmt(Math.max(...perE.map((p) => p.resolution)), 2)})`, pass: resolved > 0, main: false },
      ];
      const verdict =
        `order-4 difference per E (c₄ of η⁴ ± se): ${perE.map((p) => `E=${p.E}: ${fmt(p.c4.value, 3)} ± ${fmt(p.c4.stderr, 2)}`).join(", ")}; ` +
        `per-E tests against the order-4 prediction z = ${perE.map((p) => fmt(p.z4, 2)).join(", ")}; against 0 (the truncation through η³) z = ${perE.map((p) => fmt(p.z, 2)).join(", ")} ` +
        `(consistent with 0 for ${perE.length - failed0}/${perE.length} E; per (E, η): ${withinZero}/${n}); first order where shuffling changes the ${S.shuffleProbe.epochs}-epoch coefficients at small N: ${probeText}`;
      return {
        id: "shuffling",
        rows,
        plots: [
          {
            name: "shuffling",
            spec: grid(`Shuffled minus unshuffled, ${d.label}, N = ${S.N}: measured vs the engine`, panels, 4),
            caption: "Per E: the measured shuffled − unshuffled differences (points, 95% intervals) against the engine, which predicts 0 through η³ and then its order-η⁴ curve (band: its 95% interval); the points should follow the η⁴ curve.",
          },
        ],
        verdict,
        ...judge(SHUFFLING_CLAIM, checks),
        details: { sizes: S, probe: d.probe, order4: Object.fromEntries(d.shuffleOrder4), seconds: (performance.now() - t0) / 1000 },
      };
    },
  };
}

/**
 * One test per E (all η share the same runs, so the (E, η) comparisons are strongly
 * correlated): the run-wise differences scaled by 1/η² and averaged over the grid, against 0
 * (`z`) and against the order-4 prediction `c₄·mean(η²)` (`z4`, the prediction's standard error
 * from its own tuples added in quadrature).
 */
function shufflingTests(d: Shared, S: EpochSizes): { E: number; z: number; consistentZero: boolean; z4: number; consistent4: boolean; c4: Estimate; resolution: number }[] {
  const meanEta2 = S.etas.reduce((acc, eta) => acc + eta * eta, 0) / S.etas.length;
  return S.epochs.map((E) => {
    const a = d.layout.shuffled.get(E)!;
    const b = d.layout.unshuffled.get(E)!;
    const xs: number[] = [];
    for (const run of d.runs.results) {
      let s = 0;
      let ok = true;
      S.etas.forEach((eta, i) => {
        const x = run[a][i];
        const y = run[b][i];
        if (x.diverged !== undefined || y.diverged !== undefined) ok = false;
        else s += (x.test - y.test) / (eta * eta);
      });
      if (ok) xs.push(s / S.etas.length);
    }
    const m = meanInterval(xs);
    const c4 = d.shuffleOrder4.get(E)!;
    const predicted = c4.value * meanEta2;
    const se = Math.hypot(m.stderr, c4.stderr * meanEta2);
    const z4 = (m.mean - predicted) / se;
    // |prediction| / the 95% half-width of the test: below 1, the data cannot tell the η⁴ term from 0.
    const resolution = Math.abs(predicted) / (Z_95 * se);
    return { E, z: m.mean / m.stderr, consistentZero: Math.abs(m.mean) <= m.ci95, z4, consistent4: Math.abs(z4) <= Z_95, c4, resolution };
  });
}

export const epochsExperiment: Experiment = makeEpochsExperiment();
export const shufflingExperiment: Experiment = makeShufflingExperiment();
