/**
 * Shards: one process of `n` computing its share of independent units of work (chunks of
 * paired runs, estimator tuples), for cluster batch schedulers (Slurm job arrays, Kubernetes
 * Indexed Jobs). Shard `k` of `n` owns unit `u` when `u mod n = k`: units are seeded by their
 * index alone (`drawRun`, the estimator's per-tuple draws), so the union of the shards' units is
 * exactly what one process computes, and a merge gives the same numbers bit for bit.
 *
 * @module
 */
import { UsageError } from "../errors.js";

/** Shard `index` of `count` (`0 ≤ index < count`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Largest shard count accepted (a guard against typos such as `--shard 1/10000000`). */
export const MAX_SHARDS = 100_000;

/** Whether shard `s` computes unit `unit` (always, without a shard). */
export function ownsUnit(s: Shard | undefined, unit: number): boolean {
  return s === undefined || unit % s.count === s.index;
}

/** File-name tag of a shard, e.g. `shard-03-of-16` (zero-padded so file listings sort by index). */
export function shardTag(s: Shard): string {
  const w = String(s.count - 1).length;
  return `shard-${String(s.index).padStart(w, "0")}-of-${s.count}`;
}

/** Environment variables {@link parseShard} reads for `--shard auto`. */
export type ShardEnv = Readonly<Record<string, string | undefined>>;

function nonNegativeInt(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,9}$/.test(text.trim())) return null;
  return Number(text.trim());
}

function checked(index: number, count: number, what: string): Shard {
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`${what}: the shard count must be an integer in [1, ${MAX_SHARDS}], got ${count}`);
  if (index >= count) throw new UsageError(`${what}: shard index ${index} is not below the count ${count} (shards are numbered 0 to ${count - 1})`);
  return { index, count };
}

/**
 * `--shard i/n` (`0 ≤ i < n`), or `--shard auto`: the index from the scheduler's environment:
 * - Slurm job arrays: `SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN` (`MIN` 0 when unset), the
 *   count `SLURM_ARRAY_TASK_COUNT` (or `count` when given);
 * - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, the count from `count` (`--shard-count n`;
 *   Kubernetes does not pass `completions` to the pod).
 * `count` (from `--shard-count`) is only accepted with `auto`. Every mistake is one line.
 */
export function parseShard(text: string | undefined, count: string | undefined, env: ShardEnv): Shard | undefined {
  if (text === undefined) {
    if (count !== undefined) throw new UsageError(`--shard-count goes with --shard auto (got --shard-count ${count} without --shard)`);
    return undefined;
  }
  const t = text.trim();
  if (t !== "auto") {
    if (count !== undefined) throw new UsageError(`--shard-count goes with --shard auto; --shard ${t} already names the count`);
    const m = /^(\d{1,9})\/(\d{1,9})$/.exec(t);
    if (m === null) throw new UsageError(`--shard must be i/n with integers 0 ≤ i < n (e.g. --shard 0/16), or auto; got ${JSON.stringify(text)}`);
    return checked(Number(m[1]), Number(m[2]), `--shard ${t}`);
  }
  const n = count === undefined ? undefined : nonNegativeInt(count);
  if (n === null) throw new UsageError(`--shard-count must be a positive integer, got ${JSON.stringify(count)}`);
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  if (slurmId !== undefined && slurmId !== "") {
    const id = nonNegativeInt(slurmId);
    const min = env.SLURM_ARRAY_TASK_MIN === undefined || env.SLURM_ARRAY_TASK_MIN === "" ? 0 : nonNegativeInt(env.SLURM_ARRAY_TASK_MIN);
    const slurmCount = nonNegativeInt(env.SLURM_ARRAY_TASK_COUNT);
    if (id === null || min === null || id < min) throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID=${slurmId} (SLURM_ARRAY_TASK_MIN=${env.SLURM_ARRAY_TASK_MIN ?? "unset"}) is not a task index`);
    const c = n ?? slurmCount;
    if (c === null || c === undefined) throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_COUNT is not set; pass --shard-count n`);
    return checked(id - min, c, `--shard auto (Slurm task ${id})`);
  }
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined && k8s !== "") {
    const id = nonNegativeInt(k8s);
    if (id === null) throw new UsageError(`--shard auto: JOB_COMPLETION_INDEX=${k8s} is not an index`);
    if (n === undefined) throw new UsageError(`--shard auto with JOB_COMPLETION_INDEX (Kubernetes) needs --shard-count n (the Job's completions)`);
    return checked(id, n, `--shard auto (JOB_COMPLETION_INDEX ${id})`);
  }
  throw new UsageError(`--shard auto: neither SLURM_ARRAY_TASK_ID (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set; use --shard i/n`);
}
