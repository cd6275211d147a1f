/**
 * The flags of the main-job commands (predict, simulate, compare) and what they become: the
 * config, the budget check before any work, the model set up with a message.
 *
 * @module
 */
import { availableParallelism } from "node:os";
import { getHeapStatistics } from "node:v8";
import { defaultMainJobConfig, JAX_MODEL_DEFAULTS, mainJobCost, type MainJobConfig, measureTrainingRate, modelDefaults, prepareModelNumerics } from "../../mainJob/mainJob.js";
import { configOptimizer, OPTIMIZER_NAMES, type OptimizerName, setupForConfig } from "../../mainJob/optimizerSetup.js";
import { specDataName, specModelName } from "../../harness/model.js";
import { DEFAULT_SUBSTEPS, DEFAULT_TABLE_OPERATIONS, InvalidArgumentError, type Schedule, sgdSchedule, UsageError } from "../../index.js";
import type { CommandIO } from "../command.js";
import { choiceFlag, type FlagTable, type FlagValues, intFlag, numberListFlag } from "../flags.js";
import { scheduleFlags, scheduleFromFlags } from "../scheduleFlags.js";
import { USER_INPUT_FLAGS, userInputsFromFlags } from "../userInputFlags.js";

/** The main job's defaults (MNIST logistic, SGD with T = N = 10), shown in help. */
const DEFAULTS = defaultMainJobConfig(sgdSchedule(10));

export type MainJobCommand = "predict" | "simulate" | "compare";

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

export const PREDICT_FLAGS = { ...COMMON_FLAGS, ...PREDICT_OPTIMIZER_FLAGS, ...simulationFlags("predict"), ...SHARD_FLAGS } as const satisfies FlagTable;
export const SIMULATE_FLAGS = { ...COMMON_FLAGS, ...SIMULATE_OPTIMIZER_FLAGS, ...simulationFlags("simulate"), ...SHARD_FLAGS } as const satisfies FlagTable;
export const COMPARE_FLAGS = { ...COMMON_FLAGS, ...PREDICT_OPTIMIZER_FLAGS, ...simulationFlags("compare"), ...SHARD_FLAGS } as const satisfies FlagTable;

/**
 * Refuses, before anything is predicted or trained, a command whose estimated memory,
 * simulation time or coefficient-table work is above its limit: one line with the estimate,
 * the limit and the flag that raises it. A user's model has no known speed: when the command
 * trains, a few short runs of it are timed first ({@link measureTrainingRate}, seconds).
 */
export async function refuseOverBudget(v: Values, config: MainJobConfig, command: MainJobCommand, workers: number, io: CommandIO): Promise<void> {
  const maxHours = positiveFlag(v["max-hours"], "--max-hours") ?? DEFAULT_MAX_HOURS;
  const maxGB = positiveFlag(v["max-memory"], "--max-memory") ?? getHeapStatistics().heap_size_limit / 1e9;
  let rate: ReturnType<typeof measureTrainingRate> | undefined;
  if (config.model === "user" && command !== "predict") {
    if (io.interactive) io.stderr(`timing a few training steps of ${specModelName(config)} for the --max-hours estimate…\n`);
    await prepareModelNumerics(config);
    rate = measureTrainingRate(config);
  }
  const cost = mainJobCost(config, command, workers, rate);
  const what = `--N ${config.schedule.N}, --runs ${config.runs}, ${config.etas.length} η, ${workers} worker${workers === 1 ? "" : "s"}`;
  if (cost.memoryBytes / 1e9 > maxGB) {
    throw new UsageError(
      `${what}: needs about ${(cost.memoryBytes / 1e9).toPrecision(2)} GB of memory, above the limit --max-memory ${maxGB.toPrecision(2)} GB` +
        `${v["max-memory"] === undefined ? " (the Node heap; raise it with node --max-old-space-size=<MB>)" : ""}: lower --N, --runs or --workers`,
    );
  }
  if (cost.seconds / 3600 > maxHours) {
    throw new UsageError(
      `${what}: would train for about ${formatDuration(cost.seconds)}${rate === undefined ? "" : ` (timed: ${shortDuration(rate.secondsPerDatumStep)} per datum-step + ${shortDuration(rate.secondsPerRun)} per run and η)`}, ` +
        `above the limit --max-hours ${maxHours}: lower --N or --runs, or raise --max-hours`,
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

/** Two significant digits, written plainly (`390`, `3.2`, `0.0019`; never `3.9e+2`). */
const twoDigits = (x: number): string => String(Number(x.toPrecision(2)));

/** `"3.2 hours"`, `"390 days"`, `"45 minutes"`. */
function formatDuration(seconds: number): string {
  if (seconds < 3600) return `${twoDigits(seconds / 60)} minutes`;
  if (seconds < 86400 * 2) return `${twoDigits(seconds / 3600)} hours`;
  return `${twoDigits(seconds / 86400)} days`;
}

/** A short time: `"1.9 ms"`, `"45 µs"`, `"2.1 s"`, `"0 s"`. */
function shortDuration(seconds: number): string {
  if (seconds === 0 || seconds >= 1) return `${twoDigits(seconds)} s`;
  return seconds >= 1e-3 ? `${twoDigits(seconds * 1e3)} ms` : `${twoDigits(seconds * 1e6)} µs`;
}

/** Help note on the jax-js models (timings: README "The main job"). */
export const MODEL_NOTE =
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
export async function configFromFlags(v: Values, command: string, io: CommandIO): Promise<{ config: MainJobConfig; outDir: string; json: boolean; workers: number }> {
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

export async function setupWithMessage(config: MainJobConfig, io: CommandIO) {
  if (io.interactive) io.stderr(`loading ${specDataName(config)} and building the ${specModelName(config)} model…\n`);
  await prepareModelNumerics(config);
  return setupForConfig(config);
}

/** A main-job command's parsed options (see `configFromFlags`). */
export type JobOptions = Awaited<ReturnType<typeof configFromFlags>>;
