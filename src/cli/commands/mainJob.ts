/**
 * The main-job commands `predict`, `simulate` and `compare`: parsed options → the main job →
 * tables, JSON and files. Flags and config: ./mainJobOptions.ts; shards: ./mainJobShard.ts.
 *
 * @module
 */
import { join } from "node:path";
import {
  checkpointPath,
  compareMainJob,
  configKey,
  type MainJobConfig,
  predictMainJob,
  type PredictionResult,
  setupModel,
  simulateMainJobParallel,
  type SimulationResult,
  summariseRuns,
  writeOutput,
} from "../../mainJob/mainJob.js";
import { toCsv } from "../../harness/output.js";
import { parseShard } from "../../harness/shard.js";
import type { MainJobCommandName, RunResult } from "../../mainJob/shards.js";
import { comparisonPlotSpec } from "../../mainJob/plot.js";
import { partialMark } from "../../mainJob/compare.js";
import { ensureWritableFolder } from "../../harness/safeFile.js";
import { configOptimizer } from "../../mainJob/optimizerSetup.js";
import { renderSvg, svgToPng } from "../../plot/render.js";
import { optimizerLabel } from "../../index.js";
import type { Command, CommandIO } from "../command.js";
import { parseFlags } from "../flags.js";
import { interruptFlag, progressBar } from "../progress.js";
import { formatTable, titleLine } from "../table.js";
import { specDataName, specModelName } from "../../harness/model.js";
import { COMPARE_FLAGS, configFromFlags, type JobOptions, MODEL_NOTE, PREDICT_FLAGS, refuseOverBudget, setupWithMessage, SIMULATE_FLAGS } from "./mainJobOptions.js";
import { runShardJob } from "./mainJobShard.js";

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
    await refuseOverBudget(values, options.config, "predict", options.workers, io);
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
    await refuseOverBudget(values, options.config, "simulate", options.workers, io);
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
    await refuseOverBudget(values, options.config, "compare", options.workers, io);
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
