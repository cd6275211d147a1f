import { availableParallelism } from "node:os";
import { join } from "node:path";
import {
  checkpointPath,
  compareMainJob,
  configKey,
  defaultMainJobConfig,
  type MainJobConfig,
  MODELS,
  predictMainJob,
  type PredictionResult,
  setupModel,
  simulateMainJobParallel,
  type SimulationResult,
  writeOutput,
} from "../../experiments/mainJob.js";
import { comparisonPlotSpec } from "../../experiments/mainJobPlot.js";
import { renderSvg, svgToPng } from "../../plot/render.js";
import { UsageError } from "../../index.js";
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
  json: { type: "boolean" },
  out: { type: "string" },
  workers: { type: "string" },
} as const;

const COMMON_USAGE =
  `[--data mnist|fashion] [--model logistic|lenet|mlp] [--init-seed k] ${SCHEDULE_USAGE} ` +
  "[--eta 0.01,0.02,…] [--order 3] [--loss test|train|gap] [--tuples n] [--est-batch m] [--test-size n] [--seed k] [--json] [--out DIR]";

type Values = ReturnType<typeof parseFlags<typeof OPTIONS>>["values"];

/** Flags → config; every default is the README's main job (MNIST logistic, T = N = 10). */
function configFromFlags(v: Values, command: string): { config: MainJobConfig; outDir: string; json: boolean; workers: number } {
  const schedule = scheduleFromFlags(v, { schedule: "sgd", N: 10 });
  const base = defaultMainJobConfig(schedule);
  const etas = numberListFlag(v.eta, "--eta", { positive: true }) ?? base.etas;
  if (v.optimizer !== undefined && v.optimizer !== "sgd" && v.optimizer !== "gd") {
    throw new UsageError(`--optimizer ${v.optimizer} is not available in ${command} yet (available: sgd, gd via --schedule)`);
  }
  const config: MainJobConfig = {
    ...base,
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
      workers,
    });
  } finally {
    bar.stop();
    stop.dispose();
  }
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

function setupWithMessage(config: MainJobConfig, io: CommandIO) {
  if (io.interactive) io.stderr(`loading ${config.data} and building the ${config.model} model…\n`);
  return setupModel(config);
}

export const predict: Command = {
  name: "predict",
  summary: "Predict test/train loss or gap after training, from statistics at initialization",
  usage: `sgd-diagrams predict ${COMMON_USAGE}`,
  run(argv, io) {
    const { values } = parseFlags(argv, OPTIONS, "predict");
    const { config, json } = configFromFlags(values, "predict");
    const setup = setupWithMessage(config, io);
    const p = runPrediction(config, io, setup);
    if (json) io.stdout(JSON.stringify({ config, prediction: p }, null, 2) + "\n");
    else {
      io.stdout(
        `${config.data} ${config.model}: predicted ${config.loss === "gap" ? "generalization gap" : `${config.loss} loss`} after T = ${p.T} steps ` +
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
  usage: `sgd-diagrams simulate ${COMMON_USAGE} [--runs 2000] [--workers k]`,
  async run(argv, io) {
    const { values } = parseFlags(argv, OPTIONS, "simulate");
    const { config, json, outDir, workers } = configFromFlags(values, "simulate");
    const setup = setupWithMessage(config, io);
    const s = await runSimulation(config, io, setup, outDir, workers);
    if (json) io.stdout(JSON.stringify({ config, simulation: s }, null, 2) + "\n");
    else {
      io.stdout(
        `${config.data} ${config.model}: measured ${config.loss} over ${s.runsDone}/${s.runsRequested} runs` +
          `${s.resumedFrom > 0 ? ` (resumed from ${s.resumedFrom})` : ""} in ${s.seconds.toFixed(1)} s\n` +
          formatTable(
            ["η", "ηT", "mean", "95% CI", "runs", "diverged"],
            s.rows.map((r) => [String(r.eta), r.etaT.toPrecision(3), r.mean.toFixed(6), `± ${r.ci95.toPrecision(2)}`, String(r.runs), r.diverged > 0 ? `${r.diverged} (first at step ${r.firstDivergedStep})` : "0"]),
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
  usage: `sgd-diagrams compare ${COMMON_USAGE} [--runs 2000] [--workers k]`,
  async run(argv, io) {
    const { values } = parseFlags(argv, OPTIONS, "compare");
    const { config, json, outDir, workers } = configFromFlags(values, "compare");
    const setup = setupWithMessage(config, io);
    const p = runPrediction(config, io, setup);
    const s = await runSimulation(config, io, setup, outDir, workers);
    const cmp = compareMainJob(p, s, config.order);
    const dir = join(outDir, `compare-${config.data}-${config.model}-${configKey(config)}`);
    const title = `${config.data} ${config.model}, T = ${p.T}: ${config.loss === "gap" ? "generalization gap" : `${config.loss} loss`} vs η`;
    const svg = await renderSvg(comparisonPlotSpec(p, s, config.order, title));
    writeOutput(join(dir, "plot.svg"), svg);
    writeOutput(join(dir, "plot.png"), svgToPng(svg));
    writeOutput(join(dir, "comparison.json"), JSON.stringify({ config, prediction: p, simulation: s, comparison: cmp }, null, 2));
    const cols = Object.keys(cmp.rows[0]);
    writeOutput(join(dir, "comparison.csv"), [cols.join(","), ...cmp.rows.map((r) => cols.map((c) => String(r[c])).join(","))].join("\n") + "\n");
    writeOutput(join(dir, "verdict.txt"), cmp.verdict + "\n");
    if (json) io.stdout(JSON.stringify({ config, outDir: dir, verdict: cmp.verdict, pass: cmp.pass, rows: cmp.rows, predictSeconds: p.seconds, simulateSeconds: s.seconds }, null, 2) + "\n");
    else {
      io.stdout(
        `${title}\nprediction: ${p.seconds.toFixed(1)} s for the whole η grid; simulation: ${s.runsDone} paired runs in ${s.seconds.toFixed(1)} s\n` +
          formatTable(
            ["η", "ηT", `order ${config.order} (± se)`, "order 1", "measured (95% CI)", "within", "runs"],
            cmp.rows.map((r) => [
              String(r.eta),
              (r.etaT as number).toPrecision(3),
              `${(r[`order${config.order}`] as number).toFixed(6)} ± ${(r[`order${config.order}Se`] as number).toPrecision(2)}`,
              (r.order1 as number).toFixed(6),
              `${(r.measured as number).toFixed(6)} ± ${(r.measuredCi95 as number).toPrecision(2)}`,
              r.withinInterval === true ? "yes" : "no",
              String(r.runs),
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
