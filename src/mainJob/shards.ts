/**
 * The main job in shards: what a shard of `predict`, `simulate` or `compare` writes (its
 * estimator tuples and its runs, see `harness/shard.ts`) and how `merge` puts them back in the
 * order one process computes them, so the means and intervals come out bit for bit the same.
 *
 * @module
 */
import { UsageError } from "../errors.js";
import { type GatheredShards, indexList, type ShardFile, writeShardFile } from "../harness/shardFiles.js";
import type { Shard } from "../harness/shard.js";
import type { RunResult } from "../simulate/runResult.js";
import { fnv1aHex } from "../stats/hash.js";
import { configKey, type MainJobConfig } from "./config.js";
import { runResultsValidator } from "./simulate.js";

export type { RunResult } from "../simulate/runResult.js";

export const MAIN_JOB_COMMANDS = ["predict", "simulate", "compare"] as const;
export type MainJobCommandName = (typeof MAIN_JOB_COMMANDS)[number];

/** What a main-job shard file holds. */
export interface MainJobShardPayload {
  readonly command: MainJobCommandName;
  readonly config: MainJobConfig;
  /** The shard's estimator tuples (`t mod n = k`, in order): `values[spec][j][diagram]`; null for simulate. */
  readonly tuples: number[][][] | null;
  /** The shard's runs as `[run, results]`, by run; null for predict. */
  readonly runs: [number, RunResult[]][] | null;
}

/**
 * The fingerprint of a main-job shard: the command, the whole config (runs, tuples, seeds…)
 * and the code version — shards of anything else are never merged together.
 */
export function mainJobFingerprint(command: MainJobCommandName, config: MainJobConfig, codeVersion: string): string {
  return fnv1aHex(JSON.stringify({ command, config, codeVersion }));
}

/** Writes a main-job shard's file under `outDir/shards/` and returns its path. */
export function writeMainJobShard(outDir: string, codeVersion: string, shard: Shard, payload: MainJobShardPayload): string {
  const f: ShardFile<MainJobShardPayload> = { kind: payload.command, fingerprint: mainJobFingerprint(payload.command, payload.config, codeVersion), shard, payload };
  return writeShardFile(outDir, `${payload.command}-${payload.config.data}-${payload.config.model}-${configKey(payload.config)}`, f);
}

/** The merged shards of one main-job configuration. */
export interface MergedMainJob {
  readonly command: MainJobCommandName;
  readonly config: MainJobConfig;
  /** Every present tuple in index order (what one process samples); undefined for simulate. */
  readonly tuples: number[][][] | undefined;
  /** Every present run by index; undefined for predict. */
  readonly runs: Map<number, RunResult[]> | undefined;
  readonly count: number;
  readonly missing: readonly number[];
}

const isNumberRow = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === "number");

/**
 * Puts the shards' tuples and runs back in index order. Tuple `t` is the `⌊t/n⌋`-th tuple of
 * shard `t mod n`; runs keep their indices. Refuses (one line) a payload that does not match
 * its config (wrong tuple counts, runs out of range or of the wrong shape, or — with every
 * shard present — runs missing), and a fingerprint that does not match the config in the file.
 */
export function mergeMainJobShards(g: GatheredShards, codeVersion: string): MergedMainJob {
  const first = g.shards[0];
  const p0 = first.payload as MainJobShardPayload;
  if (!(MAIN_JOB_COMMANDS as readonly string[]).includes(g.kind) || typeof p0 !== "object" || p0 === null || p0.command !== g.kind) {
    throw new UsageError(`merge: ${first.path} is a ${g.kind} shard of another shape (not predict, simulate or compare)`);
  }
  const command = p0.command;
  const config = p0.config;
  if (mainJobFingerprint(command, config, codeVersion) !== g.fingerprint) {
    throw new UsageError(`merge: ${first.path} was written by another version of sgd-diagrams (or its config was edited): rerun the shards with this version`);
  }
  const n = g.count;
  const slots: (number[][][] | undefined)[] = Array.from({ length: n }, () => undefined);
  const runs = command === "predict" ? undefined : new Map<number, RunResult[]>();
  const validRun = runResultsValidator(config);
  for (const f of g.shards) {
    const p = f.payload as MainJobShardPayload;
    const bad = (why: string) => new UsageError(`merge: ${f.path}: ${why}; rerun that shard`);
    const k = f.shard.index;
    if (command !== "simulate") {
      const expected = Math.max(0, Math.ceil((config.tuples - k) / n));
      const t = p.tuples;
      if (!Array.isArray(t) || t.length !== (config.loss === "gap" ? 2 : 1) || !t.every((s) => Array.isArray(s) && s.length === expected && s.every(isNumberRow))) {
        throw bad(`its estimator tuples are not the ${expected} of shard ${k}/${n} (of ${config.tuples})`);
      }
      slots[k] = t;
    }
    if (runs !== undefined) {
      if (!Array.isArray(p.runs)) throw bad("no runs");
      for (const rec of p.runs) {
        if (!Array.isArray(rec) || typeof rec[0] !== "number" || !Number.isSafeInteger(rec[0]) || rec[0] < 0 || rec[0] >= config.runs || !validRun(rec[1])) throw bad("a run record of the wrong shape");
        runs.set(rec[0], rec[1]);
      }
    }
  }
  if (runs !== undefined && g.missing.length === 0 && runs.size !== config.runs) {
    const lacking = Array.from({ length: config.runs }, (_, r) => r).filter((r) => !runs.has(r));
    throw new UsageError(`merge: every shard is present but runs ${indexList(lacking)} are in none (shard files of an interrupted run?); rerun the shards`);
  }
  let tuples: number[][][] | undefined;
  if (command !== "simulate") {
    const specs = (slots.find((s) => s !== undefined) ?? []).length;
    tuples = Array.from({ length: specs }, () => [] as number[][]);
    for (let t = 0; t < config.tuples; t++) {
      const s = slots[t % n];
      if (s !== undefined) s.forEach((rows, i) => tuples![i].push(rows[Math.floor(t / n)]));
    }
    if (tuples[0].length < 2) throw new UsageError(`merge: only ${tuples[0].length} estimator tuple(s) in the present shards; at least 2 are needed`);
  }
  return { command, config, tuples, runs, count: n, missing: g.missing };
}
