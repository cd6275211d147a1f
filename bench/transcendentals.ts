/**
 * Cost and accuracy of the accurate float64 transcendentals (src/numerics/accurateMath.ts)
 * in the image models: loss, gradient, Hessian-vector product and `∇³l[v,v,v]` of one image
 * at θ0, for the LeNet and the MLP, under three set-ups — jax-js's own float32-accurate
 * functions on wasm (the path before), the accurate ones on wasm (the default policy) and the
 * exact `cpu` policy (the reference for the errors).
 *
 * Times are the process's CPU time per call (less sensitive than wall time to other load on
 * the machine), median of `reps` after `warm` calls; the wasm set-ups alternate call by call.
 * "first" is the wall time of the first call (compilation included).
 *
 * Run from source: `npx tsx bench/transcendentals.ts [reps=41] [warm=40]`.
 */
import { loadDataset } from "../src/landscapes/datasets.js";
import { lenetDefinition, mlpDefinition } from "../src/landscapes/builtinModels.js";
import { createModel, type DefinedModel } from "../src/landscapes/definedModel.js";
import { IMAGE_MODEL_EXACT_POLICY, IMAGE_MODEL_POLICY } from "../src/landscapes/imageModels.js";
import { ACCURATE_TRANSCENDENTALS, NATIVE_TRANSCENDENTALS } from "../src/numerics/accurateMath.js";
import { initNumerics, type NumericsPolicy, type Transcendentals } from "../src/numerics/index.js";
import { Rng } from "../src/stats/rng.js";
import { median } from "./groups.js";

await initNumerics();
const data = loadDataset("mnist");
const reps = Number(process.argv[2] ?? 41);
const warm = Number(process.argv[3] ?? 40);
const SETUPS: [string, Transcendentals, NumericsPolicy][] = [
  ["native", NATIVE_TRANSCENDENTALS, IMAGE_MODEL_POLICY],
  ["accurate", ACCURATE_TRANSCENDENTALS, IMAGE_MODEL_POLICY],
  ["cpu", NATIVE_TRANSCENDENTALS, IMAGE_MODEL_EXACT_POLICY],
];

function cpuMs(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function relativeError(got: number | Float64Array, want: number | Float64Array): number {
  if (typeof got === "number" || typeof want === "number") return Math.abs(Number(got) - Number(want)) / Math.abs(Number(want));
  let err = 0;
  let scale = 0;
  got.forEach((x, j) => {
    err = Math.max(err, Math.abs(x - want[j]));
    scale = Math.max(scale, Math.abs(want[j]));
  });
  return err / scale;
}

const rows: string[] = ["model | quantity | native ms | accurate ms | ratio (median of paired ratios) | first call native / accurate | rel. error native / accurate vs cpu"];
for (const kind of ["lenet", "mlp"] as const) {
  const models = SETUPS.map(([, math, policy]) => {
    return createModel(kind === "lenet" ? lenetDefinition() : mlpDefinition(32), data, { policy, maxBatchRows: 256, math });
  });
  const theta = models[0].theta0(1);
  const v = new Rng(5).normals(models[0].dim);
  const ops: [string, (m: DefinedModel) => number | Float64Array][] = [
    ["loss", (m) => m.directionalDerivative(theta, 17, [])],
    ["gradient", (m) => m.directionalGradient(theta, 17, [])],
    ["HVP", (m) => m.directionalGradient(theta, 17, [v])],
    ["∇³l[v,v,v]", (m) => m.directionalDerivative(theta, 17, [v, v, v])],
  ];
  for (const [name, op] of ops) {
    const first: number[] = [];
    const values = models.map((m) => {
      const t0 = performance.now();
      const value = op(m);
      first.push(performance.now() - t0);
      return value;
    });
    for (let k = 0; k < warm; k++) for (const m of models.slice(0, 2)) op(m);
    const times: [number[], number[]] = [[], []];
    for (let k = 0; k < reps; k++) for (const s of [0, 1] as const) times[s].push(cpuMs(() => op(models[s])));
    const pair = median(times[1].map((t, k) => t / times[0][k]));
    rows.push(
      `${kind} | ${name} | ${median(times[0]).toFixed(2)} | ${median(times[1]).toFixed(2)} | ${pair.toFixed(2)} | ` +
        `${first[0].toFixed(0)} / ${first[1].toFixed(0)} ms | ${relativeError(values[0], values[2]).toExponential(1)} / ${relativeError(values[1], values[2]).toExponential(1)}`,
    );
  }
  for (const m of models) m.dispose();
}
console.log(rows.join("\n"));
