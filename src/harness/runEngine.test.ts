import { describe, expect, test } from "vitest";
import { ownsUnit } from "./shard.js";
import { missingChunks, type RunJob, runJob, runJobAsync, type RunStore } from "./runEngine.js";

/** A store in a Map, counting how often each run was saved. */
function mapStore(): RunStore<number> & { runs: Map<number, number>; saves: Map<number, number>; chunks: [number, number][] } {
  const runs = new Map<number, number>();
  const saves = new Map<number, number>();
  const chunks: [number, number][] = [];
  return {
    runs,
    saves,
    chunks,
    has: (r) => runs.has(r),
    save: (from, results) => {
      chunks.push([from, from + results.length]);
      results.forEach((v, i) => {
        runs.set(from + i, v);
        saves.set(from + i, (saves.get(from + i) ?? 0) + 1);
      });
    },
  };
}

/** Run `r`'s "result": a function of `r` alone (as a seeded run is). */
const value = (r: number) => Math.sin(r + 1) * 1000;

function job(store: RunStore<number>, runs: number, size: number, extra: Partial<RunJob<number>> = {}): RunJob<number> {
  return { runs, chunkSize: size, store, train: (from, to) => Array.from({ length: to - from }, (_, i) => value(from + i)), ...extra };
}

describe("run engine", () => {
  test("missingChunks: the blocks [k·size, (k+1)·size) cut to their missing runs, each missing run once", () => {
    const have = new Set([0, 1, 5, 9]);
    const chunks = [...missingChunks((r) => have.has(r), 11, 4)];
    expect(chunks).toEqual([
      [2, 4],
      [4, 5],
      [6, 8],
      [8, 9],
      [10, 11],
    ]);
    for (const [a, b] of chunks) expect(Math.floor(a / 4)).toBe(Math.floor((b - 1) / 4)); // never across a block
  });

  test("every run trained once; interrupted and resumed (sync, then async) = one go", async () => {
    const once = mapStore();
    expect(runJob(job(once, 23, 5)).interrupted).toBe(false);
    expect([...once.runs.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, r) => r));
    for (const [r, v] of once.runs) expect(v).toBe(value(r));

    const store = mapStore();
    let asked = 0;
    expect(runJob(job(store, 23, 5, { shouldStop: () => ++asked > 2 })).interrupted).toBe(true);
    expect(store.runs.size).toBe(10); // two chunks of 5 before the stop
    const progress: number[] = [];
    expect((await runJobAsync(job(store, 23, 5, { onChunk: (_, to) => progress.push(to) }))).interrupted).toBe(false);
    expect(progress).toEqual([15, 20, 23]);
    expect(store.runs).toEqual(once.runs);
    expect([...store.saves.values()].every((n) => n === 1)).toBe(true);
  });

  test("shards: each trains only its own blocks; their union is every run once", () => {
    const stores = [0, 1, 2].map((index) => {
      const s = mapStore();
      runJob(job(s, 20, 3, { owns: (k) => ownsUnit({ index, count: 3 }, k) }));
      return s;
    });
    stores.forEach((s, index) => s.chunks.forEach(([a]) => expect(Math.floor(a / 3) % 3).toBe(index)));
    const union = new Map<number, number>();
    for (const s of stores) for (const [r, v] of s.runs) {
      expect(union.has(r)).toBe(false);
      union.set(r, v);
    }
    expect(union.size).toBe(20);
  });

  test("a pool that cannot start (no script) trains in this thread; a bad chunk size is refused", async () => {
    const s = mapStore();
    await runJobAsync(job(s, 7, 2), { script: "/nonexistent/worker.js", workerData: null, workers: 4 });
    expect(s.runs.size).toBe(7);
    expect(() => runJob(job(mapStore(), 7, 0))).toThrow(/chunkSize/);
  });
});
