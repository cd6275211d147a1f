import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import cliProgress from "cli-progress";
import { UsageError } from "../../index.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../../harness/experiment.js";
import { reportHtml, writeExperimentOutputs, type WrittenExperiment } from "../../harness/output.js";
import { labelSelected } from "../../harness/model.js";
import { ensureWritableFolder, readRegularFile, writeFileAtomic } from "../../harness/safeFile.js";
import { CHECKPOINT_FILE, CHECKPOINT_VERSION } from "../../harness/checkpoint.js";
import { parseShard, shardTag } from "../../harness/shard.js";
import { fingerprintOf, type GatheredShards, SHARD_FOLDER, writeShardFile } from "../../harness/shardFiles.js";
import { packageVersion } from "../version.js";
import { EXPERIMENTS } from "../../figures/registry.js";
import type { Command, CommandIO } from "../command.js";
import { type FlagTable, intFlag, parseFlags } from "../flags.js";
import { logProgress } from "../progress.js";
import { HELP_WIDTH, wrap } from "../help.js";
import { didYouMean } from "../suggest.js";
import { timeEstimate } from "./reproduceEstimates.js";

/** reproduce's default `--seed`: kept at 1 (not compare's 0) so published verdicts and numbers stay as they are. */
export const DEFAULT_REPRODUCE_SEED = 1;

const FLAGS = {
  list: { type: "boolean", description: "List the experiments (id, paper figure, rough time, what it reproduces) and exit." },
  quick: { type: "boolean", description: "Small sizes that finish in minutes (with --list: the quick model lists)." },
  out: { type: "string", value: "DIR", defaultValue: "out", description: "Output folder: DIR/<id>/ per experiment, DIR/index.html for several." },
  seed: {
    type: "string",
    value: "<k>",
    defaultValue: String(DEFAULT_REPRODUCE_SEED),
    description: "Base seed of every random stream. Note: compare/predict/simulate default to --seed 0; reproduce keeps 1 so its recorded verdicts stay reproducible.",
  },
  models: {
    type: "string",
    value: "TEXT[,TEXT…]",
    description: 'Real-data experiments run only the models whose label contains one of the texts, e.g. --models lenet or --models "mnist logistic init 1" (--list shows the labels).',
  },
  fresh: { type: "boolean", description: "Forget saved checkpoints and start over (default: resume)." },
  "no-png": { type: "boolean", description: "Write SVG figures only (no PNG)." },
  strict: { type: "boolean", description: "Exit 1 when a claim is not reproduced." },
  json: { type: "boolean", description: "Print JSON instead of text." },
  shard: { type: "string", value: "i/n|auto", description: "Compute only shard i of n of the experiments' chunks of runs, save them in --out/shards/ and exit; then `sgd-diagrams merge DIR` (docs/cluster.md)." },
  "shard-count": { type: "string", value: "<n>", defaultValue: "SLURM_ARRAY_TASK_COUNT", description: "With --shard auto: the number of shards (needed on Kubernetes)." },
} as const satisfies FlagTable;

/** Exit code when the user interrupted the run (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Injection points for tests: the experiments to choose from and an external stop signal. */
export interface ReproduceHooks {
  readonly experiments?: readonly Experiment[];
  /** Polled together with Ctrl-C; `true` stops the run as Ctrl-C would. */
  readonly shouldStop?: () => boolean;
  /** `merge --allow-partial`: use only stored chunks of runs, compute none (see `ExperimentContext.storedOnly`). */
  readonly storedOnly?: boolean;
}

/** The command line that regenerates an experiment (or `all`) with these settings. */
function commandLine(id: string, quick: boolean, out: string, seed: number, models?: readonly string[]): string {
  return `npx sgd-diagrams reproduce ${id}${quick ? " --quick" : ""} --out ${out} --seed ${seed}${models === undefined ? "" : ` --models ${JSON.stringify(models.join(","))}`}`;
}

/** `--models a,b`: the trimmed, non-empty texts; `undefined` when the flag is absent. */
function parseModels(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const texts = raw.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
  if (texts.length === 0) throw new UsageError(`--models needs at least one text to match model labels (e.g. --models lenet), got ${JSON.stringify(raw)}`);
  return texts;
}

/** Runs `reproduce` (see {@link reproduce}); exported for tests with {@link ReproduceHooks}. */
export async function runReproduce(argv: string[], io: CommandIO, hooks: ReproduceHooks = {}): Promise<number> {
  const experiments = hooks.experiments ?? EXPERIMENTS;
  const { values, positionals } = parseFlags(argv, FLAGS);
  const ids = experiments.map((e) => e.id);
  if (values.list === true) {
    const quickList = values.quick === true;
    const models = (e: Experiment) => e.modelLabels?.(quickList) ?? null;
    if (values.json === true) {
      io.stdout(JSON.stringify(experiments.map((e) => ({ id: e.id, figure: e.figure, title: e.title, models: models(e), estimate: timeEstimate(e.id) ?? null })), null, 2) + "\n");
    } else io.stdout(experimentList(experiments, quickList));
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one experiment id, a comma-separated list of ids, or "all" (one of: ${ids.join(", ")}), got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const target = positionals[0];
  // Several ids run in one process, in registry order: experiments that share work (test-vs-eta and
  // gap-vs-eta share their runs and diagram values) then compute it once.
  const targets = target === "all" ? ids : target.split(",").map((t) => t.trim());
  for (const t of targets) if (!ids.includes(t)) throw new UsageError(`unknown experiment ${JSON.stringify(t)}${didYouMean(t, ids)} (one of: ${ids.join(", ")}, or all)`);
  const quick = values.quick === true;
  const out = values.out ?? "out";
  const seed = intFlag(values.seed, "--seed", 0, 2 ** 31 - 1) ?? DEFAULT_REPRODUCE_SEED;
  const models = parseModels(values.models);
  let selected = experiments.filter((e) => targets.includes(e.id));
  if (models !== undefined) {
    // Only experiments with a model list take --models; of those, only the ones where it keeps a model.
    const keeps = (e: Experiment) => (e.modelLabels?.(quick) ?? []).some((l) => labelSelected(models, l));
    for (const e of target === "all" ? [] : selected) {
      if (e.modelLabels === undefined) throw new UsageError(`${e.id} has no model list; --models applies to: ${experiments.filter((x) => x.modelLabels !== undefined).map((x) => x.id).join(", ")}`);
      if (!keeps(e)) throw new UsageError(`--models ${JSON.stringify(models.join(","))} matches none of ${e.id}'s models${quick ? " (--quick)" : ""}: ${e.modelLabels(quick).join("; ")}`);
    }
    selected = selected.filter(keeps);
    if (selected.length === 0) throw new UsageError(`--models ${JSON.stringify(models.join(","))} matches no model of any experiment${quick ? " (--quick)" : ""} (reproduce --list${quick ? " --quick" : ""} shows the labels)`);
  }
  const outDir = resolve(out);
  ensureWritableFolder(outDir); // a file, a device or a read-only folder: one line, before any work
  const shard = parseShard(values.shard, values["shard-count"], process.env);
  const shardUnits: Record<string, ReproduceShardUnits> = {};

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(INTERRUPTED_EXIT_CODE);
    stopRequested = true;
    io.stderr("\nstopping after the current chunk (Ctrl-C again to abort); rerun the same command to resume\n");
  };
  process.on("SIGINT", onSigint);
  const shouldStop = () => stopRequested || (hooks.shouldStop?.() ?? false);
  const written: WrittenExperiment[] = [];
  const started = Date.now();
  let interrupted = false;
  try {
    for (const exp of selected) {
      if (shouldStop()) {
        interrupted = true;
        break;
      }
      const bar = io.interactive ? new cliProgress.SingleBar({ format: `${exp.id.padEnd(12)} |{bar}| {value}/{total} {label}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      let barTotal = -1;
      const log = bar === null ? logProgress(io) : null;
      const ctx: ExperimentContext = {
        // A shard keeps its chunks in its own folder (resumable, never shared with another shard).
        outDir: shard === undefined ? join(outDir, exp.id) : join(outDir, exp.id, SHARD_FOLDER, shardTag(shard)),
        ...(shard === undefined ? {} : { shard }),
        ...(hooks.storedOnly === true ? { storedOnly: true } : {}),
        quick,
        seed,
        progress(label, done, total) {
          if (bar === null) return log?.(`${exp.id}: ${label}`, done, total);
          if (barTotal < 0) bar.start(Math.max(1, total), done, { label });
          else if (total !== barTotal) bar.setTotal(Math.max(1, total));
          barTotal = total;
          bar.update(done, { label });
        },
        shouldStop,
        ...(models === undefined ? {} : { models }),
      };
      if (values.fresh === true) clearCheckpoint(ctx.outDir);
      const t0 = Date.now();
      let result: ExperimentResult;
      try {
        result = await exp.run(ctx);
      } finally {
        bar?.stop();
      }
      const seconds = (Date.now() - t0) / 1000;
      if (shard !== undefined) {
        if (shouldStop()) {
          interrupted = true;
          break;
        }
        shardUnits[exp.id] = readCheckpointUnits(ctx.outDir);
        continue;
      }
      const w = await writeExperimentOutputs(exp, result, outDir, { command: commandLine(exp.id, quick, out, seed, models), seconds, png: values["no-png"] !== true });
      written.push(w);
      if (values.json !== true) {
        io.stdout(`${exp.id}: ${w.headline}\n  ${w.verdict} (${seconds.toFixed(1)} s)\n  → ${join(out, exp.id)}/\n`);
      }
      if (w.partial) {
        interrupted = true;
        break;
      }
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
  const seconds = (Date.now() - started) / 1000;
  if (shard !== undefined) {
    if (interrupted) {
      io.stderr(`interrupted: no shard file written; rerun the same command to resume shard ${shard.index}/${shard.count}\n`);
      return INTERRUPTED_EXIT_CODE;
    }
    const payload: ReproduceShardPayload = { ids: selected.map((e) => e.id), quick, seed, models: models ?? null, experiments: shardUnits };
    const file = writeShardFile(outDir, `reproduce-${target.replace(/[^\w.-]+/g, "_")}`, { kind: "reproduce", fingerprint: reproduceFingerprint(payload), shard, payload });
    const chunks = Object.values(shardUnits).reduce((n, u) => n + Object.keys(u.units).length, 0);
    if (values.json === true) io.stdout(JSON.stringify({ shard, file, experiments: payload.ids, units: chunks, seconds }, null, 2) + "\n");
    else io.stdout(`reproduce shard ${shard.index}/${shard.count}: ${chunks} saved unit(s) of ${payload.ids.join(", ")} in ${seconds.toFixed(1)} s\nwrote ${file}\nwhen all ${shard.count} shards are done: sgd-diagrams merge ${out}\n`);
    return 0;
  }
  let index: string | null = null;
  if (selected.length > 1 && written.length > 0) {
    index = join(out, "index.html");
    writeFileSync(join(outDir, "index.html"), reportHtml(written, { command: commandLine(target, quick, out, seed, models), generated: new Date().toISOString(), seconds }));
  }
  if (values.json === true) {
    io.stdout(JSON.stringify({ seed, quick, out, models: models ?? null, seconds, interrupted, index, experiments: written }, null, 2) + "\n");
  } else {
    if (index !== null) io.stdout(`wrote ${index} (${seconds.toFixed(1)} s)\n`);
    if (interrupted) io.stderr(`interrupted: rerun the same command to resume\n`);
  }
  if (interrupted) return INTERRUPTED_EXIT_CODE;
  if (values.strict === true && written.some((w) => w.pass === false)) return 1;
  return 0;
}

/**
 * `reproduce --list` in at most {@link HELP_WIDTH} columns: id, paper figure and rough times in
 * narrow columns, then what the experiment reproduces (and its models) wrapped beside them.
 */
export function experimentList(experiments: readonly Experiment[], quick: boolean, width = HELP_WIDTH): string {
  const rows = experiments.map((e) => {
    const t = timeEstimate(e.id);
    const models = e.modelLabels?.(quick);
    return {
      cells: [e.id, /^figure/.test(e.figure) ? e.figure.replace(/\s*\(.*\)\s*$/, "") : "—", t?.quick ?? "?", t?.full ?? "?"],
      text: e.title + (models === undefined ? "" : `${/[.!?]$/.test(e.title) ? "" : "."} Models${quick ? " (--quick)" : ""}: ${models.join("; ")}.`),
    };
  });
  const header = ["id", "paper", "--quick", "full"];
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r.cells[j].length)));
  const left = widths.reduce((s, w) => s + w + 2, 0);
  const line = (cells: readonly string[], text: string) => cells.map((c, j) => c.padEnd(widths[j])).join("  ") + "  " + wrap(text, width, left);
  const rule = [...widths, width - left].map((w) => "-".repeat(w)).join("  ");
  return [line(header, "what it reproduces"), rule, ...rows.map((r) => line(r.cells, r.text))].join("\n") + "\n" +
    wrap("Times are rough, on 2 cores: --quick measured, full derived from the sizes (≥: a lower bound). gap-vs-eta and shuffling share the runs of test-vs-eta and epochs when run with them (reproduce all, or a list of ids).", width) + "\n";
}

/** `--fresh`: forget the saved chunks of a previous run. */
function clearCheckpoint(dir: string): void {
  rmSync(join(dir, "checkpoint.json"), { force: true });
}

export const reproduce: Command = {
  name: "reproduce",
  summary: "Reproduce the paper's figures: data (JSON, CSV), figures (SVG, PNG), verdicts, index.html",
  positionals: "<id>|all",
  flags: FLAGS,
  notes: [
    "<id> may be a comma-separated list of ids: they run in one process, so work shared by experiments (test-vs-eta and gap-vs-eta share their runs) is computed once, and writes index.html.",
    "Every experiment is seeded and resumable: Ctrl-C keeps finished chunks; rerun the same command to resume.",
  ],
  run: (argv, io) => runReproduce(argv, io),
};

/** One experiment's saved units in a shard (its checkpoint's fingerprint and units). */
interface ReproduceShardUnits {
  readonly fingerprint: string | null;
  readonly units: Record<string, unknown>;
}

/** What a reproduce shard file holds. */
interface ReproduceShardPayload {
  readonly ids: readonly string[];
  readonly quick: boolean;
  readonly seed: number;
  readonly models: readonly string[] | null;
  readonly experiments: Record<string, ReproduceShardUnits>;
}

/** The settings that determine a reproduce shard's numbers, and the code version. */
function reproduceFingerprint(p: ReproduceShardPayload): string {
  return fingerprintOf({ ids: p.ids, quick: p.quick, seed: p.seed, models: p.models, version: packageVersion() });
}

/** The checkpoint of an experiment's folder (none: no units). */
function readCheckpointUnits(dir: string): ReproduceShardUnits {
  const file = join(dir, CHECKPOINT_FILE);
  if (!existsSync(file)) return { fingerprint: null, units: {} };
  const o = JSON.parse(readRegularFile(file, "checkpoint")) as { format?: unknown; fingerprint?: string; units?: Record<string, unknown> };
  return o.format === CHECKPOINT_VERSION && typeof o.fingerprint === "string" ? { fingerprint: o.fingerprint, units: o.units ?? {} } : { fingerprint: null, units: {} };
}

/**
 * `merge` of reproduce shards: per experiment, the union of the shards' saved units becomes its
 * checkpoint (with the units already there under the same fingerprint), then `reproduce` runs
 * as one process would, finding every chunk of runs saved: the same numbers, bit for bit.
 */
export async function mergeReproduceShards(g: GatheredShards, o: { out: string; json: boolean; png: boolean; partial: string | null }, io: CommandIO): Promise<number> {
  const payloads = g.shards.map((f) => f.payload as ReproduceShardPayload);
  const p0 = payloads[0];
  if (reproduceFingerprint(p0) !== g.fingerprint) throw new UsageError(`merge: ${g.shards[0].path} was written by another version of sgd-diagrams (or edited): rerun the shards with this version`);
  const outDir = resolve(o.out);
  ensureWritableFolder(outDir);
  const merged = p0.ids.map((id) => {
    const parts = payloads.map((p) => p.experiments?.[id]).filter((u): u is ReproduceShardUnits => u !== undefined && u.fingerprint !== null);
    const fps = new Set(parts.map((u) => u.fingerprint));
    if (fps.size > 1) throw new UsageError(`merge: the shards of ${id} saved checkpoints of ${fps.size} different configurations; rerun them with the same flags`);
    return { id, fingerprint: parts[0]?.fingerprint ?? null, units: Object.assign({}, ...parts.map((u) => u.units)) as Record<string, unknown> };
  });
  for (const m of merged) {
    if (m.fingerprint === null) continue;
    const dir = join(outDir, m.id);
    mkdirSync(dir, { recursive: true });
    const have = readCheckpointUnits(dir);
    const units = have.fingerprint === m.fingerprint ? { ...have.units, ...m.units } : m.units;
    writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify({ format: CHECKPOINT_VERSION, fingerprint: m.fingerprint, units }));
  }
  const argv = [p0.ids.join(","), "--out", o.out, "--seed", String(p0.seed), ...(p0.quick ? ["--quick"] : []), ...(p0.models === null ? [] : ["--models", p0.models.join(",")]), ...(o.png ? [] : ["--no-png"]), ...(o.json ? ["--json"] : [])];
  const code = await runReproduce(argv, io, o.partial === null ? {} : { storedOnly: true });
  return o.partial !== null && code === INTERRUPTED_EXIT_CODE ? 0 : code;
}
