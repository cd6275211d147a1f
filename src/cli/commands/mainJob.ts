import { availableParallelism } from "node:os";
import { getHeapStatistics } from "node:v8";
import { join } from "node:path";
import {
  checkpointPath,
  compareMainJob,
  configKey,
  defaultMainJobConfig,
  JAX_MODEL_DEFAULTS,
  mainJobCost,
  type MainJobConfig,
  MODELS,
  modelDefaults,
  prepareModelNumerics,
  predictionTuples,
  predictMainJob,
  type PredictionResult,
  setupModel,
  simulateMainJobParallel,
  simulateShard,
  type SimulationResult,
  summariseRuns,
  writeOutput,
} from "../../mainJob/mainJob.js";
import { toCsv } from "../../harness/output.js";
import { parseShard, type Shard } from "../../harness/shard.js";
import { type MainJobCommandName, type RunResult, writeMainJobShard } from "../../mainJob/shards.js";
import { packageVersion } from "../version.js";
import { comparisonPlotSpec } from "../../mainJob/plot.js";
import { partialMark } from "../../mainJob/compare.js";
import { ensureWritableFolder } from "../../harness/safeFile.js";
import { configOptimizer, OPTIMIZER_NAMES, type OptimizerName, setupForConfig } from "../../mainJob/optimizerSetup.js";
import { renderSvg, svgToPng } from "../../plot/render.js";
import { DEFAULT_SUBSTEPS, DEFAULT_TABLE_OPERATIONS, InvalidArgumentError, optimizerLabel, type Schedule, sgdSchedule, UsageError } from "../../index.js";
import type { Command, CommandIO } from "../command.js";
import { choiceFlag, type FlagTable, type FlagValues, intFlag, numberListFlag, parseFlags } from "../flags.js";
import { interruptFlag, progressBar } from "../progress.js";
import { scheduleFlags, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable, titleLine } from "../table.js";
import { USER_INPUT_FLAGS, userInputsFromFlags } from "../userInputFlags.js";
import { specDataName, specModelName } from "../../harness/model.js";

/** The main job's defaults (MNIST logistic, SGD with T = N = 10), shown in help. */
const DEFAULTS = defaultMainJobConfig(sgdSchedule(10));

type MainJobCommand = "predict" | "simulate" | "compare";

/** Default of --max-hours: longer simulations are refused up front unless the flag raises it. */
const DEFAULT_MAX_HOURS = 1;

/** The model, schedule, prediction and seed flags of `predict`, `simulate` and `compare`. */
const COMMON_FLAGS = {
  ...USER_INPUT_FLAGS,
  "init-seed": { type: "string", value: "<k>", defaultValue: String(DEFAULTS.initSeed), description: "Seed of the model's initial weights θ0." },
  ...scheduleFlags({ N: 10 }),
  eta: { type: "string", value: "<η,η,…>", defaultValue: DEFAULTS.etas.join(","), description: "Learning rates, comma-separated." },
  order: { type: "string", value: "<d>", defaultValue: String(DEFAULTS.order), description: "Order of the η-polynomial prediction (1 to 5)." },
  loss: { type: "string", value: "test|train|gap", defaultValue: DEFAULTS.loss, description: "Measured after training: test loss, train loss, or the generalization gap (test − train)." },
  tuples: { type: "string", value: "<n>", defaultValue: `logistic ${DEFAULTS.tuples}, lenet/mlp ${JAX_MODEL_DEFAULTS.tuples}`, description: "Independent data tuples per diagram-value estimate." },
  "est-batch": { type: "string", value: "<m>", defaultValue: `logistic ${DEFAULTS.batch}, lenet/mlp ${JAX_MODEL_DEFAULTS.batch}`, description: "Replicas of each tie class within a tuple (batch means of untied nodes)." },
  "test-size": { type: "string", value: "<n>", defaultValue: String(DEFAULTS.testSize), description: "Size of the held-out sample that stands for the test distribution." },
  seed: { type: "string", value: "<k>", defaultValue: String(DEFAULTS.seed), description: "Base seed of training sets, batches and estimator draws (reproduce's default seed is 1)." },
} as const satisfies FlagTable;

/** `predict`/`compare` predict SGD-family schedules only. */
const PREDICT_OPTIMIZER_FLAGS = {
  optimizer: { type: "string", value: "sgd|gd", defaultValue: "sgd", description: "Predict SGD (the schedule) or GD on all N points for T steps; other optimizers: simulate --optimizer." },
} as const satisfies FlagTable;

/** `simulate` trains with any optimizer. */
const SIMULATE_OPTIMIZER_FLAGS = {
  optimizer: { type: "string", value: OPTIMIZER_NAMES.join("|"), defaultValue: "sgd", description: "Train with this optimizer: the schedule's SGD, GD, GD with the gradient-noise correction (gdc), a Hessian-preconditioned step, or the matched ODE or SDE." },
  "gdc-scale": { type: "string", value: "<x>", defaultValue: "1", description: "gdc: multiple of its correction strength β = η(N−1)/(4N)." },
  lambda: { type: "string", value: "<x>", description: "hessian (required there): strength λ ≥ 0 of the Hessian preconditioning." },
  substeps: { type: "string", value: "<k>", defaultValue: String(DEFAULT_SUBSTEPS), description: "ode, sde: sub-steps per SGD step." },
} as const satisfies FlagTable;

/** The simulation flags; predict accepts and ignores them so one command line serves all three. */
function simulationFlags(command: MainJobCommand) {
  const unused = command === "predict" ? " (not used by predict)" : "";
  return {
    runs: { type: "string", value: "<n>", defaultValue: String(DEFAULTS.runs), description: `Paired training runs (the same training sets at every η)${unused}.` },
    workers: { type: "string", value: "<k>", defaultValue: "CPU cores", description: `Worker threads for the runs${unused}.` },
    out: { type: "string", value: "DIR", defaultValue: "out", description: `Folder for checkpoints (rerun to resume) and outputs${unused}.` },
    "max-hours": { type: "string", value: "<h>", defaultValue: String(DEFAULT_MAX_HOURS), description: `Refuse, before any work, runs whose estimated simulation time is above this${unused}.` },
    "max-memory": { type: "string", value: "<GB>", defaultValue: "the Node heap limit", description: "Refuse, before any work, a command whose estimated peak memory is above this." },
    json: { type: "boolean", description: "Print JSON instead of a table." },
  } as const satisfies FlagTable;
}

/** Cluster batch schedulers: one process per shard, then `merge` (docs/cluster.md). */
const SHARD_FLAGS = {
  shard: { type: "string", value: "i/n|auto", description: "Compute only shard i of n (its runs and estimator tuples), write it to --out/shards/ and exit; then `sgd-diagrams merge DIR`. auto: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX." },
  "shard-count": { type: "string", value: "<n>", defaultValue: "SLURM_ARRAY_TASK_COUNT", description: "With --shard auto: the number of shards (needed on Kubernetes)." },
} as const satisfies FlagTable;

const PREDICT_FLAGS = { ...COMMON_FLAGS, ...PREDICT_OPTIMIZER_FLAGS, ...simulationFlags("predict"), ...SHARD_FLAGS } as const satisfies FlagTable;
const SIMULATE_FLAGS = { ...COMMON_FLAGS, ...SIMULATE_OPTIMIZER_FLAGS, ...simulationFlags("simulate"), ...SHARD_FLAGS } as const satisfies FlagTable;
const COMPARE_FLAGS = { ...COMMON_FLAGS, ...PREDICT_OPTIMIZER_FLAGS, ...simulationFlags("compare"), ...SHARD_FLAGS } as const satisfies FlagTable;

/**
 * Refuses, before data are loaded or anything is predicted or trained, a command whose
 * estimated memory, simulation time or coefficient-table work is above its limit: one line
 * with the estimate, the limit and the flag that raises it.
 */
function refuseOverBudget(v: Values, config: MainJobConfig, command: MainJobCommand, workers: number): void {
  const maxHours = positiveFlag(v["max-hours"], "--max-hours") ?? DEFAULT_MAX_HOURS;
  const maxGB = positiveFlag(v["max-memory"], "--max-memory") ?? getHeapStatistics().heap_size_limit / 1e9;
  const cost = mainJobCost(config, command, workers);
  const what = `--N ${config.schedule.N}, --runs ${config.runs}, ${config.etas.length} η, ${workers} worker${workers === 1 ? "" : "s"}`;
  if (cost.memoryBytes / 1e9 > maxGB) {
    throw new UsageError(
      `${what}: needs about ${(cost.memoryBytes / 1e9).toPrecision(2)} GB of memory, above the limit --max-memory ${maxGB.toPrecision(2)} GB` +
        `${v["max-memory"] === undefined ? " (the Node heap; raise it with node --max-old-space-size=<MB>)" : ""}: lower --N, --runs or --workers`,
    );
  }
  if (cost.seconds / 3600 > maxHours) {
    throw new UsageError(
      `${what}: would train for about ${formatDuration(cost.seconds)}, above the limit --max-hours ${maxHours}: lower --N or --runs, or raise --max-hours`,
    );
  }
  if (cost.tableOperations > DEFAULT_TABLE_OPERATIONS) {
    throw new UsageError(
      `the exact coefficients up to --order ${config.order} for this schedule need about ${cost.tableOperations.toExponential(1)} operations, ` +
        `above the limit ${DEFAULT_TABLE_OPERATIONS.toExponential(1)} (see diagrams --max-work): lower --order or --N`,
    );
  }
}

function positiveFlag(value: string | undefined, flag: string): number | undefined {
  const x = nonNegativeFlag(value, flag);
  if (x === 0) throw new UsageError(`${flag} must be a number > 0, got ${JSON.stringify(value)}`);
  return x;
}

/** `"3.2 hours"`, `"12 days"`, `"45 minutes"`. */
function formatDuration(seconds: number): string {
  if (seconds < 3600) return `${(seconds / 60).toPrecision(2)} minutes`;
  if (seconds < 86400 * 2) return `${(seconds / 3600).toPrecision(2)} hours`;
  return `${(seconds / 86400).toPrecision(2)} days`;
}

/** Help note on the jax-js models (timings: README "The main job"). */
const MODEL_NOTE =
  `--model lenet|mlp run on jax-js (float64 prediction, float32 batched training); their estimator default is ` +
  `--tuples ${JAX_MODEL_DEFAULTS.tuples} --est-batch ${JAX_MODEL_DEFAULTS.batch} (logistic: ${DEFAULTS.tuples} × ${DEFAULTS.batch}): ` +
  "predict --model lenet takes ~2–3 min on one core, a LeNet run of 9 η ~0.5 s per core at --test-size 1000.";

/** Every main-job flag, as the parser returns them (absent ones undefined). */
type Values = FlagValues<typeof SIMULATE_FLAGS>;

function nonNegativeFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || x < 0) throw new UsageError(`${flag} must be a number ≥ 0, got ${JSON.stringify(value)}`);
  return x;
}

/**
 * The optimizer flags → the config's schedule and `optimizer` field. `gd` becomes the schedule
 * itself (GD on all N points for the schedule's T steps), so `predict` and `compare` predict it;
 * `sgd` leaves the config as it was (checkpoints shared with runs without --optimizer).
 */
function optimizerFromFlags(v: Values, command: string, schedule: Schedule): { schedule: Schedule; optimizer: MainJobConfig["optimizer"] } {
  const name: OptimizerName = choiceFlag(v.optimizer, "--optimizer", OPTIMIZER_NAMES, "sgd");
  if (command !== "simulate" && name !== "sgd" && name !== "gd") {
    throw new UsageError(`${command} --optimizer ${name}: predictions are for SGD-family schedules (sgd, gd); measure ${name} with simulate --optimizer ${name}`);
  }
  const betaScale = nonNegativeFlag(v["gdc-scale"], "--gdc-scale");
  const lambda = nonNegativeFlag(v.lambda, "--lambda");
  const substeps = intFlag(v.substeps, "--substeps", 1, 100_000);
  if (betaScale !== undefined && name !== "gdc") throw new UsageError(`--gdc-scale goes with --optimizer gdc (got --optimizer ${name})`);
  if (lambda !== undefined && name !== "hessian") throw new UsageError(`--lambda goes with --optimizer hessian (got --optimizer ${name})`);
  if (substeps !== undefined && name !== "ode" && name !== "sde") throw new UsageError(`--substeps goes with --optimizer ode or sde (got --optimizer ${name})`);
  if (name === "hessian" && lambda === undefined) throw new UsageError("--optimizer hessian needs --lambda x (the strength of the Hessian preconditioning, ≥ 0)");
  if (name !== "sgd" && name !== "gd" && schedule.momentum !== undefined) {
    throw new UsageError(`--momentum does not apply to --optimizer ${name} (heavy-ball momentum is an option of sgd and gd)`);
  }
  if (name === "gdc" && schedule.N % 2 !== 0) throw new UsageError(`--optimizer gdc needs an even --N (its split-half estimator halves the batch), got ${schedule.N}`);
  const optimizer: MainJobConfig["optimizer"] =
    name === "gdc"
      ? { name, betaScale: betaScale ?? 1 }
      : name === "hessian"
        ? { name, lambda }
        : name === "ode" || name === "sde"
          ? { name, substeps: substeps ?? DEFAULT_SUBSTEPS }
          : name === "gd"
            ? { name }
            : undefined;
  if (optimizer === undefined) return { schedule, optimizer };
  try {
    const o = configOptimizer({ ...defaultMainJobConfig(schedule), optimizer });
    return name === "gd" ? { schedule: o.schedule, optimizer: undefined } : { schedule, optimizer };
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new UsageError(`--optimizer ${name}: ${e.message}`);
    throw e;
  }
}

/**
 * Flags → config; every default is the README's main job (MNIST logistic, T = N = 10). Loads
 * the user's model and data files the flags name (and prints what was read to stderr); with a
 * data file the default test size is at most the rows of the test sample's source.
 */
async function configFromFlags(v: Values, command: string, io: CommandIO): Promise<{ config: MainJobConfig; outDir: string; json: boolean; workers: number }> {
  const { schedule, optimizer } = optimizerFromFlags(v, command, scheduleFromFlags(v, { N: 10 }));
  const inputs = await userInputsFromFlags(v);
  for (const line of inputs.notes) io.stderr(`${line}\n`);
  const base: MainJobConfig = { ...defaultMainJobConfig(schedule), ...modelDefaults(inputs.model) };
  const testSize = inputs.testRows === undefined ? base.testSize : Math.min(base.testSize, inputs.testRows);
  const etas = numberListFlag(v.eta, "--eta", { positive: true }) ?? base.etas;
  const config: MainJobConfig = {
    ...base,
    ...(optimizer !== undefined ? { optimizer } : {}),
    data: inputs.data,
    model: inputs.model,
    ...(inputs.userData !== undefined ? { userData: inputs.userData } : {}),
    ...(inputs.userModel !== undefined ? { userModel: inputs.userModel } : {}),
    initSeed: intFlag(v["init-seed"], "--init-seed", 0, 2 ** 31) ?? base.initSeed,
    etas,
    order: intFlag(v.order, "--order", 1, 5) ?? base.order,
    loss: choiceFlag(v.loss, "--loss", ["test", "train", "gap"] as const, base.loss),
    runs: intFlag(v.runs, "--runs", 2, 10_000_000) ?? base.runs,
    tuples: intFlag(v.tuples, "--tuples", 2, 10_000_000) ?? base.tuples,
    batch: intFlag(v["est-batch"], "--est-batch", 1, 100_000) ?? base.batch,
    testSize: intFlag(v["test-size"], "--test-size", 1, 10_000_000) ?? testSize,
    seed: intFlag(v.seed, "--seed", 0, 2 ** 31) ?? base.seed,
  };
  return { config, outDir: v.out ?? "out", json: v.json === true, workers: intFlag(v.workers, "--workers", 1, 64) ?? availableParallelism() };
}

function runPrediction(config: MainJobConfig, io: CommandIO, setup: ReturnType<typeof setupModel>, merged?: MergedInput): PredictionResult {
  if (merged?.tuples !== undefined) return predictMainJob(config, setup, undefined, merged.tuples);
  const bar = progressBar(io, "predict (tuples)");
  try {
    return predictMainJob(config, setup, (d, t) => bar.update(d, t));
  } finally {
    bar.stop();
  }
}

async function runSimulation(config: MainJobConfig, io: CommandIO, setup: ReturnType<typeof setupModel>, outDir: string, workers: number, merged?: MergedInput): Promise<SimulationResult> {
  if (merged?.runs !== undefined) return summariseRuns(config, setup, merged.runs);
  const bar = progressBar(io, "simulate (runs)");
  const stop = interruptFlag();
  try {
    return await simulateMainJobParallel(config, setup, {
      checkpoint: checkpointPath(outDir, config),
      onProgress: (d, t) => bar.update(d, t),
      shouldStop: stop.stopped,
      onNotice: (line) => io.stderr(`${line}\n`),
      workers,
    });
  } finally {
    bar.stop();
    stop.dispose();
  }
}

/** A measured mean and its interval, or a dash where no run was averaged (all diverged). */
function measuredCell(mean: number | null, ci95: number | null): string {
  return Number.isFinite(mean) ? `${mean!.toFixed(6)} ± ${Number.isFinite(ci95) ? ci95!.toPrecision(2) : "—"}` : "— ± —";
}

/** A predicted value ± its standard error; "beyond float64" where the polynomial overflowed (never NaN ± NaN). */
function predictedCell(value: number, se: number): string {
  return Number.isFinite(value) && Number.isFinite(se) ? `${value.toFixed(6)} ± ${se.toPrecision(2)}` : fixed6(NaN);
}

/** Diverged runs at one η, with the earliest step (divergence rule: `SimulationResult.divergenceRule`). */
function divergedCell(diverged: number, firstStep: number): string {
  return diverged > 0 ? `${diverged} (first at step ${firstStep})` : "0";
}

/**
 * The prediction per η in one row, within 100 columns up to order 3: every order's value, the
 * standard error of the highest order and of the resummed value (all of them are in --json).
 */
function predictionTable(p: PredictionResult, order: number): string {
  const header = ["η", "ηT", ...Array.from({ length: order }, (_, k) => `order ${k + 1}`), `± se`, "resummed", "± se", "ODE fit", "last term"];
  return formatTable(
    header,
    p.rows.map((r) => [
      String(r.eta),
      r.etaT.toPrecision(3),
      ...r.polynomial.slice(1).map((e) => fixed6(e.value)),
      standardError(r.polynomial[order].stderr),
      r.resummed === null ? "—" : fixed6(r.resummed.value),
      r.resummed === null ? "" : standardError(r.resummed.stderr),
      fixed6(r.ode.value),
      Number.isFinite(r.lastTermRatio) ? r.lastTermRatio.toExponential(1) : "—",
    ]),
  );
}

/** A predicted value to 6 decimals; "beyond float64" where it overflowed (never NaN or Infinity). */
function fixed6(x: number): string {
  return Number.isFinite(x) ? x.toFixed(6) : "beyond float64";
}

/** A standard error in at most 7 characters (`2.6e-8`, `0.0010`); "—" where it overflowed. */
function standardError(x: number): string {
  if (!Number.isFinite(x)) return "—";
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(1) : x.toPrecision(2);
}

async function setupWithMessage(config: MainJobConfig, io: CommandIO) {
  if (io.interactive) io.stderr(`loading ${specDataName(config)} and building the ${specModelName(config)} model…\n`);
  await prepareModelNumerics(config);
  return setupForConfig(config);
}

/** The optimizer a config trains with, as a label (e.g. `"gdc(β×1)"`, `"sgd(B=1, E=1)"`). */
function label(config: MainJobConfig): string {
  return optimizerLabel(configOptimizer(config));
}

export const predict: Command = {
  name: "predict",
  summary: "Predict test/train loss or gap after training, from statistics at initialization",
  flags: PREDICT_FLAGS,
  notes: [MODEL_NOTE],
  async run(argv, io) {
    const { values } = parseFlags(argv, PREDICT_FLAGS);
    const options = await configFromFlags(values, "predict", io);
    refuseOverBudget(values, options.config, "predict", options.workers);
    const shard = parseShard(values.shard, values["shard-count"], process.env);
    return shard === undefined ? runPredict(options, io) : runShardJob("predict", options, shard, io);
  },
};

async function runPredict({ config, json }: JobOptions, io: CommandIO, merged?: MergedInput): Promise<number> {
  const setup = await setupWithMessage(config, io);
  const p = runPrediction(config, io, setup, merged);
  if (json) io.stdout(JSON.stringify({ config, optimizer: label(config), prediction: p, ...mergedFields(merged) }, null, 2) + "\n");
  else {
    io.stdout(
      (merged?.partial == null ? "" : titleLine(merged.partial)) +
      titleLine(
        `${specDataName(config)} ${specModelName(config)}, ${label(config)}: predicted ${config.loss === "gap" ? "generalization gap" : `${config.loss} loss`} after T = ${p.T} steps ` +
          `(${p.diagramCount} diagrams, ${config.tuples}×${config.batch} samples, ${p.seconds.toFixed(1)} s)`,
      ) +
        titleLine(`coefficients c_k (± se): ${p.coefficients.map((e) => `${e.value.toPrecision(6)} ± ${e.stderr.toPrecision(2)}`).join(", ")}`) +
        predictionTable(p, config.order),
    );
  }
  return 0;
}

export const simulate: Command = {
  name: "simulate",
  summary: "Train many paired runs and measure the loss with 95% intervals (resumable)",
  flags: SIMULATE_FLAGS,
  notes: [MODEL_NOTE],
  async run(argv, io) {
    const { values } = parseFlags(argv, SIMULATE_FLAGS);
    const options = await configFromFlags(values, "simulate", io);
    refuseOverBudget(values, options.config, "simulate", options.workers);
    const shard = parseShard(values.shard, values["shard-count"], process.env);
    return shard === undefined ? runSimulate(options, io) : runShardJob("simulate", options, shard, io);
  },
};

async function runSimulate({ config, json, outDir, workers }: JobOptions, io: CommandIO, merged?: MergedInput): Promise<number> {
  const setup = await setupWithMessage(config, io); // a bad model or data file fails here, before anything is written
  ensureWritableFolder(outDir);
  const s = await runSimulation(config, io, setup, outDir, workers, merged);
  if (json) io.stdout(JSON.stringify({ config, optimizer: label(config), simulation: s, ...mergedFields(merged) }, null, 2) + "\n");
  else {
    io.stdout(
      titleLine(
        `${merged?.partial != null ? `${merged.partial}: ` : s.interrupted ? `${partialMark(s) ?? "PARTIAL"}: ` : ""}${specDataName(config)} ${specModelName(config)}, ${label(config)}: measured ${config.loss} over ${s.runsDone}/${s.runsRequested} runs` +
          `${s.resumedFrom > 0 ? ` (resumed from ${s.resumedFrom})` : ""} in ${s.seconds.toFixed(1)} s`,
      ) +
        formatTable(
          ["η", "ηT", "mean", "95% CI", "runs", "diverged"],
          s.rows.map((r) => [String(r.eta), r.etaT.toPrecision(3), Number.isFinite(r.mean) ? r.mean.toFixed(6) : "—", Number.isFinite(r.ci95) ? `± ${r.ci95.toPrecision(2)}` : "—", String(r.runs), divergedCell(r.diverged, r.firstDivergedStep)]),
        ),
    );
  }
  if (s.interrupted) {
    io.stderr(`interrupted after ${s.runsDone} runs; rerun the same command to resume\n`);
    return 130;
  }
  return 0;
}

export const compare: Command = {
  name: "compare",
  summary: "Predict and simulate side by side; writes a table, a plot and a verdict (the main job)",
  flags: COMPARE_FLAGS,
  notes: [MODEL_NOTE],
  async run(argv, io) {
    const { values } = parseFlags(argv, COMPARE_FLAGS);
    const options = await configFromFlags(values, "compare", io);
    refuseOverBudget(values, options.config, "compare", options.workers);
    const shard = parseShard(values.shard, values["shard-count"], process.env);
    return shard === undefined ? runCompare(options, io) : runShardJob("compare", options, shard, io);
  },
};

async function runCompare({ config, json, outDir, workers }: JobOptions, io: CommandIO, merged?: MergedInput): Promise<number> {
  const dir = join(outDir, `compare-${config.userData?.name ?? config.data}-${config.userModel?.name ?? config.model}-${configKey(config)}`);
  const setup = await setupWithMessage(config, io); // a bad model or data file fails here, before anything is written
  ensureWritableFolder(dir); // before minutes of prediction, not after
  const p = runPrediction(config, io, setup, merged);
  const s = await runSimulation(config, io, setup, outDir, workers, merged);
  if (s.runsDone === 0) {
    io.stderr(`interrupted before any run finished: nothing written; rerun the same command to start\n`);
    return 130;
  }
  const cmp = markPartial(compareMainJob(p, s, config.order), merged?.partial ?? null);
  const partial = merged?.partial ?? partialMark(s);
  const title = `${partial === null ? "" : `${partial} — `}${specDataName(config)} ${specModelName(config)}, ${label(config)}, T = ${p.T}: ${config.loss === "gap" ? "generalization gap" : `${config.loss} loss`} vs η`;
  const svg = await renderSvg(comparisonPlotSpec(p, s, config.order, title));
  writeOutput(join(dir, "plot.svg"), svg);
  writeOutput(join(dir, "plot.png"), svgToPng(svg));
  writeOutput(join(dir, "comparison.json"), JSON.stringify({ config, prediction: p, simulation: s, comparison: cmp }, null, 2));
  writeOutput(join(dir, "comparison.csv"), toCsv(cmp.rows));
  writeOutput(join(dir, "verdict.txt"), cmp.verdict + "\n");
  if (json) io.stdout(JSON.stringify({ config, optimizer: label(config), outDir: dir, verdict: cmp.verdict, pass: cmp.pass, partial: cmp.partial, runsDone: s.runsDone, runsRequested: s.runsRequested, divergenceRule: s.divergenceRule, rows: cmp.rows, predictSeconds: p.seconds, simulateSeconds: s.seconds, ...mergedFields(merged) }, null, 2) + "\n");
  else {
    io.stdout(
      titleLine(title) +
        titleLine(`prediction: ${p.seconds.toFixed(1)} s for the whole η grid; simulation: ${s.runsDone} paired runs in ${s.seconds.toFixed(1)} s`) +
        formatTable(
          ["η", "ηT", `order ${config.order} (± se)`, "order 1", "measured (95% CI)", "within", "runs", "diverged"],
          cmp.rows.map((r) => [
            String(r.eta),
            (r.etaT as number).toPrecision(3),
            predictedCell(r[`order${config.order}`] as number, r[`order${config.order}Se`] as number),
            fixed6(r.order1 as number),
            measuredCell(r.measured as number | null, r.measuredCi95 as number | null),
            r.withinInterval === null ? "—" : r.withinInterval === true ? "yes" : "no",
            String(r.runs),
            divergedCell(r.diverged as number, r.firstDivergedStep as number),
          ]),
        ) +
        `verdict: ${cmp.verdict}\nwrote ${dir}/ (plot.svg, plot.png, comparison.csv, comparison.json, verdict.txt)\n`,
    );
  }
  if (s.interrupted) {
    io.stderr(`interrupted after ${s.runsDone} runs; rerun the same command to resume\n`);
    return 130;
  }
  return 0;
}

/** A main-job command's parsed options (see `configFromFlags`). */
type JobOptions = Awaited<ReturnType<typeof configFromFlags>>;

/** What `merge` hands a main-job command instead of computing: the shards' tuples and runs. */
export interface MergedInput {
  readonly tuples?: number[][][];
  readonly runs?: ReadonlyMap<number, RunResult[]>;
  /** `"PARTIAL (shards 3 and 7 of 16 missing)"` when some shards were not there, else null. */
  readonly partial: string | null;
  readonly missingShards: readonly number[];
  readonly shards: number;
}

/** The merge's fields of the `--json` output (none without a merge). */
function mergedFields(merged: MergedInput | undefined): Record<string, unknown> {
  return merged === undefined ? {} : { merged: { shards: merged.shards, missingShards: merged.missingShards, partial: merged.partial } };
}

/** A comparison over missing shards: its verdict starts with `note`, and it never passes. */
function markPartial(cmp: ReturnType<typeof compareMainJob>, note: string | null): ReturnType<typeof compareMainJob> {
  if (note === null) return cmp;
  return { ...cmp, verdict: `${note}: ${cmp.verdict.replace(/^PARTIAL \([^)]*\): /, "")}`, pass: false, partial: true };
}

/** Runs `predict`, `simulate` or `compare` on merged shards: the same code path as one process. */
export function runMergedMainJob(command: MainJobCommandName, options: JobOptions, io: CommandIO, merged: MergedInput): Promise<number> {
  return command === "predict" ? runPredict(options, io, merged) : command === "simulate" ? runSimulate(options, io, merged) : runCompare(options, io, merged);
}

/**
 * One shard of a main-job command: samples its estimator tuples and trains its runs
 * (checkpointed in its own run log, so a killed shard resumes), writes its shard file
 * atomically under `--out/shards/`, and exits without means (`merge` computes them).
 */
async function runShardJob(command: MainJobCommandName, { config, json, outDir, workers }: JobOptions, shard: Shard, io: CommandIO): Promise<number> {
  ensureWritableFolder(outDir);
  const t0 = performance.now();
  const setup = await setupWithMessage(config, io);
  let tuples: number[][][] | null = null;
  if (command !== "simulate") {
    const bar = progressBar(io, `predict (shard ${shard.index}/${shard.count})`);
    try {
      tuples = predictionTuples(config, setup, (d, t) => bar.update(d, t), shard);
    } finally {
      bar.stop();
    }
  }
  let runs: [number, RunResult[]][] | null = null;
  if (command !== "predict") {
    const bar = progressBar(io, `simulate (shard ${shard.index}/${shard.count})`);
    const stop = interruptFlag();
    try {
      const r = await simulateShard(config, setup, {
        checkpoint: checkpointPath(outDir, config, shard),
        shard,
        workers,
        onProgress: (d, t) => bar.update(d, t),
        shouldStop: stop.stopped,
        onNotice: (line) => io.stderr(`${line}\n`),
      });
      if (r.interrupted) {
        io.stderr(`interrupted after ${r.runs.size} runs of shard ${shard.index}/${shard.count}: no shard file written; rerun the same command to resume\n`);
        return 130;
      }
      runs = [...r.runs.entries()].sort((a, b) => a[0] - b[0]);
    } finally {
      bar.stop();
      stop.dispose();
    }
  }
  const file = writeMainJobShard(outDir, packageVersion(), shard, { command, config, tuples, runs });
  const seconds = (performance.now() - t0) / 1000;
  const summary = { command, shard, file, tuples: tuples?.[0].length ?? 0, tuplesRequested: config.tuples, runs: runs?.length ?? 0, runsRequested: config.runs, seconds };
  if (json) io.stdout(JSON.stringify(summary, null, 2) + "\n");
  else {
    io.stdout(
      `${command} shard ${shard.index}/${shard.count}: ${command === "simulate" ? "" : `${summary.tuples} of ${config.tuples} estimator tuples, `}` +
        `${command === "predict" ? "" : `${summary.runs} of ${config.runs} runs, `}${seconds.toFixed(1)} s\nwrote ${file}\n` +
        `when all ${shard.count} shards are done: sgd-diagrams merge ${outDir}\n`,
    );
  }
  return 0;
}
