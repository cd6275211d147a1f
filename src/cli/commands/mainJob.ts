import { availableParallelism } from "node:os";
import { join } from "node:path";
import {
  checkpointPath,
  compareMainJob,
  configKey,
  defaultMainJobConfig,
  type MainJobConfig,
  MODELS,
  modelDefaults,
  prepareModelNumerics,
  predictMainJob,
  type PredictionResult,
  setupModel,
  simulateMainJobParallel,
  type SimulationResult,
  writeOutput,
} from "../../mainJob/mainJob.js";
import { toCsv } from "../../harness/output.js";
import { comparisonPlotSpec } from "../../mainJob/plot.js";
import { partialMark } from "../../mainJob/compare.js";
import { ensureWritableFolder } from "../../harness/safeFile.js";
import { configOptimizer, OPTIMIZER_NAMES, type OptimizerName, setupForConfig } from "../../mainJob/optimizerSetup.js";
import { renderSvg, svgToPng } from "../../plot/render.js";
import { DEFAULT_SUBSTEPS, InvalidArgumentError, optimizerLabel, type Schedule, UsageError } from "../../index.js";
import type { Command, CommandIO } from "../command.js";
import { choiceFlag, intFlag, numberListFlag, parseFlags } from "../flags.js";
import { interruptFlag, progressBar } from "../progress.js";
import { SCHEDULE_OPTIONS, SCHEDULE_USAGE, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable } from "../table.js";

const OPTIONS = {
  ...SCHEDULE_OPTIONS,
  data: { type: "string" },
  model: { type: "string" },
  "init-seed": { type: "string" },
  eta: { type: "string" },
  order: { type: "string" },
  loss: { type: "string" },
  runs: { type: "string" },
  tuples: { type: "string" },
  "est-batch": { type: "string" },
  "test-size": { type: "string" },
  seed: { type: "string" },
  optimizer: { type: "string" },
  "gdc-scale": { type: "string" },
  lambda: { type: "string" },
  substeps: { type: "string" },
  json: { type: "boolean" },
  out: { type: "string" },
  workers: { type: "string" },
} as const;

const COMMON_USAGE =
  `[--data mnist|fashion] [--model logistic|lenet|mlp] [--init-seed k] ${SCHEDULE_USAGE} ` +
  "[--eta 0.01,0.02,…] [--order 3] [--loss test|train|gap] [--tuples n] [--est-batch m] [--test-size n] [--seed k] [--json] [--out DIR]";

/** Help note on the jax-js models (timings: README "The main job"). */
const MODEL_NOTE =
  "\n\n--model lenet|mlp run on jax-js (float64 prediction, float32 batched training); their estimator default is " +
  "--tuples 100 --est-batch 16 (logistic: 200 × 64): predict --model lenet takes ~2–3 min on one core, " +
  "a LeNet run of 9 η ~0.5 s per core at --test-size 1000.";

type Values = ReturnType<typeof parseFlags<typeof OPTIONS>>["values"];

/** `simulate` trains with any optimizer; `predict`/`compare` predict SGD-family schedules only. */
const SIMULATE_OPTIMIZER_USAGE = `[--optimizer ${OPTIMIZER_NAMES.join("|")}] [--gdc-scale x] [--lambda x] [--substeps k]`;
const PREDICT_OPTIMIZER_USAGE = "[--optimizer sgd|gd]";

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

/** Flags → config; every default is the README's main job (MNIST logistic, T = N = 10). */
function configFromFlags(v: Values, command: string): { config: MainJobConfig; outDir: string; json: boolean; workers: number } {
  const { schedule, optimizer } = optimizerFromFlags(v, command, scheduleFromFlags(v, { schedule: "sgd", N: 10 }));
  const base: MainJobConfig = { ...defaultMainJobConfig(schedule), ...modelDefaults(choiceFlag(v.model, "--model", MODELS, "logistic")) };
  const etas = numberListFlag(v.eta, "--eta", { positive: true }) ?? base.etas;
  const config: MainJobConfig = {
    ...base,
    ...(optimizer !== undefined ? { optimizer } : {}),
    data: choiceFlag(v.data, "--data", ["mnist", "fashion"] as const, base.data),
    model: choiceFlag(v.model, "--model", MODELS, base.model),
    initSeed: intFlag(v["init-seed"], "--init-seed", 0, 2 ** 31) ?? base.initSeed,
    etas,
    order: intFlag(v.order, "--order", 1, 5) ?? base.order,
    loss: choiceFlag(v.loss, "--loss", ["test", "train", "gap"] as const, base.loss),
    runs: intFlag(v.runs, "--runs", 2, 10_000_000) ?? base.runs,
    tuples: intFlag(v.tuples, "--tuples", 2, 10_000_000) ?? base.tuples,
    batch: intFlag(v["est-batch"], "--est-batch", 1, 100_000) ?? base.batch,
    testSize: intFlag(v["test-size"], "--test-size", 1, 70_000) ?? base.testSize,
    seed: intFlag(v.seed, "--seed", 0, 2 ** 31) ?? base.seed,
  };
  return { config, outDir: v.out ?? "out", json: v.json === true, workers: intFlag(v.workers, "--workers", 1, 64) ?? availableParallelism() };
}

function runPrediction(config: MainJobConfig, io: CommandIO, setup: ReturnType<typeof setupModel>): PredictionResult {
  const bar = progressBar(io, "predict (tuples)");
  try {
    return predictMainJob(config, setup, (d, t) => bar.update(d, t));
  } finally {
    bar.stop();
  }
}

async function runSimulation(config: MainJobConfig, io: CommandIO, setup: ReturnType<typeof setupModel>, outDir: string, workers: number): Promise<SimulationResult> {
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
function measuredCell(mean: number, ci95: number): string {
  return Number.isFinite(mean) ? `${mean.toFixed(6)} ± ${Number.isFinite(ci95) ? ci95.toPrecision(2) : "—"}` : "— ± —";
}

/** Diverged runs at one η, with the earliest step (divergence rule: `SimulationResult.divergenceRule`). */
function divergedCell(diverged: number, firstStep: number): string {
  return diverged > 0 ? `${diverged} (first at step ${firstStep})` : "0";
}

function predictionTable(p: PredictionResult, order: number): string {
  const header = ["η", "ηT", ...Array.from({ length: order }, (_, k) => `order ${k + 1}`), "resummed", "ODE fit", "last term"];
  return formatTable(
    header,
    p.rows.map((r) => [
      String(r.eta),
      r.etaT.toPrecision(3),
      ...r.polynomial.slice(1).map((e) => `${e.value.toFixed(6)} ± ${e.stderr.toPrecision(2)}`),
      r.resummed === null ? "—" : `${r.resummed.value.toFixed(6)} ± ${r.resummed.stderr.toPrecision(2)}`,
      r.ode.value.toFixed(6),
      r.lastTermRatio.toExponential(1),
    ]),
  );
}

async function setupWithMessage(config: MainJobConfig, io: CommandIO) {
  if (io.interactive) io.stderr(`loading ${config.data} and building the ${config.model} model…\n`);
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
  usage: `sgd-diagrams predict ${COMMON_USAGE} ${PREDICT_OPTIMIZER_USAGE}${MODEL_NOTE}`,
  async run(argv, io) {
    const { values } = parseFlags(argv, OPTIONS, "predict");
    const { config, json } = configFromFlags(values, "predict");
    const setup = await setupWithMessage(config, io);
    const p = runPrediction(config, io, setup);
    if (json) io.stdout(JSON.stringify({ config, optimizer: label(config), prediction: p }, null, 2) + "\n");
    else {
      io.stdout(
        `${config.data} ${config.model}, ${label(config)}: predicted ${config.loss === "gap" ? "generalization gap" : `${config.loss} loss`} after T = ${p.T} steps ` +
          `(${p.diagramCount} diagrams, ${config.tuples}×${config.batch} samples, ${p.seconds.toFixed(1)} s)\n` +
          `coefficients c_k (± se): ${p.coefficients.map((e) => `${e.value.toPrecision(6)} ± ${e.stderr.toPrecision(2)}`).join(", ")}\n` +
          predictionTable(p, config.order),
      );
    }
    return 0;
  },
};

export const simulate: Command = {
  name: "simulate",
  summary: "Train many paired runs and measure the loss with 95% intervals (resumable)",
  usage: `sgd-diagrams simulate ${COMMON_USAGE} ${SIMULATE_OPTIMIZER_USAGE} [--runs 2000] [--workers k]${MODEL_NOTE}`,
  async run(argv, io) {
    const { values } = parseFlags(argv, OPTIONS, "simulate");
    const { config, json, outDir, workers } = configFromFlags(values, "simulate");
    ensureWritableFolder(outDir);
    const setup = await setupWithMessage(config, io);
    const s = await runSimulation(config, io, setup, outDir, workers);
    if (json) io.stdout(JSON.stringify({ config, optimizer: label(config), simulation: s }, null, 2) + "\n");
    else {
      io.stdout(
        `${s.interrupted ? `${partialMark(s) ?? "PARTIAL"}: ` : ""}${config.data} ${config.model}, ${label(config)}: measured ${config.loss} over ${s.runsDone}/${s.runsRequested} runs` +
          `${s.resumedFrom > 0 ? ` (resumed from ${s.resumedFrom})` : ""} in ${s.seconds.toFixed(1)} s\n` +
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
  },
};

export const compare: Command = {
  name: "compare",
  summary: "Predict and simulate side by side; writes a table, a plot and a verdict (the main job)",
  usage: `sgd-diagrams compare ${COMMON_USAGE} ${PREDICT_OPTIMIZER_USAGE} [--runs 2000] [--workers k]${MODEL_NOTE}`,
  async run(argv, io) {
    const { values } = parseFlags(argv, OPTIONS, "compare");
    const { config, json, outDir, workers } = configFromFlags(values, "compare");
    const dir = join(outDir, `compare-${config.data}-${config.model}-${configKey(config)}`);
    ensureWritableFolder(dir); // before minutes of prediction, not after
    const setup = await setupWithMessage(config, io);
    const p = runPrediction(config, io, setup);
    const s = await runSimulation(config, io, setup, outDir, workers);
    if (s.runsDone === 0) {
      io.stderr(`interrupted before any run finished: nothing written; rerun the same command to start\n`);
      return 130;
    }
    const cmp = compareMainJob(p, s, config.order);
    const partial = partialMark(s);
    const title = `${partial === null ? "" : `${partial} — `}${config.data} ${config.model}, ${label(config)}, T = ${p.T}: ${config.loss === "gap" ? "generalization gap" : `${config.loss} loss`} vs η`;
    const svg = await renderSvg(comparisonPlotSpec(p, s, config.order, title));
    writeOutput(join(dir, "plot.svg"), svg);
    writeOutput(join(dir, "plot.png"), svgToPng(svg));
    writeOutput(join(dir, "comparison.json"), JSON.stringify({ config, prediction: p, simulation: s, comparison: cmp }, null, 2));
    writeOutput(join(dir, "comparison.csv"), toCsv(cmp.rows));
    writeOutput(join(dir, "verdict.txt"), cmp.verdict + "\n");
    if (json) io.stdout(JSON.stringify({ config, optimizer: label(config), outDir: dir, verdict: cmp.verdict, pass: cmp.pass, partial: cmp.partial, runsDone: s.runsDone, runsRequested: s.runsRequested, divergenceRule: s.divergenceRule, rows: cmp.rows, predictSeconds: p.seconds, simulateSeconds: s.seconds }, null, 2) + "\n");
    else {
      io.stdout(
        `${title}\nprediction: ${p.seconds.toFixed(1)} s for the whole η grid; simulation: ${s.runsDone} paired runs in ${s.seconds.toFixed(1)} s\n` +
          formatTable(
            ["η", "ηT", `order ${config.order} (± se)`, "order 1", "measured (95% CI)", "within", "runs", "diverged"],
            cmp.rows.map((r) => [
              String(r.eta),
              (r.etaT as number).toPrecision(3),
              `${(r[`order${config.order}`] as number).toFixed(6)} ± ${(r[`order${config.order}Se`] as number).toPrecision(2)}`,
              (r.order1 as number).toFixed(6),
              measuredCell(r.measured as number, r.measuredCi95 as number),
              r.withinInterval === true ? "yes" : "no",
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
  },
};
