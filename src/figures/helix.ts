/**
 * Figure 12, the thermodynamic engine (docs/theory.md#thermodynamic-engine): SGD on the helix drifts along a
 * valley of global minima at the rate the resummed entropic force predicts from the
 * landscape's measured moments; it goes round the valley made circular and climbs a tilted one.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { coefficientTable } from "../diagrams/table.js";
import { helix } from "../landscapes/builtin.js";
import { initNumerics } from "../numerics/index.js";
import { entropicDrift, propagatorIntegral, propagatorSum, type PropagatorKind, symmetricEigen } from "../predict/index.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { simulateHelix, type HelixSimulationResult } from "../simulate/helixSgd.js";
import { Z_95 } from "../stats/estimate.js";
import { estimateFromSums, mergeSums, type Sums } from "../stats/sums.js";
import { Rng } from "../stats/rng.js";
import { Checkpoint, runChunksAsync } from "../harness/checkpoint.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import { bandLayer, fmt, frame, lineLayer, type PlotRow } from "../plot/plotSpecs.js";
import { measureTensors, populationMoments, tensorDiagramValue, type TensorPopulation } from "../predict/tensorPopulation.js";
import { judge, type Judgement } from "../harness/verdict.js";

/** Sizes of one run of the helix experiment. */
export interface HelixSizes {
  readonly etas: readonly number[];
  readonly T: number;
  readonly runs: number;
  /** Runs per resumable chunk. */
  readonly chunk: number;
  readonly recordEvery: number;
  readonly circular: { readonly eta: number; readonly T: number; readonly runs: number; readonly chunk: number; readonly recordEvery: number };
  readonly tilted: { readonly eta: number; readonly alpha: number; readonly T: number; readonly runs: number; readonly chunk: number; readonly recordEvery: number };
}

/** Quick and full sizes (full: the paper's T = 10⁴ with 10× its 200 runs). */
export const HELIX_SIZES: { readonly quick: HelixSizes; readonly full: HelixSizes } = {
  quick: {
    etas: [0.01, 0.02, 0.05, 0.1],
    T: 10_000,
    runs: 200,
    chunk: 100,
    recordEvery: 100,
    circular: { eta: 0.1, T: 400_000, runs: 4, chunk: 4, recordEvery: 2000 },
    tilted: { eta: 0.1, alpha: 0.005, T: 10_000, runs: 200, chunk: 100, recordEvery: 100 },
  },
  full: {
    etas: [0.01, 0.02, 0.05, 0.1],
    T: 10_000,
    runs: 2000,
    chunk: 250,
    recordEvery: 100,
    circular: { eta: 0.1, T: 1_000_000, runs: 16, chunk: 4, recordEvery: 2000 },
    tilted: { eta: 0.1, alpha: 0.005, T: 20_000, runs: 1000, chunk: 250, recordEvery: 200 },
  },
};

/** Period of `z` in the circular version: `z ~ z + 200π`. */
export const CIRCLE_PERIOD = 200 * Math.PI;

interface Moments {
  readonly G: number[];
  readonly H: number[];
  readonly J: number[];
  readonly C: number[];
}

type Chunk = Pick<HelixSimulationResult, "runs" | "times" | "z" | "loss"> & { tracks?: number[][] };

/** Mean, standard error and 95% half-width at each recorded time from merged chunks (stats/sums.ts). */
function merge(chunks: readonly Chunk[]): { times: number[]; z: { mean: number; half: number; stderr: number }[]; loss: { mean: number; half: number }[]; runs: number } {
  const times = [...chunks[0].times];
  const stat = (of: (c: Chunk) => Sums[], i: number) => {
    const e = estimateFromSums(mergeSums(chunks.map((c) => of(c)[i])));
    return { mean: e.value, half: Z_95 * e.stderr, stderr: e.stderr };
  };
  return {
    times,
    runs: chunks.reduce((s, c) => s + c.runs, 0),
    z: times.map((_, i) => stat((c) => c.z, i)),
    loss: times.map((_, i) => stat((c) => c.loss, i)),
  };
}

/**
 * The resummed first-order drift `E[θ_T − θ0] = −η W_T(ηH) G` (the untied chains of
 * docs/theory.md#resummation summed; `W_T = P_T` continuous, `D_T` discrete), exact for the linear
 * part of the dynamics; along a flat direction it is `−ηT G`.
 */
export function firstOrderDrift(G: ArrayLike<number>, H: ArrayLike<number>, eta: number, T: number, propagator: PropagatorKind = "continuous"): Float64Array {
  const P = G.length;
  const { values, vectors } = symmetricEigen(Float64Array.from(H), P);
  const out = new Float64Array(P);
  for (let mu = 0; mu < P; mu++) {
    let proj = 0;
    for (let a = 0; a < P; a++) proj += vectors[a * P + mu] * G[a];
    const k = eta * values[mu];
    const w = propagator === "continuous" ? propagatorIntegral(k, T) : propagatorSum(k, T);
    for (let a = 0; a < P; a++) out[a] -= eta * w * proj * vectors[a * P + mu];
  }
  return out;
}

/** Moments as the Float64Arrays the predictors take (checkpoints store plain arrays). */
function asArrays(m: Moments): { G: Float64Array; H: Float64Array; J: Float64Array; C: Float64Array } {
  return { G: Float64Array.from(m.G), H: Float64Array.from(m.H), J: Float64Array.from(m.J), C: Float64Array.from(m.C) };
}

/** Per-datum tensors of the helix at θ = 0, measured once per process and tilt. */
const TENSORS = new Map<number, TensorPopulation>();
function helixTensors(alpha: number): TensorPopulation {
  let t = TENSORS.get(alpha);
  if (t === undefined) TENSORS.set(alpha, (t = measureTensors(helix({ alpha }))));
  return t;
}

function measuredMoments(alpha: number): Moments {
  const m = populationMoments(helixTensors(alpha));
  return { G: [...m.G], H: [...m.H], J: [...m.J], C: [...m.C] };
}

/**
 * The engine's order-≤3 (un-resummed) series of `E[z_t]` at each `t`: `c_d(t)` for `d = 0..3`,
 * from the engine's exact coefficients and exact diagram values on the quadrature population
 * (the measured function is `s(θ) = z`: `∇s = e_z`, `∇^k s = 0` for `k ≥ 2`).
 */
export function unresummedSeries(alpha: number, times: readonly number[]): number[][] {
  const pop = helixTensors(alpha);
  const zOf = (vs: readonly Float64Array[]) => (vs.length === 1 ? vs[0][2] : 0);
  const values = new Map<string, number>();
  return times.map((t) => {
    const c = [0, 0, 0, 0];
    if (t === 0) return c;
    for (const r of coefficientTable(sgdSchedule(t), 3, "test", { polynomial: false })) {
      let v = values.get(r.key);
      if (v === undefined) values.set(r.key, (v = tensorDiagramValue(r, pop, zOf)));
      c[r.order] += Rational.parse(r.coefficient).toNumber() * v;
    }
    return c;
  });
}

type Merged = ReturnType<typeof merge>;
type MomentArrays = ReturnType<typeof asArrays>;

/** The final point of one η: measured `z_T` and its predictions. */
export interface HelixFinal {
  readonly eta: number;
  readonly mean: number;
  readonly half: number;
  readonly stderr: number;
  readonly runs: number;
  /** Resummed entropic drift, continuous and discrete propagators. */
  readonly cont: number;
  readonly disc: number;
  /** The un-resummed order-3 series. */
  readonly naive: number;
}

/** Runs `total` simulations of the helix in resumable chunks; merged, or null when interrupted. */
async function simulatedChunks(cp: Checkpoint, ctx: ExperimentContext, key: string, total: number, chunk: number, options: Omit<Parameters<typeof simulateHelix>[0], "runs" | "trackRuns">, label: string, track = false): Promise<{ merged: Merged; chunks: Chunk[] } | null> {
  const chunks = await runChunksAsync(cp, ctx, key, Math.ceil(total / chunk), (i, seed) => {
    const runs = Math.min(chunk, total - i * chunk);
    const r = simulateHelix({ ...options, runs, ...(track ? { trackRuns: runs } : {}) }, new Rng(seed));
    return { runs: r.runs, times: r.times, z: r.z, loss: r.loss, ...(track ? { tracks: r.tracks } : {}) } satisfies Chunk;
  }, label);
  return chunks === null ? null : { merged: merge(chunks), chunks };
}

/** One η's mean trajectory against the resummed (both propagators) and un-resummed drift, and its final point. */
export function trajectoryRows(m: Merged, eta: number, moments: MomentArrays, naive: readonly number[], T: number): { rows: PlotRow[]; final: HelixFinal } {
  const drift = (t: number, propagator: PropagatorKind) => entropicDrift(moments.C, moments.H, moments.J, eta, t, { propagator })[2];
  const rows = m.times.map((t, i) => ({ kind: "trajectory", eta, t, z: m.z[i].mean, lo: m.z[i].mean - m.z[i].half, hi: m.z[i].mean + m.z[i].half, resummed: drift(t, "continuous"), resummed_discrete: drift(t, "discrete"), unresummed: naive[i], chaudhari_soatto: 0 }));
  const last = m.times.length - 1;
  return { rows, final: { eta, mean: m.z[last].mean, half: m.z[last].half, stderr: m.z[last].stderr, runs: m.runs, cont: drift(T, "continuous"), disc: drift(T, "discrete"), naive: naive[last] } };
}

/** The final-point rows of every η. */
export function finalRows(finals: readonly HelixFinal[], T: number): PlotRow[] {
  return finals.map((f) => ({ kind: "final", eta: f.eta, t: T, runs: f.runs, z: f.mean, lo: f.mean - f.half, hi: f.mean + f.half, stderr: f.stderr, resummed: f.cont, resummed_discrete: f.disc, unresummed: f.naive, chaudhari_soatto: 0, relative_error: (f.cont - f.mean) / f.mean }));
}

type CircularSummary = { revs: number; half: number; predicted: number; predictedDiscrete: number };

/** The circular valley `z ~ z + 200π`: revolutions against the prediction, the orbits of the first tracked runs, and the summary at `T`. */
export function circularRows(m: Merged, tracks: readonly number[][], moments: MomentArrays, C: HelixSizes["circular"]): { rows: PlotRow[]; orbit: PlotRow[]; circ: CircularSummary } {
  const revs = (t: number, propagator: PropagatorKind) => entropicDrift(moments.C, moments.H, moments.J, C.eta, t, { propagator })[2] / CIRCLE_PERIOD;
  const rows = m.times.map((t, i) => ({ kind: "circular", eta: C.eta, t, revolutions: m.z[i].mean / CIRCLE_PERIOD, lo: (m.z[i].mean - m.z[i].half) / CIRCLE_PERIOD, hi: (m.z[i].mean + m.z[i].half) / CIRCLE_PERIOD, predicted: revs(t, "continuous"), predicted_discrete: revs(t, "discrete") }));
  const orbit: PlotRow[] = [];
  tracks.slice(0, 4).forEach((track, k) => {
    track.forEach((z, i) => {
      if (i % 5 !== 0 && i !== track.length - 1) return;
      const phi = z / 100; // angle on the circle: z/(200π)·2π
      const radius = 1 + 0.04 * k; // offset the runs so they do not overlap
      orbit.push({ run: `run ${k + 1}`, t: m.times[i], X: radius * Math.cos(phi), Y: radius * Math.sin(phi), order: i });
    });
  });
  const last = m.times.length - 1;
  return { rows, orbit, circ: { revs: m.z[last].mean / CIRCLE_PERIOD, half: m.z[last].half / CIRCLE_PERIOD, predicted: revs(C.T, "continuous"), predictedDiscrete: revs(C.T, "discrete") } };
}

type TiltSummary = { z: number; half: number; predicted: number; predictedDiscrete: number; loss: number; lossHalf: number };

/** The tilted valley `+αz`: `z` and the loss against the first-order plus entropic drift, and the summary at `T`. */
export function tiltedRows(m: Merged, tilted: MomentArrays, Tl: HelixSizes["tilted"]): { rows: PlotRow[]; tilt: TiltSummary } {
  const pred = (t: number, propagator: PropagatorKind = "continuous") =>
    entropicDrift(tilted.C, tilted.H, tilted.J, Tl.eta, t, { propagator })[2] + firstOrderDrift(tilted.G, tilted.H, Tl.eta, t, propagator)[2];
  const rows = m.times.map((t, i) => ({ kind: "tilted", eta: Tl.eta, alpha: Tl.alpha, t, z: m.z[i].mean, lo: m.z[i].mean - m.z[i].half, hi: m.z[i].mean + m.z[i].half, predicted: pred(t), predicted_discrete: pred(t, "discrete"), loss: m.loss[i].mean, loss_lo: m.loss[i].mean - m.loss[i].half, loss_hi: m.loss[i].mean + m.loss[i].half }));
  const last = m.times.length - 1;
  return { rows, tilt: { z: m.z[last].mean, half: m.z[last].half, predicted: pred(Tl.T), predictedDiscrete: pred(Tl.T, "discrete"), loss: m.loss[last].mean, lossHalf: m.loss[last].half } };
}

/** The verdict line and pass/fail of the helix figure. */
export function helixVerdict(S: HelixSizes, finals: readonly HelixFinal[], circ: CircularSummary | null, tilt: TiltSummary | null, partial: boolean): Judgement & { verdict: string } {
  const C = S.circular;
  const Tl = S.tilted;
  const within10 = finals.filter((f) => f.eta <= 0.05 + 1e-12).every((f) => Math.abs(f.cont - f.mean) <= 0.1 * Math.abs(f.mean));
  const alternativesOut = finals.every((f) => Math.abs(f.naive - f.mean) > f.half && Math.abs(f.mean) > f.half);
  const discreteInside = finals.filter((f) => Math.abs(f.disc - f.mean) <= f.half).length;
  const circOk = circ !== null && circ.revs - circ.half > 0;
  const tiltOk = tilt !== null && tilt.z - tilt.half > 0 && tilt.loss - tilt.lossHalf > 0;
  const parts = finals.map(
    (f) => `η=${f.eta}: z_T = ${fmt(f.mean, 4)} ± ${fmt(f.half, 2)} vs resummed ${fmt(f.cont, 4)} (${fmt((100 * (f.cont - f.mean)) / f.mean, 2)}%; discrete ${fmt(f.disc, 4)}), un-resummed ${fmt(f.naive, 3)}, 0`,
  );
  const verdict =
    (partial ? `interrupted (${finals.length}/${S.etas.length} learning rates done); rerun to resume. ` : "") +
    `T = ${S.T}, ${S.runs} runs: ${parts.join("; ")}. ` +
    `Resummed entropic drift from measured C, H, J within 10% for η ≤ 0.05: ${within10 ? "yes" : "no"}; with discrete propagators inside the 95% interval at ${discreteInside}/${finals.length} η; un-resummed and 0 outside every interval: ${alternativesOut ? "yes" : "no"}.` +
    (circ === null ? "" : ` Circular valley (η=${C.eta}, T=${C.T}): ${fmt(circ.revs, 3)} ± ${fmt(circ.half, 2)} revolutions counter-clockwise (predicted ${fmt(circ.predicted, 3)}; discrete ${fmt(circ.predictedDiscrete, 3)}).`) +
    (tilt === null ? "" : ` Tilted (+${Tl.alpha}z, η=${Tl.eta}): z_T = ${fmt(tilt.z, 3)} ± ${fmt(tilt.half, 2)} (predicted ${fmt(tilt.predicted, 3)}; discrete ${fmt(tilt.predictedDiscrete, 3)}), test loss rose by ${fmt(tilt.loss, 3)} ± ${fmt(tilt.lossHalf, 2)}: it climbs.`);
  const small = finals.filter((f) => f.eta <= 0.05 + 1e-12).length;
  const checks = [
    { criterion: `resummed entropic drift within 10% of the measured z_T at the ${small} η ≤ 0.05`, pass: within10, main: true },
    { criterion: `the un-resummed series and 0 outside the 95% interval at all ${finals.length} η`, pass: alternativesOut, main: true },
    { criterion: circ === null ? "circular valley not run" : `circular valley: ${fmt(circ.revs, 3)} ± ${fmt(circ.half, 2)} revolutions > 0`, pass: circOk, main: true },
    { criterion: tilt === null ? "tilted valley not run" : `tilted valley: z_T = ${fmt(tilt.z, 3)} ± ${fmt(tilt.half, 2)} > 0 and the loss rises (${fmt(tilt.loss, 3)} ± ${fmt(tilt.lossHalf, 2)})`, pass: tiltOk, main: true },
  ];
  return { verdict, ...judge("SGD drifts along a valley of minima at the resummed entropic rate, circulates around it and climbs it", checks, partial) };
}

/** Makes the helix experiment with the given sizes (tests use tiny ones). */
export function makeHelixExperiment(sizes: { quick: HelixSizes; full: HelixSizes } = HELIX_SIZES): Experiment {
  return {
    id: "helix",
    title: "Thermodynamic engine: SGD drifts along, circulates around and climbs a valley of minima",
    figure: "figure 12 (docs/theory.md#thermodynamic-engine)",
    async run(ctx: ExperimentContext): Promise<ExperimentResult> {
      const S = ctx.quick ? sizes.quick : sizes.full;
      const cp = Checkpoint.open(ctx.outDir, { experiment: "helix", version: 2, seed: ctx.seed, sizes: S });
      await initNumerics();
      ctx.progress("helix: moments", 0, 1);
      const moments = asArrays(cp.unit("moments", () => measuredMoments(0)));
      const tiltedMoments = asArrays(cp.unit("moments:tilted", () => measuredMoments(S.tilted.alpha)));
      ctx.progress("helix: moments", 1, 1);
      const trajectory: PlotRow[] = [];
      const finals: HelixFinal[] = [];
      let partial = false;
      for (const eta of S.etas) {
        const sim = await simulatedChunks(cp, ctx, `sgd:eta=${eta}`, S.runs, S.chunk, { eta, T: S.T, recordEvery: S.recordEvery }, `helix η=${eta}`);
        if (sim === null) {
          partial = true;
          break;
        }
        const series = cp.unit(`unresummed:T=${S.T}:every=${S.recordEvery}`, () => unresummedSeries(0, sim.merged.times));
        const naive = series.map((c) => c.reduce((acc, ck, d) => acc + ck * eta ** d, 0));
        const t = trajectoryRows(sim.merged, eta, moments, naive, S.T);
        trajectory.push(...t.rows);
        finals.push(t.final);
      }
      const rows: PlotRow[] = [...trajectory, ...finalRows(finals, S.T)];
      const C = S.circular;
      const circSim = partial ? null : await simulatedChunks(cp, ctx, `circular:eta=${C.eta}`, C.runs, C.chunk, { eta: C.eta, T: C.T, recordEvery: C.recordEvery }, "helix: circular valley", true);
      const circular = circSim === null ? null : circularRows(circSim.merged, circSim.chunks.flatMap((c) => c.tracks ?? []), moments, C);
      const Tl = S.tilted;
      const tiltSim = circSim === null ? null : await simulatedChunks(cp, ctx, `tilted:eta=${Tl.eta}:alpha=${Tl.alpha}`, Tl.runs, Tl.chunk, { eta: Tl.eta, T: Tl.T, alpha: Tl.alpha, recordEvery: Tl.recordEvery }, "helix: tilted valley");
      const tilted = tiltSim === null ? null : tiltedRows(tiltSim.merged, tiltedMoments, Tl);
      partial ||= tilted === null;
      rows.push(...(circular?.rows ?? []), ...(tilted?.rows ?? []));
      const landscapeRows = cp.unit("landscape", () => landscapePicture());
      const plots = [
        { name: "z-vs-t", spec: zVsTSpec(trajectory, S.T), caption: "The measured drift z along the valley should follow the resummed entropic prediction, not the un-resummed series nor 0." },
        { name: "landscape", spec: landscapeSpec(landscapeRows), caption: "The valley of minima: the mean-loss level set and the noise axis in the (u, v) plane at several z, turning along the helix." },
        ...(circular === null ? [] : [{ name: "circular", spec: circularSpec(circular.rows, circular.orbit, C.eta), caption: "On the circular valley the runs should go round counter-clockwise at the predicted rate." }]),
        ...(tilted === null ? [] : [{ name: "tilted", spec: tiltedSpec(tilted.rows, Tl.eta, Tl.alpha), caption: "Tilted against the drift (+αz), SGD should still climb: z and the loss both rise." }]),
      ];
      return {
        id: "helix",
        rows,
        plots,
        ...helixVerdict(S, finals, circular?.circ ?? null, tilted?.tilt ?? null, partial),
        partial,
        details: { sizes: S, seed: ctx.seed, moments: { G: [...moments.G], H: [...moments.H], J: [...moments.J], C: [...moments.C] }, alpha: S.tilted.alpha, tiltedG: [...tiltedMoments.G], resumedUnits: [...cp.resumed] },
      };
    },
  };
}

/** The mean-loss level set and the noise axis in the (u, v) plane at several z. */
function landscapePicture(): PlotRow[] {
  const rows: PlotRow[] = [];
  for (let k = 0; k < 4; k++) {
    const z = (k * Math.PI) / 4;
    const m = populationMoments(measureTensors(helix(), Float64Array.from([0, 0, z]), 2));
    const H2 = Float64Array.from([m.H[0], m.H[1], m.H[3], m.H[4]]);
    const C2 = Float64Array.from([m.C[0], m.C[1], m.C[3], m.C[4]]);
    const label = `z = ${k === 0 ? "0" : `${k}π/4`}`;
    const h = symmetricEigen(H2, 2);
    for (let i = 0; i <= 72; i++) {
      const phi = (2 * Math.PI * i) / 72;
      // {δ : ½ δᵀHδ = ½}: δ = V diag(h^{-1/2}) (cos φ, sin φ)
      const a = Math.cos(phi) / Math.sqrt(h.values[0]);
      const b = Math.sin(phi) / Math.sqrt(h.values[1]);
      rows.push({ z: label, kind: "mean loss = ½ (level set)", order: i, u: h.vectors[0] * a + h.vectors[1] * b, v: h.vectors[2] * a + h.vectors[3] * b });
    }
    const c = symmetricEigen(C2, 2);
    const top = c.values[1] >= c.values[0] ? 1 : 0;
    const sd = Math.sqrt(Math.max(0, c.values[top]));
    const ex = c.vectors[top];
    const ey = c.vectors[2 + top];
    rows.push({ z: label, kind: "gradient noise (±1 sd)", order: 0, u: -sd * ex, v: -sd * ey });
    rows.push({ z: label, kind: "gradient noise (±1 sd)", order: 1, u: sd * ex, v: sd * ey });
    const s = Math.sqrt(Math.max(0, h.values[1]));
    rows.push({ z: label, kind: "stiff Hessian axis", order: 0, u: -h.vectors[1] / s, v: -h.vectors[3] / s });
    rows.push({ z: label, kind: "stiff Hessian axis", order: 1, u: h.vectors[1] / s, v: h.vectors[3] / s });
  }
  return rows;
}

const Z_SERIES = ["SGD (mean, 95% band)", "resummed entropic drift (ours)", "resummed, discrete propagators", "un-resummed η³t(t−1)/4", "Chaudhari & Soatto: 0"];

function zVsTSpec(rows: readonly PlotRow[], T: number): object {
  const data: PlotRow[] = [];
  const measured: PlotRow[] = [];
  const etas = [...new Set(rows.map((r) => r.eta as number))];
  for (const eta of etas) {
    const mine = rows.filter((r) => r.eta === eta);
    const top = Math.max(...mine.map((r) => r.hi as number)) * 1.3;
    for (const r of mine) {
      const panel = `η = ${eta}`;
      measured.push({ panel, t: r.t, z: r.z, lo: r.lo, hi: r.hi, series: "SGD (mean, 95% band)" });
      data.push({ panel, t: r.t, value: r.resummed, series: "resummed entropic drift (ours)" });
      data.push({ panel, t: r.t, value: r.resummed_discrete, series: "resummed, discrete propagators" });
      data.push({ panel, t: r.t, value: r.chaudhari_soatto, series: "Chaudhari & Soatto: 0" });
      if ((r.unresummed as number) <= top) data.push({ panel, t: r.t, value: r.unresummed, series: "un-resummed η³t(t−1)/4" });
    }
  }
  return {
    ...frame(`Helix: z after t SGD steps (T = ${T})`, 0, 0),
    width: undefined,
    height: undefined,
    data: { values: [...measured.map((r) => ({ ...r, value: r.z })), ...data] },
    facet: { field: "panel", type: "nominal", title: null, sort: etas.map((e) => `η = ${e}`) },
    columns: 2,
    spec: {
      width: 300,
      height: 200,
      layer: [
        { transform: [{ filter: "datum.series == 'SGD (mean, 95% band)'" }], mark: { type: "area", opacity: 0.3 }, encoding: { x: { field: "t", type: "quantitative", title: "step t" }, y: { field: "lo", type: "quantitative", title: "z" }, y2: { field: "hi" }, color: { field: "series", type: "nominal", title: null } } },
        {
          mark: { type: "line", clip: true, strokeWidth: 1.8 },
          encoding: {
            x: { field: "t", type: "quantitative" },
            y: { field: "value", type: "quantitative", title: "z" },
            color: { field: "series", type: "nominal", title: null },
            strokeDash: { field: "series", type: "nominal", title: null, scale: { domain: Z_SERIES, range: [[1, 0], [6, 4], [2, 2], [8, 3, 2, 3], [1, 0]] } },
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  };
}

function landscapeSpec(rows: readonly PlotRow[]): object {
  return {
    ...frame("Helix valley: mean-loss level set, stiff Hessian axis and gradient-noise axis in the (u, v) plane", 0, 0),
    width: undefined,
    height: undefined,
    data: { values: rows },
    facet: { field: "z", type: "nominal", title: null },
    columns: 4,
    spec: {
      width: 170,
      height: 170,
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x: { field: "u", type: "quantitative", scale: { domain: [-1.1, 1.1] }, title: "u" },
        y: { field: "v", type: "quantitative", scale: { domain: [-1.1, 1.1] }, title: "v" },
        color: { field: "kind", type: "nominal", title: null },
        detail: { field: "kind" },
        order: { field: "order", type: "quantitative" },
      },
    },
  };
}

function circularSpec(revs: readonly PlotRow[], orbit: readonly PlotRow[], eta: number): object {
  const measured = revs.map((r) => ({ t: r.t, revolutions: r.revolutions, lo: r.lo, hi: r.hi, series: "SGD (mean, 95% band)" }));
  const predicted = [
    ...revs.map((r) => ({ t: r.t, revolutions: r.predicted, series: "resummed entropic drift" })),
    ...revs.map((r) => ({ t: r.t, revolutions: r.predicted_discrete, series: "resummed, discrete propagators" })),
  ];
  return {
    ...frame(`Circular valley z ~ z + 200π (η = ${eta}): SGD goes round counter-clockwise`, 0, 0),
    width: undefined,
    height: undefined,
    hconcat: [
      {
        width: 300,
        height: 300,
        title: "position on the circle (angle z/100)",
        data: { values: orbit },
        mark: { type: "line", strokeWidth: 1.2 },
        encoding: {
          x: { field: "X", type: "quantitative", scale: { domain: [-1.3, 1.3] }, title: "cos(z/100)" },
          y: { field: "Y", type: "quantitative", scale: { domain: [-1.3, 1.3] }, title: "sin(z/100)" },
          color: { field: "run", type: "nominal", title: null },
          order: { field: "order", type: "quantitative" },
        },
      },
      {
        width: 360,
        height: 300,
        title: "revolutions vs steps",
        layer: [
          { ...bandLayer(measured, { field: "t", title: "step t" }, { field: "revolutions", title: "revolutions" }) },
          lineLayer([...measured, ...predicted], { field: "t", title: "step t" }, { field: "revolutions", title: "revolutions (counter-clockwise)" }),
        ],
      },
    ],
  };
}

function tiltedSpec(rows: readonly PlotRow[], eta: number, alpha: number): object {
  const m = rows.map((r) => ({ t: r.t, value: r.z, lo: r.lo, hi: r.hi, series: "SGD z (95% band)" }));
  const p = [
    ...rows.map((r) => ({ t: r.t, value: r.predicted, series: "predicted (entropic drift − ηαt)" })),
    ...rows.map((r) => ({ t: r.t, value: r.predicted_discrete, series: "predicted, discrete propagators" })),
  ];
  const l = rows.map((r) => ({ t: r.t, value: r.loss, lo: r.loss_lo, hi: r.loss_hi, series: "test loss (95% band)" }));
  return {
    ...frame(`Tilted valley (+${alpha}·z, η = ${eta}): SGD climbs`, 0, 0),
    width: undefined,
    height: undefined,
    hconcat: [
      { width: 320, height: 240, title: "z", layer: [bandLayer(m, { field: "t", title: "step t" }, { field: "value", title: "z" }), lineLayer([...m, ...p], { field: "t", title: "step t" }, { field: "value", title: "z" })] },
      { width: 320, height: 240, title: "test loss", layer: [bandLayer(l, { field: "t", title: "step t" }, { field: "value", title: "test loss" }), lineLayer(l, { field: "t", title: "step t" }, { field: "value", title: "test loss" })] },
    ],
  };
}

/** The experiment at the default sizes. */
export const helixExperiment: Experiment = makeHelixExperiment();
