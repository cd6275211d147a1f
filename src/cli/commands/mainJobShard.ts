/**
 * `predict`, `simulate` or `compare` with `--shard i/n`: one shard's estimator tuples and runs,
 * written to its shard file for `merge` (docs/cluster.md).
 *
 * @module
 */
import { checkpointPath, predictionTuples, simulateShard } from "../../mainJob/mainJob.js";
import type { Shard } from "../../harness/shard.js";
import { ensureWritableFolder } from "../../harness/safeFile.js";
import { type MainJobCommandName, type RunResult, writeMainJobShard } from "../../mainJob/shards.js";
import type { CommandIO } from "../command.js";
import { interruptFlag, progressBar } from "../progress.js";
import { packageVersion } from "../version.js";
import { type JobOptions, setupWithMessage } from "./mainJobOptions.js";

/**
 * One shard of a main-job command: samples its estimator tuples and trains its runs
 * (checkpointed in its own run log, so a killed shard resumes), writes its shard file
 * atomically under `--out/shards/`, and exits without means (`merge` computes them).
 */
export async function runShardJob(command: MainJobCommandName, { config, json, outDir, workers }: JobOptions, shard: Shard, io: CommandIO): Promise<number> {
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

