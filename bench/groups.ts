import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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
      { measure: `estimator tuples per second (${r.tuples} tuples × ${r.batch} per prediction, whole η grid)`, value: Math.round(r.tuples / r.predict) },
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


/**
 * The two engine targets of issue 15: the order-8 table of one-pass SGD (test loss) and the
 * order-6 train-loss table of a shuffled multi-epoch batched schedule; whole table incl.
 * polynomials and JSON, median of 3 fresh processes, peak RSS, diagrams per second.
 */
const engine: BenchGroup = {
  name: "engine",
  description: "engine targets: order-8 one-pass SGD table (N = 10, test) and shuffled order-6 train table (N = 10, B = 2, E = 3); median of 3 fresh processes",
  run() {
    const cases = [
      { name: "sgd N=10, order 8, test loss", N: 10, opts: {}, order: 8, loss: "test" },
      { name: "sgd N=10 B=2 E=3 shuffled, order 6, train loss", N: 10, opts: { batch: 2, epochs: 3, shuffle: true }, order: 6, loss: "train" },
    ];
    return cases.map((k) => {
      const runs = [0, 1, 2].map(() =>
        inChild(`
          const { coefficientTable, sgdSchedule } = await import(PKG);
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          const rows = coefficientTable(sgdSchedule(${k.N}, ${JSON.stringify(k.opts)}), ${k.order}, "${k.loss}");
          const json = JSON.stringify({ diagrams: rows });
          const cpu = process.cpuUsage(c0);
          console.log(JSON.stringify({ ms: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000, rss: process.resourceUsage().maxRSS / 1024, count: rows.length, bytes: json.length }));
        `),
      );
      const ms = median(runs.map((r) => r.ms));
      return { case: k.name, diagrams: runs[0].count, "median ms": Math.round(ms), "median CPU ms (all threads)": Math.round(median(runs.map((r) => r.cpu))), "diagrams/s": Math.round(runs[0].count / (ms / 1000)), "peak RSS MiB": Math.round(median(runs.map((r) => r.rss))) };
    });
  },
};

/**
 * The default main job's logistic simulation (MNIST, vanilla SGD T = N = 10, 9 η, test loss on
 * 1000 images, train loss), one core, against a vectorised numpy float64 program of the same
 * runs in the same process tree (bench/logistic_numpy.py; skipped with a note when python3 or
 * numpy is missing). Also: the job's multiply-adds and exponentials, the peak rates of the two
 * kernels it uses (measured here), the time those imply (the "FLOP limit") and throughput.
 * `BENCH_RUNS` sets the number of runs (default 2000, as `compare`).
 */
const logistic: BenchGroup = {
  name: "logistic",
  description: "logistic main-job simulation (2000 paired runs × 9 η, T = N = 10, test loss on 1000 images) vs numpy float64; one core each",
  run() {
    const runs = Number(process.env.BENCH_RUNS ?? 2000);
    const dir = mkdtempSync(join(tmpdir(), "sgd-bench-"));
    try {
      const js = inChild(`
        const { writeFileSync } = await import("node:fs");
        const { defaultMainJobConfig, setupModel, sgdSchedule, loadDataset, LogisticModel } = await import(PKG);
        const { Rng } = await import(PKG.replace(/index\\.js$/, "stats/rng.js"));
        const dir = ${JSON.stringify(dir)};
        const c = { ...defaultMainJobConfig(sgdSchedule(10)), runs: ${runs} };
        const setup = setupModel(c);
        const data = loadDataset(c.data);
        const model = new LogisticModel(data);
        const N = c.schedule.N, E = c.etas.length, S = setup.testSet.length, F = data.features;
        // Training sets as the main job draws them (runSpec: run r seeded by r alone).
        const specs = Array.from({ length: c.runs }, (_, r) => {
          const rng = new Rng(c.seed * 1_000_003 + r);
          return { set: Array.from({ length: N }, () => rng.int(setup.populationSize)), rng };
        });
        const test = new Float64Array(c.runs * E), train = new Float64Array(c.runs * E);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        specs.forEach((sp, r) => setup.train(sp.set, c.etas, sp.rng).forEach((x, e) => { test[r * E + e] = x.test ?? NaN; train[r * E + e] = x.train ?? NaN; }));
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        // Work: Gram block (nonzero pixels of each training image × S), test logits, exponentials.
        let gram = 0;
        for (const sp of specs) for (const i of sp.set) { let nz = 0; for (let k = 0; k < F; k++) if (data.pixels[i * F + k] !== 0) nz++; gram += nz * S; }
        const logitsMacs = c.runs * E * S * N * 10;
        const exps = c.runs * E * S * 11; // 10 exp + 1 log per test image and η
        // Peak of the Gram kernel (4 fused multiply-adds per element, in cache) and of Math.exp.
        const x = Float64Array.from({ length: 4 * S }, (_, k) => Math.sin(k)), row = new Float64Array(S);
        let reps = 0; const p0 = performance.now();
        while (performance.now() - p0 < 300) { for (let q = 0; q < S; q++) row[q] = row[q] + 0.5 * x[q] + 0.25 * x[S + q] + 0.125 * x[2 * S + q] + 0.0625 * x[3 * S + q]; reps++; }
        const macRate = (reps * 4 * S) / ((performance.now() - p0) / 1000);
        let n = 0, acc = 0; const e0 = performance.now();
        while (performance.now() - e0 < 300) { for (let k = 0; k < 1000; k++) acc += Math.exp(-1e-3 * k); n += 1000; }
        const expRate = n / ((performance.now() - e0) / 1000);
        // Arrays for numpy: the images used, their labels and logits at θ0, runs as local indices.
        const used = [...new Set([...setup.testSet, ...specs.flatMap((sp) => sp.set)])];
        const local = new Map(used.map((i, u) => [i, u]));
        const px = new Float32Array(used.length * F), lab = new Uint8Array(used.length), z0 = new Float64Array(used.length * 10);
        used.forEach((i, u) => { px.set(data.pixels.subarray(i * F, (i + 1) * F), u * F); lab[u] = data.labels[i]; z0.set(model.logits(setup.theta0, i), u * 10); });
        writeFileSync(dir + "/pixels.f32", px); writeFileSync(dir + "/labels.u8", lab); writeFileSync(dir + "/logits0.f64", z0);
        writeFileSync(dir + "/train.i32", Int32Array.from(specs.flatMap((sp) => sp.set.map((i) => local.get(i)))));
        writeFileSync(dir + "/test.i32", Int32Array.from(setup.testSet, (i) => local.get(i)));
        writeFileSync(dir + "/js_test.f64", test); writeFileSync(dir + "/js_train.f64", train);
        writeFileSync(dir + "/meta.json", JSON.stringify({ images: used.length, features: F, testSize: S, N, runs: c.runs, etas: c.etas, s2: model.scale ** 2 }));
        console.log(JSON.stringify({ seconds, cpu: (cpu.user + cpu.system) / 1e6, gram, logitsMacs, exps, macRate, expRate, steps: c.runs * E * N, E, acc }));
      `);
      const limit = (js.gram + js.logitsMacs) / js.macRate + js.exps / js.expRate;
      const rows: BenchRow[] = [
        { measure: `JS kernel trainer, ${runs} runs × ${js.E} η (s, one core)`, value: js.seconds.toFixed(2) },
        { measure: "multiply-adds: Gram block (nonzero pixels × test images) + test logits", value: `${(js.gram / 1e9).toFixed(2)} G + ${(js.logitsMacs / 1e9).toFixed(2)} G` },
        { measure: "exp/log evaluations (test losses)", value: `${(js.exps / 1e6).toFixed(0)} M` },
        { measure: "measured peak: fused 4-term multiply-add loop (G/s, one core) | Math.exp (M/s)", value: `${(js.macRate / 1e9).toFixed(2)} | ${(js.expRate / 1e6).toFixed(0)}` },
        { measure: "limit at those peaks (s) | measured / limit", value: `${limit.toFixed(2)} | ${(js.seconds / limit).toFixed(2)}` },
        { measure: "SGD steps per second per core (incl. test loss on 1000 images)", value: Math.round(js.steps / js.seconds) },
        { measure: "test images evaluated per second per core (all η)", value: Math.round((runs * js.E * 1000) / js.seconds) },
      ];
      const py = spawnSync("python3", [join(root, "bench", "logistic_numpy.py"), dir], {
        encoding: "utf8",
        env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      });
      if (py.status !== 0) {
        rows.push({ measure: "numpy float64 reference", value: `skipped: ${(py.error?.message ?? py.stderr.trim().split("\n").pop() ?? "python3 failed").slice(0, 120)}` });
        return rows;
      }
      const np = JSON.parse(py.stdout.trim().split("\n").pop()!) as { seconds: number; numpy: string };
      const read = (f: string) => new Float64Array(readFileSync(join(dir, f)).buffer.slice(0));
      const [jt, nt, jr, nr] = ["js_test.f64", "numpy_test.f64", "js_train.f64", "numpy_train.f64"].map(read);
      let diff = 0;
      for (let k = 0; k < jt.length; k++) diff = Math.max(diff, Math.abs(jt[k] - nt[k]) / Math.abs(nt[k]), Math.abs(jr[k] - nr[k]) / Math.abs(nr[k]));
      rows.push(
        { measure: `numpy ${np.numpy} float64, same runs (s, one core: OPENBLAS_NUM_THREADS=1)`, value: np.seconds.toFixed(2) },
        { measure: "ratio JS / numpy (target ≤ 1, goal ≤ 0.5)", value: (js.seconds / np.seconds).toFixed(2) },
        { measure: "largest relative difference JS vs numpy (test and train losses)", value: diff.toExponential(1) },
      );
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const BENCHES: readonly BenchGroup[] = [diagrams, engine, series, oracles, mainJob, logistic];
