/**
 * The one run engine of the harness, under the main job and the figures: it decides which
 * chunks of runs are still to train (missing from the store, owned by this shard), trains them
 * in this thread or on a worker pool, saves each finished chunk at once and stops between
 * chunks when asked. What a run *is* (its seed, its training set, its trainer) and where
 * finished runs are kept (a run log, a checkpoint) belong to the caller: the main job
 * (`mainJob/simulate.ts`), paired runs of the figures (`pairedRuns.ts`) and other seeded units
 * of work (`runChunks` in `checkpoint.ts`) all drive this engine, so chunk scheduling,
 * checkpointing and the worker protocol exist once.
 *
 * Runs are numbered `0..runs−1` and seeded by their index alone (the caller's job), and chunks
 * are the blocks `[k·size, (k+1)·size)` cut to their missing runs, so results depend neither on
 * the number of workers, nor on interruptions, nor on shards.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { parentPort, Worker } from "node:worker_threads";
import { InvalidArgumentError } from "../errors.js";

/** Where finished runs are kept (and found again on resumption). */
export interface RunStore<R> {
  /** Whether run `run` is finished and stored. */
  has(run: number): boolean;
  /** Stores the finished runs `from..from+results.length−1` (one chunk). */
  save(from: number, results: readonly R[]): void;
}

/** A list of seeded runs for the engine. */
export interface RunJob<R> {
  /** Runs `0..runs−1`. */
  readonly runs: number;
  /** Runs per chunk: the blocks `[k·size, (k+1)·size)` train together. */
  readonly chunkSize: number;
  readonly store: RunStore<R>;
  /** Whether this process trains block `k` (a shard's own blocks); absent: every block. */
  readonly owns?: (block: number) => boolean;
  /** Trains runs `from..to−1` in this thread (each seeded by its index alone). */
  readonly train: (from: number, to: number) => R[];
  /** Asked before each chunk; `true` stops (finished chunks stay stored). */
  readonly shouldStop?: () => boolean;
  /** Told after each chunk is stored. */
  readonly onChunk?: (from: number, to: number) => void;
}

/**
 * Optional worker pool of {@link runJobAsync}: `workers` threads of `script`, a module that
 * builds its trainer from `workerData` and then calls {@link serveChunks}.
 */
export interface WorkerPoolOptions {
  readonly script: string;
  readonly workerData: unknown;
  readonly workers: number;
}

/** How a job ended: `interrupted` when `shouldStop` said so before every pending chunk was done. */
export interface RunJobOutcome {
  readonly interrupted: boolean;
}

/**
 * The chunks of the runs below `runs` that `have` not been done, lazily (memory stays flat for
 * any `--runs`): the blocks `[k·size, (k+1)·size)` cut to their missing runs, so a run trains
 * with the same neighbours whichever runs a checkpoint already holds.
 */
export function* missingChunks(have: (run: number) => boolean, runs: number, size: number): Generator<[number, number]> {
  for (let block = 0; block < runs; block += size) {
    const end = Math.min(runs, block + size);
    for (let r = block; r < end; ) {
      if (have(r)) {
        r++;
        continue;
      }
      let to = r + 1;
      while (to < end && !have(to)) to++;
      yield [r, to];
      r = to;
    }
  }
}

/** The chunks this process still trains: not stored, and in a block it owns. Lazy: the store is asked as chunks finish. */
export function pendingChunks<R>(job: RunJob<R>): Generator<[number, number]> {
  const size = checkedChunkSize(job.chunkSize);
  return missingChunks((r) => job.store.has(r) || (job.owns !== undefined && !job.owns(Math.floor(r / size))), job.runs, size);
}

function checkedChunkSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1) throw new InvalidArgumentError("runJob", "chunkSize", "an integer ≥ 1", size);
  return size;
}

/** Trains the pending chunks in this thread, storing each; yields after every chunk. */
function* steps<R>(job: RunJob<R>, state: { interrupted: boolean }): Generator<void> {
  for (const [from, to] of pendingChunks(job)) {
    if (job.shouldStop?.() === true) {
      state.interrupted = true;
      return;
    }
    job.store.save(from, job.train(from, to));
    job.onChunk?.(from, to);
    yield;
  }
}

/**
 * Trains every pending chunk of `job` in this thread. Synchronous: a Ctrl-C handler only runs
 * once the caller yields to the event loop; prefer {@link runJobAsync}.
 */
export function runJob<R>(job: RunJob<R>): RunJobOutcome {
  const state = { interrupted: false };
  for (const _ of steps(job, state));
  return state;
}

/**
 * Trains every pending chunk of `job`: on `pool` when it has more than one worker and its
 * script exists (the compiled build; not when running from TypeScript sources), else in this
 * thread, yielding to the event loop between chunks so that `shouldStop` (Ctrl-C) takes
 * effect. On the pool, chunks are handed out one at a time to whichever worker is free (so
 * memory does not grow with the number of runs) and stored as they come back.
 */
export async function runJobAsync<R>(job: RunJob<R>, pool?: WorkerPoolOptions): Promise<RunJobOutcome> {
  if (pool === undefined || pool.workers <= 1 || !existsSync(pool.script)) {
    const state = { interrupted: false };
    for (const _ of steps(job, state)) await yieldToEventLoop();
    return state;
  }
  return runOnPool(job, pool);
}

/** One message of the worker protocol ({@link serveChunks}). */
interface WorkerMessage<R> {
  readonly ready?: boolean;
  readonly from?: number;
  readonly results?: R[];
}

async function runOnPool<R>(job: RunJob<R>, pool: WorkerPoolOptions): Promise<RunJobOutcome> {
  const chunks = pendingChunks(job);
  let next = chunks.next();
  if (next.done === true) return { interrupted: false };
  let interrupted = false;
  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let idle = 0;
    let settled = false;
    const finish = (e?: unknown) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      Promise.all(workers.map((w) => w.terminate())).then(() => (e === undefined ? resolve() : reject(e)), reject);
    };
    const poll = setInterval(() => {
      if (job.shouldStop?.() === true) {
        interrupted = true;
        finish();
      }
    }, 100);
    /** Gives `w` the next chunk, or finishes once every worker is idle and none is left. */
    const feed = (w: Worker) => {
      if (next.done === true) {
        if (++idle === workers.length) finish();
        return;
      }
      w.postMessage({ chunk: next.value });
      next = chunks.next();
    };
    for (let k = 0; k < pool.workers; k++) {
      const w = new Worker(pool.script, { workerData: pool.workerData });
      workers.push(w);
      w.on("message", (m: WorkerMessage<R>) => {
        if (settled) return;
        try {
          if (m.results !== undefined) {
            job.store.save(m.from!, m.results);
            job.onChunk?.(m.from!, m.from! + m.results.length);
          }
          feed(w);
        } catch (e) {
          finish(e); // e.g. the disk filled up while saving: one line, workers stopped
        }
      });
      w.on("error", (e) => finish(e));
    }
  });
  return { interrupted };
}

/**
 * The worker side of {@link runJobAsync}'s pool: trains each `[from, to)` chunk it is sent
 * with `train` and posts the results back; call it once the worker's trainer is built.
 */
export function serveChunks<R>(train: (from: number, to: number) => R[]): void {
  const port = parentPort;
  if (port === null) throw new InvalidArgumentError("serveChunks", "thread", "a worker thread", "the main thread");
  port.on("message", (m: { chunk: readonly [number, number] }) => {
    const [from, to] = m.chunk;
    port.postMessage({ from, results: train(from, to) } satisfies WorkerMessage<R>);
  });
  port.postMessage({ ready: true } satisfies WorkerMessage<R>);
}

/** Resolves after the events already queued (signals, timers' I/O) have been handled. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
