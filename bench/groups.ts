import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type BenchRow = Record<string, string | number>;
export interface BenchGroup {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchRow[]> | BenchRow[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs `script` (ESM, may import the built package as `PKG`) in a fresh Node process; returns its JSON line. */
export function inChild(script: string): Record<string, number> {
  const code = script.replaceAll("PKG", JSON.stringify(join(root, "dist", "index.js")));
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", maxBuffer: 1 << 30 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const diagrams: BenchGroup = {
  name: "diagrams",
  description: "full `diagrams --json` list for vanilla SGD, test loss (N = 10): wall time (median of 3 fresh processes) and peak memory",
  run() {
    const rows: BenchRow[] = [];
    for (const order of [4, 5, 6, 7, 8]) {
      const times: number[] = [];
      const rss: number[] = [];
      let count = 0;
      let total = 0;
      for (let rep = 0; rep < 3; rep++) {
        const r = inChild(`
          const { coefficientTable, sgdSchedule } = await import(PKG);
          const t0 = performance.now();
          const rows = coefficientTable(sgdSchedule(10), ${order}, "test");
          const json = JSON.stringify({ diagrams: rows });
          const ms = performance.now() - t0;
          console.log(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS / 1024, count: rows.filter((r) => r.order === ${order}).length, total: rows.length, bytes: json.length }));
        `);
        times.push(r.ms);
        rss.push(r.rss);
        count = r.count;
        total = r.total;
      }
      rows.push({ order, "diagrams at this order": count, "diagrams 0..order": total, "median ms": Math.round(median(times)), "peak RSS MiB": Math.round(median(rss)) });
    }
    return rows;
  },
};

const series: BenchGroup = {
  name: "series",
  description: "order-3 test-loss series, vanilla SGD T = 10, on a random 50-parameter polynomial landscape with 20 data (exact rationals); median of 3",
  run() {
    const times: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const r = inChild(`
        const { randomPolynomialLandscape, exactSeries, sgdSchedule } = await import(PKG);
        const l = randomPolynomialLandscape({ dim: 50, populationSize: 20, maxDegree: 4, termsPerDatum: 30, seed: ${rep + 1} });
        const t0 = performance.now();
        exactSeries(l, sgdSchedule(10), 3, "test");
        console.log(JSON.stringify({ ms: performance.now() - t0 }));
      `);
      times.push(r.ms);
    }
    return [{ case: "P = 50, population 20, order 3, T = 10", "median ms": Math.round(median(times)) }];
  },
};

const oracles: BenchGroup = {
  name: "oracles",
  description: "derivative-oracle throughput at θ = 0 on MNIST logistic (analytic float64 model): calls per second, median of 3 batches",
  run() {
    const r = inChild(`
      const { loadDataset, LogisticModel } = await import(PKG);
      const m = new LogisticModel(loadDataset("mnist"));
      const th = m.theta0();
      const v = Float64Array.from({ length: m.dim }, (_, j) => Math.sin(j));
      const rate = (f) => { const xs = []; for (let rep = 0; rep < 3; rep++) { const t0 = performance.now(); let n = 0; while (performance.now() - t0 < 500) { f(n % 10000); n++; } xs.push(n / ((performance.now() - t0) / 1000)); } xs.sort((a, b) => a - b); return xs[1]; };
      console.log(JSON.stringify({
        grad: rate((i) => m.directionalGradient(th, i, [])),
        hvp: rate((i) => m.directionalGradient(th, i, [v])),
        third: rate((i) => m.directionalGradient(th, i, [v, v])),
      }));
    `);
    return [
      { oracle: "gradient ∇l_x", "calls/s": Math.round(r.grad) },
      { oracle: "HVP ∇²l_x v", "calls/s": Math.round(r.hvp) },
      { oracle: "∇³l_x[v, v, ·]", "calls/s": Math.round(r.third) },
    ];
  },
};

const mainJob: BenchGroup = {
  name: "mainjob",
  description:
    "the default compare case (MNIST logistic, T = N = 10, 9 learning rates, order 3): prediction vs 2000 simulated runs (one core); " +
    "primary ratio: kernel-coordinate trainer (the one `compare` uses); secondary: plain θ-space sparse SGD",
  run() {
    const r = inChild(`
      const { defaultMainJobConfig, setupModel, predictMainJob, simulateMainJob, sgdSchedule, LogisticSparseTrainer } = await import(PKG);
      const c = defaultMainJobConfig(sgdSchedule(10));
      const setup = setupModel(c);
      // Cold: the first prediction in the process (JIT warm-up; data and sparse rows are loaded by setupModel).
      const first = predictMainJob({ ...c, seed: 0 }, setup);
      const preds = [], se = [[], [], [], []];
      for (let rep = 1; rep <= 5; rep++) {
        const p = predictMainJob({ ...c, seed: rep }, setup);
        preds.push(p.seconds);
        p.coefficients.forEach((e, k) => se[k].push(e.stderr));
      }
      const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      const simulate = simulateMainJob(c, setup).seconds;
      const sparse = new LogisticSparseTrainer(setup.oracle, setup.theta0, setup.testSet);
      const direct = simulateMainJob(c, { ...setup, train: (set, etas, rng) => sparse.run(set, c.schedule, etas, rng) }).seconds;
      const steps = c.runs * c.etas.length * 10;
      console.log(JSON.stringify({ cold: first.seconds, predict: med(preds), se1: med(se[1]), se2: med(se[2]), se3: med(se[3]), simulate, direct, steps, tuples: c.tuples, batch: c.batch }));
    `);
    return [
      { measure: `prediction, whole η grid (s, median of 5 after the first; ${r.tuples} tuples × ${r.batch})`, value: r.predict.toFixed(3) },
      { measure: "prediction, first in the process (s, after setupModel: incl. JIT warm-up)", value: r.cold.toFixed(3) },
      { measure: "standard errors of c1, c2, c3 (median of 5)", value: [r.se1, r.se2, r.se3].map((x) => x.toPrecision(2)).join(", ") },
      { measure: "2000 paired runs × 9 η, kernel trainer (s)", value: r.simulate.toFixed(2) },
      { measure: "ratio simulate / predict (kernel trainer; primary)", value: (r.simulate / r.predict).toFixed(1) },
      { measure: "ratio simulate / first prediction (kernel trainer)", value: (r.simulate / r.cold).toFixed(1) },
      { measure: "SGD steps per second (kernel trainer, incl. test loss)", value: Math.round(r.steps / r.simulate) },
      { measure: "2000 paired runs × 9 η, θ-space sparse SGD (s; secondary)", value: r.direct.toFixed(2) },
      { measure: "ratio θ-space simulate / predict (secondary)", value: (r.direct / r.predict).toFixed(1) },
      ...lenetSteps(),
    ];
  },
};

/**
 * MNIST LeNet, T = N = 10, 9 η: SGD steps per second on one core of the batched float32
 * trainer (`simulate --model lenet`: 28 runs × 9 η per call), with the final test loss over
 * 1000 test images (the default) and over 20 (training alone, nearly); 56 runs each, after a
 * warm-up chunk (jit compilation).
 */
function lenetSteps(): BenchRow[] {
  const r = inChild(`
    const { sgdSchedule } = await import(PKG);
    const { defaultMainJobConfig, modelDefaults, prepareModelNumerics, setupModel, simulateMainJob } = await import(PKG.replace(/index\.js$/, "mainJob/mainJob.js"));
    const out = {};
    for (const testSize of [1000, 20]) {
      const c = { ...defaultMainJobConfig(sgdSchedule(10)), ...modelDefaults("lenet"), testSize, runs: 56 };
      await prepareModelNumerics(c);
      const setup = setupModel(c);
      simulateMainJob({ ...c, runs: 28, seed: 1 }, setup); // warm-up: compiles
      out[testSize] = (c.runs * c.etas.length * 10) / simulateMainJob(c, setup).seconds;
    }
    console.log(JSON.stringify(out));
  `);
  return [
    { measure: "LeNet SGD steps per second (batched float32 trainer, one core, incl. test loss over 1000 images)", value: Math.round(r["1000"]) },
    { measure: "LeNet SGD steps per second (same, test loss over 20 images: training alone)", value: Math.round(r["20"]) },
  ];
}

export const BENCHES: readonly BenchGroup[] = [diagrams, series, oracles, mainJob];
