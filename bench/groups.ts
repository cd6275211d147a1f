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
  description: "the default compare case (MNIST logistic, T = N = 10, 9 learning rates): prediction vs 2000 simulated runs, and SGD steps per second (one core)",
  run() {
    const r = inChild(`
      const { defaultMainJobConfig, setupModel, predictMainJob, simulateMainJob, sgdSchedule } = await import(PKG);
      const c = defaultMainJobConfig(sgdSchedule(10));
      const setup = setupModel(c);
      const preds = [], sims = [];
      for (let rep = 0; rep < 3; rep++) preds.push(predictMainJob({ ...c, seed: rep }, setup).seconds);
      for (let rep = 0; rep < 1; rep++) sims.push(simulateMainJob({ ...c, seed: rep }, setup).seconds);
      preds.sort((a, b) => a - b);
      const steps = 2000 * c.etas.length * 10;
      console.log(JSON.stringify({ predict: preds[1], simulate: sims[0], steps }));
    `);
    return [
      { measure: "prediction, whole η grid (s, median of 3)", value: r.predict.toFixed(2) },
      { measure: "2000 paired runs × 9 η (s)", value: r.simulate.toFixed(2) },
      { measure: "ratio simulate / predict", value: (r.simulate / r.predict).toFixed(1) },
      { measure: "SGD steps per second (kernel trainer, incl. test loss)", value: Math.round(r.steps / r.simulate) },
    ];
  },
};

export const BENCHES: readonly BenchGroup[] = [diagrams, series, oracles, mainJob];
